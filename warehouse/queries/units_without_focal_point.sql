-- Units without a CĐS focal point: per period, every unit expected to report that either said
-- it has no CĐS unit or focal point (đầu mối CĐS) or did not submit at all (the plan counts a
-- unit that did not report as not meeting the target). Unit names as valid in the period.
with

compliance as (
    select * from marts.fct_reporting_compliance
),

staffing as (
    select * from marts.fct_staffing
),

unit_names as (
    select * from analyst.unit_names_by_period
)

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
    on compliance.unit_id = unit_names.unit_id and compliance.period_id = unit_names.period_id
where not compliance.is_submitted or not coalesce(staffing.has_dx_focal_point, false)
order by
    compliance.period_id,
    case compliance.unit_level when 'province' then 1 when 'district' then 2 else 3 end,
    compliance.unit_id
