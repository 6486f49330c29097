with

source as (
    select * from {{ source('registry', 'province_crosswalk') }}
),

renamed as (
    select
        legacy_province_id,
        legacy_province_name,
        province_id,
        province_name,
        effective_date
    from source
),

final as (select * from renamed)

select * from final
