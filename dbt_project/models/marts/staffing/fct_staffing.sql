-- depends_on: {{ ref('stg_submissions__submissions') }}
{{
    config(
        materialized='incremental',
        unique_key=['unit_id', 'period_id'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

submissions as (
    select * from {{ ref('int_submissions_current') }}
),

staff_members as (
    select * from {{ ref('int_staff_members_current') }}
),

{% if is_incremental() %}
    -- a new file can supersede a unit's report and change its later periods of the same year
    -- (training over the year): rebuild those units' years, keep every other row
    changed_unit_years as (
        select distinct
            unit_id,
            left(period_id, 4) as period_year
        from {{ ref('stg_submissions__submissions') }}
        where loaded_at > (
            select coalesce(max(submission_loaded_at), timestamptz '1900-01-01')
            from {{ this }}
        )
    ),

    submissions_to_build as (
        select submissions.*
        from submissions
        inner join changed_unit_years
            on
                submissions.unit_id = changed_unit_years.unit_id
                and left(submissions.period_id, 4) = changed_unit_years.period_year
    ),
{% else %}
    submissions_to_build as (select * from submissions),
{% endif %}

staff_counts as (
    select
        submission_id,
        count(*) as n_staff,
        count(*) filter (where is_dedicated) as n_dedicated,
        count(*) filter (where not is_dedicated) as n_concurrent,
        count(*) filter (where has_it_degree_university_plus) as n_it_degree_university_plus,
        count(*) filter (where is_trained_in_period) as n_trained,
        count(*) filter (where is_trained_year_to_date) as n_trained_year_to_date,
        count(*) filter (where is_dx_network_member) as n_dx_network_members,
        count(*) filter (where is_dx_network_member and has_platform_access)
            as n_dx_network_members_with_platform_access,
        count(*) filter (where is_incident_response_member) as n_incident_response_members,
        count(*) filter (where has_platform_access) as n_platform_access
    from staff_members
    group by submission_id
),

final as (
    select
        submissions_to_build.unit_id,
        submissions_to_build.period_id,
        submissions_to_build.unit_level,
        submissions_to_build.province_id,
        submissions_to_build.submission_id,
        {%- for column in [
            'n_staff', 'n_dedicated', 'n_concurrent', 'n_it_degree_university_plus',
            'n_trained', 'n_trained_year_to_date', 'n_dx_network_members',
            'n_dx_network_members_with_platform_access', 'n_incident_response_members',
            'n_platform_access',
        ] %}
            cast(coalesce(staff_counts.{{ column }}, 0) as integer) as {{ column }},
        {%- endfor %}
        coalesce(submissions_to_build.has_dx_focal_point, false) as has_dx_focal_point,
        submissions_to_build.n_community_teams,
        submissions_to_build.n_community_team_members,
        submissions_to_build.n_community_team_members_trained,
        submissions_to_build.loaded_at as submission_loaded_at
    from submissions_to_build
    left join staff_counts
        on submissions_to_build.submission_id = staff_counts.submission_id
)

select * from final
