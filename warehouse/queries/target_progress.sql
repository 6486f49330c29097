-- Target progress: each plan target (DESIGN §4.1) for each scope and period, in the plan's
-- wording, with the actual value, the threshold, whether it is met, the gap, the deadline and
-- the status (achieved, on_track, at_risk, missed, not_measurable). is_share marks targets
-- measured as a share in [0, 1]; the others are headcounts.
with

progress as (
    select * from marts.fct_target_progress
),

periods as (
    select * from marts.dim_period
),

targets as (
    select * from reference.plan_targets
)

select
    progress.target_id,
    targets.target_vi,
    targets.target_en,
    progress.scope,
    progress.period_id,
    periods.end_date as period_end_date,
    progress.actual_value,
    progress.threshold_value,
    coalesce(targets.metric like 'share%', false) as is_share,
    progress.is_met,
    progress.gap,
    progress.deadline_date,
    progress.status
from progress
left join periods
    on progress.period_id = periods.period_id
left join targets
    on progress.target_id = targets.target_id
order by progress.target_id, progress.scope, periods.end_date
