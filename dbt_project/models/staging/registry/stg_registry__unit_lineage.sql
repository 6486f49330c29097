with

source as (
    select * from {{ source('registry', 'unit_lineage') }}
),

renamed as (
    select
        predecessor_unit_id || ':' || cast(predecessor_valid_from as varchar)
        || '>' || successor_unit_id || ':'
        || cast(successor_valid_from as varchar) as lineage_id,
        predecessor_unit_id || ':'
        || cast(predecessor_valid_from as varchar) as predecessor_unit_version_id,
        predecessor_unit_id,
        successor_unit_id || ':'
        || cast(successor_valid_from as varchar) as successor_unit_version_id,
        successor_unit_id,
        event_kind,
        effective_date,
        resolution,
        is_filing_successor,
        source
    from source
),

final as (select * from renamed)

select * from final
