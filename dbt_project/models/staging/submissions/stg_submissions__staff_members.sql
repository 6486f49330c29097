with

source as (
    select * from {{ source('submissions', 'staff_rows') }}
),

-- names and birth years stay in raw: from here on a person is a keyed pseudonym
renamed as (
    select
        sha256 || ':' || sheet || ':' || row_number as staff_row_id,
        sha256 as submission_id,
        person_key,
        gender,
        assignment,
        education_level,
        field_of_study,
        coalesce(trainings_in_period, 0) as n_trainings_in_period,
        assignment = 'Chuyên trách' as is_dedicated,
        education_level in ('Đại học', 'Thạc sĩ', 'Tiến sĩ') as has_university_degree,
        field_of_study in ('CNTT', 'An toàn thông tin') as has_it_major,
        coalesce(dx_network_member, false) as is_dx_network_member,
        coalesce(incident_response_member, false) as is_incident_response_member,
        coalesce(platform_access, false) as has_platform_access,
        loaded_at
    from source
),

final as (select * from renamed)

select * from final
