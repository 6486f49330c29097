-- Target projections: each plan target in each scope that stands today, projected to its
-- deadline by a least-squares line through the last 4 like-for-like periods (at least 3;
-- training at year ends only), with a range of ± twice the residual standard deviation, the
-- count still needed and the gain needed per remaining period, and the sentence an official
-- reads (status_vi: "cần thêm 12 đầu mối CĐS trước 31/12/2025"; "Chưa đủ kỳ để dự báo").
-- A deadline that has passed is judged on the value measured at it, never projected. The
-- scorecard reads the restated scope (`successor:<code>`, today's province). Every figure here
-- is the warehouse's computation, not a published one.
with

projections as (
    select * from marts.fct_target_projections
),

targets as (
    select * from reference.plan_targets
)

select
    projections.target_id,
    coalesce(targets.target_vi_two_level, targets.target_vi) as target_vi,
    projections.scope,
    projections.is_restated,
    projections.province_id,
    projections.period_id,
    projections.actual_value,
    projections.threshold_value,
    projections.deadline_date,
    projections.is_share,
    projections.projection_status,
    projections.status_vi,
    projections.as_of_period_id,
    projections.as_of_value,
    projections.n_periods_used,
    projections.first_period_id,
    projections.months_per_period,
    projections.trend_per_period,
    projections.trend_value_as_of,
    projections.spread_value,
    projections.projected_value,
    projections.projected_low,
    projections.projected_high,
    projections.n_periods_remaining,
    projections.gain_needed_per_period,
    projections.n_needed,
    projections.verdict_status,
    projections.verdict_value,
    projections.verdict_period_id
from projections
left join targets
    on projections.target_id = targets.target_id
order by projections.scope, projections.target_id
