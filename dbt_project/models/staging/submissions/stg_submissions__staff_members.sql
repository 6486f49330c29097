with

source as (
    select * from {{ source('submissions', 'staff_rows') }}
),

-- names and birth years stay in raw: from here on a person is a keyed pseudonym. An optional
-- field stays NULL when the clerk's file lacked its column: unknown is not "no" or 0
renamed as (
    select
        sha256 || ':' || sheet || ':' || row_number as staff_row_id,
        sha256 as submission_id,
        person_key,
        -- the year itself stays in raw; that it is unknown is no personal data
        birth_year is null as is_birth_year_unknown,
        gender,
        assignment,
        education_level,
        field_of_study,
        trainings_in_period as n_trainings_in_period,
        assignment = 'Chuyên trách' as is_dedicated,
        education_level in ('Đại học', 'Thạc sĩ', 'Tiến sĩ') as has_university_degree,
        field_of_study in ('CNTT', 'An toàn thông tin') as has_it_major,
        dx_network_member as is_dx_network_member,
        incident_response_member as is_incident_response_member,
        platform_access as has_platform_access,
        loaded_at
    from source
),

final as (select * from renamed)

select * from final
