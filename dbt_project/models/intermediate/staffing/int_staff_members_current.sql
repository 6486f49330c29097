with

staff_members as (
    select * from {{ ref('int_staff_members_enriched') }}
),

current_submissions as (
    select * from {{ ref('int_submissions_current') }}
),

current_rows as (
    select staff_members.*
    from staff_members
    inner join current_submissions
        on staff_members.submission_id = current_submissions.submission_id
),

-- "trained every year": a person counts as trained in a period when any of the unit's
-- current reports of that year up to this period shows a training for them; when none does
-- and one of those reports did not say (no trainings column), it is unknown
trained_year_to_date as (
    select
        this_period.staff_row_id,
        case
            when bool_or(same_year.is_trained_in_period) then true
            when bool_and(same_year.is_trained_in_period is not null) then false
        end as is_trained_year_to_date
    from current_rows as this_period
    inner join current_rows as same_year
        on
            this_period.unit_id = same_year.unit_id
            and this_period.person_key = same_year.person_key
            and this_period.period_year = same_year.period_year
            and this_period.period_end_date >= same_year.period_end_date
    group by this_period.staff_row_id
),

final as (
    select
        current_rows.*,
        trained_year_to_date.is_trained_year_to_date
    from current_rows
    inner join trained_year_to_date
        on current_rows.staff_row_id = trained_year_to_date.staff_row_id
)

select * from final
