with

metrics as (
    select * from {{ ref('int_target_metrics_aggregated') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

plan_targets as (
    select * from {{ ref('plan_targets') }}
),

scopes as (
    select
        province_id,
        period_id,
        max(n_units) as n_units
    from metrics
    group by province_id, period_id
),

-- every target in every scope, including those no submission field measures
measured as (
    select
        plan_targets.target_id || '|province:' || scopes.province_id || '|' || scopes.period_id
            as target_progress_id,
        plan_targets.target_id,
        'province:' || scopes.province_id as scope,
        scopes.province_id,
        scopes.period_id,
        plan_targets.threshold_rule,
        plan_targets.threshold_value as target_threshold_value,
        plan_targets.baseline_period_id,
        periods.previous_period_id,
        periods.end_date as period_end_date,
        coalesce(plan_targets.deadline_date, periods.end_date) as deadline_date,
        metrics.actual_value,
        coalesce(metrics.n_units_not_measurable, scopes.n_units) as n_units_not_measurable
    from scopes
    cross join plan_targets
    inner join periods
        on scopes.period_id = periods.period_id
    left join metrics
        on
            scopes.province_id = metrics.province_id
            and scopes.period_id = metrics.period_id
            and plan_targets.metric = metrics.metric
),

final as (
    select
        measured.*,
        case measured.threshold_rule
            when 'at_least_value' then measured.target_threshold_value
            when 'at_least_baseline' then baseline.actual_value
            when 'at_least_previous' then previous.actual_value
        end as threshold_value,
        baseline.actual_value as baseline_value,
        baseline.period_end_date as baseline_end_date
    from measured
    left join measured as baseline
        on
            measured.target_id = baseline.target_id
            and measured.scope = baseline.scope
            and measured.baseline_period_id = baseline.period_id
    left join measured as previous
        on
            measured.target_id = previous.target_id
            and measured.scope = previous.scope
            and measured.previous_period_id = previous.period_id
)

select * from final
