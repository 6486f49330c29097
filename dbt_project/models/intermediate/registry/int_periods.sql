with

reporting_calendar as (
    select * from {{ ref('reporting_calendar') }}
),

-- the periods of the calendar that have begun by the as-of date; a file never creates one
begun as (
    select * from reporting_calendar
    where start_date <= {{ as_of_date() }}
),

final as (
    select
        period_id,
        period_type,
        period_year,
        start_date,
        end_date,
        deadline_date,
        -- reports are still coming in until the due date (inclusive): nobody is late yet
        {{ as_of_date() }} <= deadline_date as is_in_progress,
        -- the 2025 reorganisation (NQ 202/2025/QH15): 34 provinces from 2025-07-01
        case when end_date < date '2025-07-01' then 63 else 34 end as province_basis,
        lag(period_id) over (order by end_date asc, start_date desc) as previous_period_id
    from begun
)

select * from final
