with

measurements as (
    select * from {{ ref('int_target_measurements') }}
),

judged as (
    select
        *,
        case
            when actual_value is null or threshold_value is null then null
            -- shares are ratios of counts: allow for float rounding at exactly 100%
            else actual_value >= threshold_value - 1e-9
        end as is_met,
        -- the straight line from the baseline value to the threshold at the deadline
        case
            when
                deadline_date > baseline_end_date
                and period_end_date between baseline_end_date and deadline_date
                then
                    baseline_value
                    + (threshold_value - baseline_value)
                    * (period_end_date - baseline_end_date)
                    / (deadline_date - baseline_end_date)
        end as trajectory_value
    from measurements
),

-- what the period's own value says, the one place statuses are derived
standing as (
    select
        *,
        -- a province as it was is judged within its own province list (the code 48 named old
        -- Đà Nẵng before 01/07/2025 and the merged city after); a restated scope spans both
        case when not is_restated then province_basis end as verdict_basis,
        case
            when is_period_in_progress then 'in_progress'
            when is_met is null then 'not_measurable'
            when is_met then 'achieved'
            -- a target with no deadline is judged in every period on its own
            when deadline_date is null or period_end_date >= deadline_date then 'missed'
            when actual_value >= trajectory_value then 'on_track'
            when actual_value < trajectory_value then 'at_risk'
            -- nothing to project (no baseline, or a period before it): no trend to judge
            else 'not_measurable'
        end as period_status
    from judged
),

-- the verdict at the deadline: the standing of the scope's last period ending on or before
-- it, once a period ending on or after it has been reported and is no longer in progress
verdicts as (
    select
        target_id,
        scope,
        verdict_basis,
        arg_max(period_id, period_end_date) filter (
            where period_end_date <= deadline_date
        ) as verdict_period_id
    from standing
    group by target_id, scope, verdict_basis
    having bool_or(period_end_date >= deadline_date and not is_period_in_progress)
),

final as (
    select
        standing.target_progress_id,
        standing.target_id,
        standing.scope,
        standing.is_restated,
        standing.province_id,
        standing.period_id,
        standing.metric,
        standing.actual_value,
        standing.numerator,
        standing.denominator,
        standing.n_units_not_measurable,
        standing.covered_province_ids,
        standing.is_complete,
        standing.threshold_value,
        standing.threshold_covered_province_ids,
        standing.is_threshold_complete,
        standing.is_met,
        case
            when standing.is_met then 0.0
            when not standing.is_met then standing.threshold_value - standing.actual_value
        end as gap,
        standing.deadline_date,
        standing.deadline_date is null as is_judged_each_period,
        standing.baseline_value,
        standing.baseline_covered_province_ids,
        standing.is_baseline_complete,
        standing.trajectory_value,
        standing.is_period_in_progress,
        verdict.period_status as verdict_status,
        verdict.actual_value as verdict_value,
        verdict.period_id as verdict_period_id,
        -- after the deadline the verdict stands; the period says what happened since
        case
            when standing.is_period_in_progress then 'in_progress'
            when standing.period_end_date > standing.deadline_date
                then coalesce(verdict.period_status, 'not_measurable')
            else standing.period_status
        end as status,
        case
            when
                standing.period_end_date <= standing.deadline_date
                or standing.deadline_date is null
                or standing.is_period_in_progress
                then null
            when standing.is_met then 'met'
            when not standing.is_met then 'not_met'
        end as status_after_deadline
    from standing
    left join verdicts
        on
            standing.target_id = verdicts.target_id
            and standing.scope = verdicts.scope
            and standing.verdict_basis is not distinct from verdicts.verdict_basis
    left join standing as verdict
        on
            verdicts.target_id = verdict.target_id
            and verdicts.scope = verdict.scope
            and verdicts.verdict_period_id = verdict.period_id
)

select * from final
