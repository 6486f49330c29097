with

staff_members as (
    select * from {{ ref('int_staff_members_current') }}
),

-- the one place staff are counted: fct_staffing and the plan targets read these counts
counted as (
    select
        submission_id,
        count(*) as n_staff,
        {{ count_if_known('is_dedicated') }} as n_dedicated,
        {{ count_if_known('not is_dedicated') }} as n_concurrent,
        {{ count_if_known('has_it_degree_university_plus') }} as n_it_degree_university_plus,
        {{ count_if_known('is_trained_in_period') }} as n_trained,
        {{ count_if_known('is_trained_year_to_date') }} as n_trained_year_to_date,
        {{ count_if_known('is_dx_network_member') }} as n_dx_network_members,
        {{ count_if_known('is_dx_network_member and has_platform_access') }}
            as n_dx_network_members_with_platform_access,
        {{ count_if_known('is_incident_response_member') }} as n_incident_response_members,
        {{ count_if_known('has_platform_access') }} as n_platform_access
    from staff_members
    group by submission_id
),

final as (select * from counted)

select * from final
