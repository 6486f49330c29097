with

source as (
    select * from {{ source('registry', 'reporting_units') }}
),

renamed as (
    select
        unit_id || ':' || cast(valid_from as varchar) as unit_version_id,
        unit_id,
        unit_name,
        unit_type,
        unit_level,
        province_code as province_id,
        province_name,
        parent_unit_id,
        valid_from,
        valid_to,
        source
    from source
),

final as (select * from renamed)

select * from final
