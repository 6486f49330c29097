with

source as (
    select * from {{ source('registry', 'reporting_exemptions') }}
),

renamed as (
    select
        unit_id || ':' || cast(valid_from as varchar) as unit_version_id,
        unit_id,
        valid_from,
        reason_vi as no_duty_reason,
        source
    from source
),

final as (select * from renamed)

select * from final
