with

lineage as (
    select * from {{ ref('stg_registry__unit_lineage') }}
),

units as (
    select * from {{ ref('int_reporting_units_linked') }}
),

final as (
    select
        lineage.lineage_id,
        lineage.predecessor_unit_version_id,
        lineage.predecessor_unit_id,
        predecessor.unit_name as predecessor_unit_name,
        predecessor.unit_level as predecessor_unit_level,
        lineage.event_kind,
        lineage.effective_date,
        lineage.successor_unit_version_id,
        lineage.successor_unit_id,
        successor.unit_name as successor_unit_name,
        successor.unit_level as successor_unit_level,
        lineage.is_filing_successor,
        lineage.resolution,
        lineage.source
    from lineage
    inner join units as predecessor
        on lineage.predecessor_unit_version_id = predecessor.unit_version_id
    inner join units as successor
        on lineage.successor_unit_version_id = successor.unit_version_id
)

select * from final
