with

staffing as (
    select * from {{ ref('fct_staffing') }}
),

-- a province total is unknown when any of its units' counts is unknown: unknown is not zero
summed as (
    select
        province_id || '|' || period_id as province_period_id,
        province_id,
        period_id,
        {%- for column in scorecard_staff_columns() %}
            {{ sum_if_known(column) }} as {{ column }},
        {%- endfor %}
        count(*) filter (where has_dx_focal_point) as n_units_with_focal_point
    from staffing
    group by province_id, period_id
),

final as (select * from summed)

select * from final
