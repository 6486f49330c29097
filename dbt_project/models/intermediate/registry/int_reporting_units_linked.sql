with

units as (
    select * from {{ ref('int_reporting_units_versioned') }}
),

lineage as (
    select * from {{ ref('stg_registry__unit_lineage') }}
),

exemptions as (
    select * from {{ ref('stg_registry__reporting_exemptions') }}
),

-- what each version became: its successors, the one that files what it still owes, and the
-- day it ceased (a version that continues under another name or district has not ceased)
successors as (
    select
        predecessor_unit_version_id as unit_version_id,
        count(*) as n_successors,
        string_agg(
            successor_unit_version_id, ', ' order by successor_unit_version_id
        ) as successor_unit_version_ids,
        min(successor_unit_id) filter (where is_filing_successor) as filing_successor_unit_id,
        min(effective_date) filter (
            where event_kind not in ('renamed', 'reassigned')
        ) as ceased_date
    from lineage
    group by predecessor_unit_version_id
),

-- where each version came from
predecessors as (
    select
        successor_unit_version_id as unit_version_id,
        count(*) as n_predecessors,
        string_agg(
            predecessor_unit_version_id, ', ' order by predecessor_unit_version_id
        ) as predecessor_unit_version_ids
    from lineage
    group by successor_unit_version_id
),

final as (
    select
        units.*,
        exemptions.unit_version_id is null as has_reporting_duty,
        exemptions.no_duty_reason,
        cast(coalesce(predecessors.n_predecessors, 0) as bigint) as n_predecessors,
        predecessors.predecessor_unit_version_ids,
        cast(coalesce(successors.n_successors, 0) as bigint) as n_successors,
        successors.successor_unit_version_ids,
        successors.filing_successor_unit_id,
        -- a version that ended with no successor known ceased the day after its last
        case
            when successors.unit_version_id is not null then successors.ceased_date
            when units.valid_to is not null
                then cast(units.valid_to + interval 1 day as date)
        end as ceased_date
    from units
    left join exemptions
        on units.unit_version_id = exemptions.unit_version_id
    left join predecessors
        on units.unit_version_id = predecessors.unit_version_id
    left join successors
        on units.unit_version_id = successors.unit_version_id
)

select * from final
