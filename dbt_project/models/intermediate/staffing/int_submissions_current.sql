with

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

units as (
    select * from {{ ref('int_reporting_units_versioned') }}
),

-- a corrected file supersedes the earlier one for its unit and period: the later date written
-- on the form wins, then the later arrival; superseded files stay in raw
ranked as (
    select
        *,
        row_number() over (
            partition by unit_id, period_id
            order by submitted_date desc nulls last, arrival_seq desc
        ) as supersession_rank,
        count(*) over (partition by unit_id, period_id) as n_submissions
    from submissions
),

current_submissions as (
    select * from ranked
    where supersession_rank = 1
),

joined as (
    select
        current_submissions.submission_id,
        current_submissions.unit_id,
        current_submissions.period_id,
        units.unit_level,
        units.province_id,
        current_submissions.has_dx_focal_point,
        current_submissions.n_community_teams,
        current_submissions.n_community_team_members,
        current_submissions.n_community_team_members_trained,
        current_submissions.submitted_date,
        current_submissions.loaded_at,
        cast(current_submissions.n_submissions as integer) as n_submissions
    from current_submissions
    inner join units
        on
            current_submissions.unit_id = units.unit_id
            and {{ period_end_date('current_submissions.period_id') }}
            between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
),

final as (select * from joined)

select * from final
