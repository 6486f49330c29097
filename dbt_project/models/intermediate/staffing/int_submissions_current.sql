with

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

reporting_units as (
    select * from {{ ref('stg_registry__reporting_units') }}
),

current_submissions as (
    select * from submissions
    where is_current
),

joined as (
    select
        current_submissions.submission_id,
        current_submissions.unit_id,
        current_submissions.period_id,
        reporting_units.unit_level,
        reporting_units.province_id,
        current_submissions.has_dx_focal_point,
        current_submissions.n_community_teams,
        current_submissions.submitted_date
    from current_submissions
    inner join reporting_units
        on
            current_submissions.unit_id = reporting_units.unit_id
            and {{ period_end_date('current_submissions.period_id') }}
            between reporting_units.valid_from
            and coalesce(reporting_units.valid_to, date '9999-12-31')
),

final as (select * from joined)

select * from final
