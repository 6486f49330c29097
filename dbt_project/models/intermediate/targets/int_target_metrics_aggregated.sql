with

units_measured as (
    select * from {{ ref('int_units_measured') }}
),

-- each unit counts in two scopes: its province as it was in the period (history as it was),
-- and the province that province became in the 2025 reorganisation (the series restated on
-- today's province, so that a merger alone does not move a target)
scoped as (
    {%- for kind, column, restated in [('province', 'province_id', false),
                                        ('successor', 'successor_province_id', true)] %}
        select
            '{{ kind }}:' || {{ column }} as scope,
            {{ restated }} as is_restated,
            {{ column }} as scope_province_id,
            province_id,
            period_id,
            metric,
            is_ratio,
            numerator,
            denominator,
            is_measurable
        from units_measured
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- a unit that cannot be measured is left out of the value and counted instead: a value over
-- the units that can be measured, never a silent 0 for the others
aggregated as (
    select
        scope,
        period_id,
        metric,
        any_value(is_restated) as is_restated,
        any_value(scope_province_id) as province_id,
        any_value(is_ratio) as is_ratio,
        sum(numerator) filter (where is_measurable) as numerator,
        sum(denominator) filter (where is_measurable) as denominator,
        count(*) as n_units,
        count(*) filter (where not is_measurable) as n_units_not_measurable,
        string_agg(distinct province_id, ',' order by province_id) as covered_province_ids
    from scoped
    group by scope, period_id, metric
),

final as (
    select
        scope || '|' || period_id || '|' || metric as scope_metric_id,
        scope,
        is_restated,
        province_id,
        period_id,
        metric,
        case
            when is_ratio then numerator / nullif(denominator, 0) else numerator
        end as actual_value,
        numerator,
        denominator,
        n_units,
        n_units_not_measurable,
        covered_province_ids
    from aggregated
)

select * from final
