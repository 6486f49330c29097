{{
    config(
        materialized='incremental',
        unique_key='staff_row_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

staff_members as (
    select * from {{ ref('stg_submissions__staff_members') }}
    {% if is_incremental() %}
        -- person rows never change once loaded: only the nights' new rows are added
        where loaded_at > (select coalesce(max(loaded_at), timestamptz '1900-01-01') from {{ this }})
    {% endif %}
),

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

enriched as (
    select
        staff_members.staff_row_id,
        staff_members.submission_id,
        submissions.unit_id,
        submissions.period_id,
        cast(left(submissions.period_id, 4) as integer) as period_year,
        {{ period_end_date('submissions.period_id') }} as period_end_date,
        staff_members.person_key,
        staff_members.is_dedicated,
        staff_members.has_university_degree and staff_members.has_it_major
            as has_it_degree_university_plus,
        staff_members.n_trainings_in_period,
        staff_members.n_trainings_in_period >= 1 as is_trained_in_period,
        staff_members.is_dx_network_member,
        staff_members.is_incident_response_member,
        staff_members.has_platform_access,
        staff_members.loaded_at
    from staff_members
    inner join submissions
        on staff_members.submission_id = submissions.submission_id
),

final as (select * from enriched)

select * from final
