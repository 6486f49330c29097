with

source as (
    select * from {{ source('submissions', 'submissions') }}
),

renamed as (
    select
        sha256 as submission_id,
        unit_code as unit_id,
        period_id,
        unit_level,
        has_dx_focal_point,
        community_teams as n_community_teams,
        community_team_members as n_community_team_members,
        community_team_members_trained as n_community_team_members_trained,
        submitted_on as submitted_date,
        arrival_seq,
        loaded_at,
        source_file
    from source
),

final as (
    select
        *,
        -- a later submission for the same unit and period supersedes the earlier one:
        -- by the date written on the form, then by arrival order
        row_number() over (
            partition by unit_id, period_id
            order by submitted_date desc nulls last, arrival_seq desc
        ) = 1 as is_current
    from renamed
)

select * from final
