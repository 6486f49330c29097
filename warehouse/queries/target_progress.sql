-- Target progress: each plan target (DESIGN §4.1) for each scope and period, with the actual
-- value, the threshold, whether it is met, the gap, the deadline and the status (achieved,
-- on_track, at_risk, missed, not_measurable).
select
    progress.target_id,
    progress.scope,
    progress.period_id,
    periods.end_date as period_end_date,
    progress.actual_value,
    progress.threshold_value,
    progress.is_met,
    progress.gap,
    progress.deadline_date,
    progress.status
from marts.fct_target_progress as progress
left join marts.dim_period as periods
    on progress.period_id = periods.period_id
order by progress.target_id, progress.scope, periods.end_date
