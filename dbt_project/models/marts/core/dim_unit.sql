with

units as (
    select * from {{ ref('int_reporting_units_versioned') }}
),

final as (
    select
        unit_version_id,
        unit_id,
        unit_name,
        unit_type,
        unit_level,
        province_id,
        province_name,
        parent_unit_id,
        valid_from,
        valid_to,
        source,
        is_removed_from_registry,
        n_registry_changes
    from units
)

select * from final
