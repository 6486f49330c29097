-- Units without a CĐS focal point: per period, every unit expected to report that either said
-- it has no CĐS unit or focal point (đầu mối CĐS) or did not submit at all (the plan counts a
-- unit that did not report as not meeting the target). Unit names as valid in the period; the
-- level and the reason also in the scorecard's Vietnamese wording (unit_level_vi, reason_vi).
with

compliance as (
    select * from marts.fct_reporting_compliance
),

staffing as (
    select * from marts.fct_staffing
),

unit_names as (
    select * from analyst.unit_names_by_period
),

code_labels as (
    select * from reference.code_labels
),

without_focal_point as (
    select
        compliance.period_id,
        compliance.unit_id,
        unit_names.unit_name,
        compliance.unit_level,
        case
            when not compliance.is_submitted then 'did_not_submit'
            else 'no_focal_point'
        end as reason
    from compliance
    left join staffing
        on compliance.unit_id = staffing.unit_id and compliance.period_id = staffing.period_id
    left join unit_names
        on
            compliance.unit_id = unit_names.unit_id
            and compliance.period_id = unit_names.period_id
    where not compliance.is_submitted or not coalesce(staffing.has_dx_focal_point, false)
)

select
    without_focal_point.period_id,
    without_focal_point.unit_id,
    without_focal_point.unit_name,
    without_focal_point.unit_level,
    levels.label_vi as unit_level_vi,
    without_focal_point.reason,
    reasons.label_vi as reason_vi
from without_focal_point
left join code_labels as levels
    on levels.vocabulary = 'unit_level' and without_focal_point.unit_level = levels.code
left join code_labels as reasons
    on reasons.vocabulary = 'no_focal_point_reason' and without_focal_point.reason = reasons.code
order by
    without_focal_point.period_id,
    case without_focal_point.unit_level when 'province' then 1 when 'district' then 2 else 3 end,
    without_focal_point.unit_id
