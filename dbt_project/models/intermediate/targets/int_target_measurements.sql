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

province_crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

scopes as (
    select
        scope,
        period_id,
        any_value(is_restated) as is_restated,
        any_value(province_id) as province_id,
        max(n_units) as n_units,
        any_value(covered_province_ids) as covered_province_ids
    from metrics
    group by scope, period_id
),

predecessors as (
    select
        province_id,
        count(*) as n_predecessors
    from province_crosswalk
    group by province_id
),

-- every target in every scope, including those no submission field measures
measured as (
    select
        plan_targets.target_id || '|' || scopes.scope || '|' || scopes.period_id
            as target_progress_id,
        plan_targets.target_id,
        scopes.scope,
        scopes.is_restated,
        scopes.province_id,
        scopes.period_id,
        periods.province_basis,
        periods.end_date as period_end_date,
        periods.is_in_progress as is_period_in_progress,
        plan_targets.threshold_rule,
        plan_targets.threshold_value as target_threshold_value,
        plan_targets.baseline_period_id,
        periods.previous_period_id,
        -- empty for a target judged in every period on its own
        plan_targets.deadline_date,
        plan_targets.metric,
        metrics.actual_value,
        metrics.numerator,
        metrics.denominator,
        coalesce(metrics.n_units_not_measurable, scopes.n_units) as n_units_not_measurable,
        scopes.covered_province_ids,
        -- a restated period before the merger should cover every predecessor province
        len(string_split(scopes.covered_province_ids, ',')) >= case
            when scopes.is_restated and periods.province_basis = 63
                then coalesce(predecessors.n_predecessors, 1)
            else 1
        end as is_complete
    from scopes
    cross join plan_targets
    inner join periods
        on scopes.period_id = periods.period_id
    left join predecessors
        on scopes.is_restated and scopes.province_id = predecessors.province_id
    left join metrics
        on
            scopes.scope = metrics.scope
            and scopes.period_id = metrics.period_id
            and plan_targets.metric = metrics.metric
),

-- a province as it was is compared only with periods of its own basis: the code 48 named
-- old Đà Nẵng before 01/07/2025 and the merged city after; the restated scope spans both
final as (
    select
        measured.*,
        case measured.threshold_rule
            when 'at_least_value' then measured.target_threshold_value
            when 'at_least_baseline' then baseline.actual_value
            when 'at_least_previous' then previous.actual_value
        end as threshold_value,
        case measured.threshold_rule
            when 'at_least_baseline' then baseline.covered_province_ids
            when 'at_least_previous' then previous.covered_province_ids
        end as threshold_covered_province_ids,
        case measured.threshold_rule
            when 'at_least_baseline' then baseline.is_complete
            when 'at_least_previous' then previous.is_complete
        end as is_threshold_complete,
        baseline.actual_value as baseline_value,
        baseline.period_end_date as baseline_end_date,
        baseline.covered_province_ids as baseline_covered_province_ids,
        baseline.is_complete as is_baseline_complete
    from measured
    left join measured as baseline
        on
            measured.target_id = baseline.target_id
            and measured.scope = baseline.scope
            and measured.baseline_period_id = baseline.period_id
            and (measured.is_restated or measured.province_basis = baseline.province_basis)
    left join measured as previous
        on
            measured.target_id = previous.target_id
            and measured.scope = previous.scope
            and measured.previous_period_id = previous.period_id
            and (measured.is_restated or measured.province_basis = previous.province_basis)
)

select * from final
