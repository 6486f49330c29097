with

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

file_loads as (
    select * from {{ ref('stg_audit__file_loads') }}
),

accepted as (
    select
        unit_id,
        period_id,
        count(*) as n_files_accepted,
        -- the date the unit first reported: the form's date, else the day it was loaded
        min(coalesce(submitted_date, cast(loaded_at as date))) as first_submitted_date
    from submissions
    group by unit_id, period_id
),

outcomes as (
    select
        unit_id,
        period_id,
        count(*) filter (where status = 'rejected') as n_files_rejected,
        count(*) filter (where status = 'partial') as n_files_partial,
        count(*) filter (where status = 'duplicate') as n_files_duplicate
    from file_loads
    where unit_id is not null and period_id is not null
    group by unit_id, period_id
),

joined as (
    select
        coalesce(accepted.unit_id, outcomes.unit_id) || '|'
        || coalesce(accepted.period_id, outcomes.period_id) as unit_period_id,
        coalesce(accepted.unit_id, outcomes.unit_id) as unit_id,
        coalesce(accepted.period_id, outcomes.period_id) as period_id,
        cast(coalesce(accepted.n_files_accepted, 0) as bigint) as n_files_accepted,
        cast(coalesce(outcomes.n_files_rejected, 0) as bigint) as n_files_rejected,
        cast(coalesce(outcomes.n_files_partial, 0) as bigint) as n_files_partial,
        cast(coalesce(outcomes.n_files_duplicate, 0) as bigint) as n_files_duplicate,
        accepted.first_submitted_date
    from accepted
    full outer join outcomes
        on
            accepted.unit_id = outcomes.unit_id
            and accepted.period_id = outcomes.period_id
),

final as (select * from joined)

select * from final
