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
            when deadline_date > baseline_end_date and period_end_date >= baseline_end_date
                then
                    baseline_value
                    + (threshold_value - baseline_value)
                    * (period_end_date - baseline_end_date)
                    / (deadline_date - baseline_end_date)
        end as trajectory_value
    from measurements
),

final as (
    select
        target_progress_id,
        target_id,
        scope,
        province_id,
        period_id,
        actual_value,
        n_units_not_measurable,
        threshold_value,
        is_met,
        case
            when is_met then 0.0
            when not is_met then threshold_value - actual_value
        end as gap,
        deadline_date,
        baseline_value,
        trajectory_value,
        case
            when is_met is null then 'not_measurable'
            when is_met then 'achieved'
            when period_end_date >= deadline_date then 'missed'
            when actual_value >= trajectory_value then 'on_track'
            else 'at_risk'
        end as status
    from judged
)

select * from final
