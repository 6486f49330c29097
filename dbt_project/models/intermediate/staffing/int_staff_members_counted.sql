with

staff_members as (
    select * from {{ ref('int_staff_members_current') }}
),

-- the fields as loaded (every row of every submission): what each person's file left unknown
stg_submissions__staff_members as (
    select * from {{ ref('stg_submissions__staff_members') }}
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

unknown_counted as (
    select
        {%- for field, condition in unknown_field_columns().items() %}
            count(*) filter (where {{ condition }}) as n_unknown_{{ field }},
        {%- endfor %}
        submission_id
    from stg_submissions__staff_members
    group by submission_id
),

final as (
    select
        {%- for field in unknown_field_columns() %}
            coalesce(unknown_counted.n_unknown_{{ field }}, 0) as n_unknown_{{ field }},
        {%- endfor %}
        counted.*
    from counted
    left join unknown_counted
        on counted.submission_id = unknown_counted.submission_id
)

select * from final
