-- Who holds each target back: for every unit-level target (focal point, platform access,
-- annual training, network; 100 %) and each scope, in the latest period whose reports are all
-- due (the period of target_projections and of the scorecard), the units short of it and what
-- each lacks (no focal point or network member, or no report; N staff not trained this year;
-- N network members without platform access), ranked by how much closing the unit's lack alone
-- would raise the target (share_of_target_moved). The lacks of a target's units add up to its
-- gap: closing all of them meets the target. Earlier periods: marts.fct_target_holdbacks (one
-- period at a time: where period_id = '2024-H2').
with

holdbacks as (
    select * from marts.fct_target_holdbacks
),

periods as (
    select * from marts.dim_period
),

targets as (
    select * from reference.plan_targets
),

-- the latest period whose reports are all due: the scorecard's headline period
latest_due as (
    select period_id from marts.dim_period
    where not is_in_progress
    order by end_date desc
    limit 1
)

select
    holdbacks.target_id,
    case
        when periods.province_basis = 34 and targets.target_vi_two_level is not null
            then targets.target_vi_two_level
        else targets.target_vi
    end as target_vi,
    holdbacks.scope,
    holdbacks.period_id,
    periods.end_date as period_end_date,
    holdbacks.holdback_rank,
    holdbacks.unit_id,
    holdbacks.unit_name,
    holdbacks.unit_level,
    holdbacks.unit_province_id,
    holdbacks.lack_reason,
    holdbacks.lack_vi,
    holdbacks.n_lacking,
    holdbacks.share_of_target_moved,
    holdbacks.scope_numerator,
    holdbacks.scope_denominator
from holdbacks
inner join latest_due
    on holdbacks.period_id = latest_due.period_id
left join periods
    on holdbacks.period_id = periods.period_id
left join targets
    on holdbacks.target_id = targets.target_id
order by holdbacks.target_id, holdbacks.scope, periods.end_date, holdbacks.holdback_rank
