-- Unit lineage: what each unit became and where each came from, one row per event (renamed,
-- reassigned to another district, merged into, split into, dissolved with its duties passed
-- on), with the effective date and the resolution. "What did 20341 become":
-- where predecessor_unit_id = '20341'; "what did Phường Tam Kỳ come from":
-- where successor_unit_name = 'UBND Phường Tam Kỳ'.
with

lineage as (
    select * from marts.dim_unit_lineage
)

select
    -- code of the unit before the event (what its clerks wrote on their reports)
    lineage.predecessor_unit_id,
    -- its official name before the event
    lineage.predecessor_unit_name,
    -- province, district or commune
    lineage.predecessor_unit_level,
    -- renamed, reassigned, merged_into, split_into or dissolved
    lineage.event_kind,
    -- first day the successor carried the predecessor's duties
    lineage.effective_date,
    -- code of the unit after the event (a reused code is still a new unit version)
    lineage.successor_unit_id,
    -- its official name after the event
    lineage.successor_unit_name,
    -- province, district or commune
    lineage.successor_unit_level,
    -- this successor files what the predecessor still owed when it ceased
    lineage.is_filing_successor,
    -- the resolution or decree, with its date
    lineage.resolution,
    -- the two versions linked (code:start of validity), to join dim_unit
    lineage.predecessor_unit_version_id,
    lineage.successor_unit_version_id
from lineage
order by
    lineage.effective_date,
    lineage.predecessor_unit_id,
    lineage.successor_unit_id
