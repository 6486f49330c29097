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

staff_counts as (
    select * from {{ ref('int_staff_members_counted') }}
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

final as (
    select
        submissions_to_build.unit_id,
        submissions_to_build.period_id,
        submissions_to_build.unit_level,
        submissions_to_build.province_id,
        submissions_to_build.submission_id,
        -- a submission without person rows has no staff: 0 is known, not unknown
        {%- for column in staffing_count_columns() %}
            case
                when staff_counts.submission_id is null then cast(0 as bigint)
                else cast(staff_counts.{{ column }} as bigint)
            end as {{ column }},
        {%- endfor %}
        {%- for field in unknown_field_columns() %}
            cast(coalesce(staff_counts.n_unknown_{{ field }}, 0) as bigint)
                as n_unknown_{{ field }},
        {%- endfor %}
        coalesce(submissions_to_build.has_dx_focal_point, false) as has_dx_focal_point,
        cast(submissions_to_build.n_community_teams as bigint) as n_community_teams,
        cast(submissions_to_build.n_community_team_members as bigint) as n_community_team_members,
        cast(submissions_to_build.n_community_team_members_trained as bigint)
            as n_community_team_members_trained,
        submissions_to_build.loaded_at as submission_loaded_at
    from submissions_to_build
    left join staff_counts
        on submissions_to_build.submission_id = staff_counts.submission_id
)

select * from final
