with

submissions as (
    select * from {{ ref('int_submissions_current') }}
),

staff_members as (
    select * from {{ ref('stg_submissions__staff_members') }}
),

staff_counts as (
    select
        submission_id,
        count(*) as n_staff,
        count(*) filter (where is_dedicated) as n_dedicated,
        count(*) filter (where not is_dedicated) as n_concurrent,
        count(*) filter (where has_university_degree and has_it_major)
            as n_it_degree_university_plus,
        count(*) filter (where n_trainings_in_period >= 1) as n_trained,
        count(*) filter (where is_dx_network_member) as n_dx_network_members,
        count(*) filter (where is_incident_response_member) as n_incident_response_members,
        count(*) filter (where has_platform_access) as n_platform_access
    from staff_members
    group by submission_id
),

final as (
    select
        submissions.unit_id,
        submissions.period_id,
        submissions.unit_level,
        submissions.province_id,
        submissions.submission_id,
        cast(coalesce(staff_counts.n_staff, 0) as integer) as n_staff,
        cast(coalesce(staff_counts.n_dedicated, 0) as integer) as n_dedicated,
        cast(coalesce(staff_counts.n_concurrent, 0) as integer) as n_concurrent,
        cast(coalesce(staff_counts.n_it_degree_university_plus, 0) as integer)
            as n_it_degree_university_plus,
        cast(coalesce(staff_counts.n_trained, 0) as integer) as n_trained,
        cast(coalesce(staff_counts.n_dx_network_members, 0) as integer) as n_dx_network_members,
        cast(coalesce(staff_counts.n_incident_response_members, 0) as integer)
            as n_incident_response_members,
        cast(coalesce(staff_counts.n_platform_access, 0) as integer) as n_platform_access,
        coalesce(submissions.has_dx_focal_point, false) as has_dx_focal_point
    from submissions
    left join staff_counts
        on submissions.submission_id = staff_counts.submission_id
)

select * from final
