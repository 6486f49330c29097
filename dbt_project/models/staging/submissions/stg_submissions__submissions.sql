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
        template_version,
        arrival_seq,
        loaded_at,
        batch_id,
        source_file
    from source
),

final as (select * from renamed)

select * from final
