with

periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    select
        period_id,
        period_type,
        period_year,
        start_date,
        end_date,
        deadline_date,
        is_in_progress,
        province_basis,
        previous_period_id
    from periods
)

select * from final
