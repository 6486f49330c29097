-- Target progress: each plan target (DESIGN §4.1) for each scope and period, in the plan's
-- wording for the period (no district level from 01/07/2025), with the actual value, the
-- threshold, whether it is met, the gap, the deadline (empty: judged every period) and the
-- status (in_progress, not_measurable, achieved, on_track, at_risk, missed; status_vi words it
-- as the scorecard does, from reference.target_status_labels). Two scopes per
-- province: `province:<code>` is the province as it was in the period; `successor:<code>`
-- (is_restated) is today's province, earlier periods restated as the sum over its
-- predecessors' units. After the deadline a row keeps the verdict at the deadline (verdict_*)
-- and says what happened since (status_after_deadline). province_basis is the period's
-- province list (63 before 01/07/2025, 34 after). is_share marks targets measured as a
-- share in [0, 1]; the others are headcounts.
with

progress as (
    select * from marts.fct_target_progress
),

periods as (
    select * from marts.dim_period
),

targets as (
    select * from reference.plan_targets
),

status_labels as (
    select * from reference.target_status_labels
),

code_labels as (
    select * from reference.code_labels
)

select
    progress.target_id,
    case
        when periods.province_basis = 34 and targets.target_vi_two_level is not null
            then targets.target_vi_two_level
        else targets.target_vi
    end as target_vi,
    case
        when periods.province_basis = 34 and targets.target_en_two_level is not null
            then targets.target_en_two_level
        else targets.target_en
    end as target_en,
    progress.scope,
    progress.is_restated,
    progress.province_id,
    progress.period_id,
    periods.end_date as period_end_date,
    periods.province_basis,
    progress.is_period_in_progress,
    progress.actual_value,
    progress.covered_province_ids,
    progress.is_complete,
    progress.threshold_value,
    progress.threshold_covered_province_ids,
    progress.is_threshold_complete,
    progress.baseline_value,
    progress.baseline_covered_province_ids,
    progress.is_baseline_complete,
    coalesce(targets.metric like 'share%', false) as is_share,
    progress.is_met,
    progress.gap,
    progress.deadline_date,
    progress.is_judged_each_period,
    progress.status,
    status_labels.status_vi,
    progress.verdict_status,
    verdict_labels.label_vi as verdict_status_vi,
    progress.verdict_value,
    progress.verdict_period_id,
    progress.status_after_deadline,
    targets.scheme_ref,
    targets.scheme_date,
    targets.plan_ref,
    targets.plan_date
from progress
left join periods
    on progress.period_id = periods.period_id
left join targets
    on progress.target_id = targets.target_id
left join status_labels
    on
        progress.status = status_labels.status
        and (progress.actual_value is not null) = status_labels.is_measured
        and progress.is_met is not distinct from status_labels.is_met
left join code_labels as verdict_labels
    on
        verdict_labels.vocabulary = 'verdict_status'
        and progress.verdict_status = verdict_labels.code
order by progress.target_id, progress.scope, periods.end_date
