with

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

file_loads as (
    select * from {{ ref('stg_audit__file_loads') }}
),

reporting_deadlines as (
    select * from {{ ref('reporting_deadlines') }}
),

-- a period exists once any file declares it; rejected files count (the unit tried to report)
declared as (
    select period_id from submissions
    union
    select period_id from file_loads
    where regexp_full_match(period_id, '[0-9]{4}(-H[12])?')
),

described as (
    select
        period_id,
        {{ period_type('period_id') }} as period_type,
        cast(left(period_id, 4) as integer) as period_year,
        {{ period_start_date('period_id') }} as start_date,
        {{ period_end_date('period_id') }} as end_date
    from declared
),

final as (
    select
        described.period_id,
        described.period_type,
        described.period_year,
        described.start_date,
        described.end_date,
        make_date(
            described.period_year + reporting_deadlines.deadline_year_offset,
            reporting_deadlines.deadline_month,
            reporting_deadlines.deadline_day
        ) as deadline_date,
        -- the 2025 reorganisation (NQ 202/2025/QH15): 34 provinces from 2025-07-01
        case when described.end_date < date '2025-07-01' then 63 else 34 end as province_basis,
        lag(described.period_id) over (
            order by described.end_date asc, described.start_date desc
        ) as previous_period_id
    from described
    inner join reporting_deadlines
        on described.period_type = reporting_deadlines.period_type
)

select * from final
