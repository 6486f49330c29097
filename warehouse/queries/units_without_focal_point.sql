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

periods as (
    select * from marts.dim_period
),

units as (
    select * from marts.dim_unit
),

unit_names as (
    select
        compliance.unit_id,
        compliance.period_id,
        units.unit_name
    from compliance
    inner join periods
        on compliance.period_id = periods.period_id
    inner join units
        on
            compliance.unit_id = units.unit_id
            and periods.end_date
            between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
    qualify row_number() over (
        partition by compliance.unit_id, compliance.period_id order by units.valid_from desc
    ) = 1
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
