with

source as (
    select * from {{ source('registry', 'provinces') }}
),

renamed as (
    select
        cast(basis as varchar) || ':' || province_id as province_key,
        province_id,
        province_name,
        basis,
        valid_from,
        valid_to
    from source
),

final as (select * from renamed)

select * from final
