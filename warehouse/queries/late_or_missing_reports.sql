-- Late or missing reports: per period whose deadline has passed, every unit expected to report
-- whose report is missing or arrived after the deadline, with the number of its files that were
-- rejected. A period still in progress is left out: nobody is late before the deadline.
-- Unit names as valid in the period. A unit that ceased before the deadline (2025-H1 of the
-- units that ceased on 01/7/2025) is not the one late: its filing successor, named beside it,
-- had to send the report. The level and the status also in the scorecard's Vietnamese wording
-- (unit_level_vi, status_vi).
with

compliance as (
    select * from marts.fct_reporting_compliance
),

units as (
    select * from marts.dim_unit
),

unit_names as (
    select * from analyst.unit_names_by_period
),

code_labels as (
    select * from reference.code_labels
),

-- who had to file, named as on the deadline
filer_names as (
    select
        compliance.unit_id,
        compliance.period_id,
        units.unit_name
    from compliance
    inner join units
        on
            compliance.filing_unit_id = units.unit_id
            and compliance.deadline_date
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
    levels.label_vi as unit_level_vi,
    compliance.deadline_date,
    compliance.first_submitted_date,
    compliance.reporting_status as status,
    statuses.label_vi as status_vi,
    compliance.n_files_rejected,
    compliance.has_ceased_before_deadline,
    compliance.filing_unit_id,
    coalesce(filer_names.unit_name, unit_names.unit_name) as filing_unit_name
from compliance
left join unit_names
    on compliance.unit_id = unit_names.unit_id and compliance.period_id = unit_names.period_id
left join filer_names
    on compliance.unit_id = filer_names.unit_id and compliance.period_id = filer_names.period_id
left join code_labels as levels
    on levels.vocabulary = 'unit_level' and compliance.unit_level = levels.code
left join code_labels as statuses
    on statuses.vocabulary = 'reporting_status' and compliance.reporting_status = statuses.code
where compliance.reporting_status in ('late', 'missing')
order by
    compliance.period_id,
    status,
    case compliance.unit_level when 'province' then 1 when 'district' then 2 else 3 end,
    compliance.unit_id
