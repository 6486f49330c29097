with

units as (
    select * from {{ ref('int_reporting_units_linked') }}
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
        -- from 2025-07-01 there is no district: a commune's parent is its province
        case
            when unit_level = 'commune' and parent_unit_id is null then province_id
            else parent_unit_id
        end as parent_unit_id,
        valid_from,
        valid_to,
        source,
        is_removed_from_registry,
        n_registry_changes,
        has_reporting_duty,
        no_duty_reason,
        n_predecessors,
        predecessor_unit_version_ids,
        n_successors,
        successor_unit_version_ids,
        filing_successor_unit_id,
        ceased_date
    from units
)

select * from final
