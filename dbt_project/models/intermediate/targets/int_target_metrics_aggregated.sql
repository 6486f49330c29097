with

units_measured as (
    select * from {{ ref('int_units_measured') }}
),

-- a unit that cannot be measured is left out of the value and counted instead: a value over
-- the units that can be measured, never a silent 0 for the others
aggregated as (
    select
        province_id,
        period_id,
        metric,
        any_value(is_ratio) as is_ratio,
        sum(numerator) filter (where is_measurable) as numerator,
        sum(denominator) filter (where is_measurable) as denominator,
        count(*) as n_units,
        count(*) filter (where not is_measurable) as n_units_not_measurable
    from units_measured
    group by province_id, period_id, metric
),

final as (
    select
        province_id || '|' || period_id || '|' || metric as province_metric_id,
        province_id,
        period_id,
        metric,
        case
            when is_ratio then numerator / nullif(denominator, 0) else numerator
        end as actual_value,
        n_units,
        n_units_not_measurable
    from aggregated
)

select * from final
