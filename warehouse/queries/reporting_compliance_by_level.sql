-- Reporting compliance by level: per period and unit level, how many units were expected to
-- report, how many submitted, on time, late or not at all, how many have not reported yet in a
-- period still in progress (not yet due), the files rejected, and the share of units on time.
-- unit_level_vi names the level as the scorecard does.
select
    compliance.period_id,
    compliance.unit_level,
    levels.label_vi as unit_level_vi,
    count(*) as n_units_expected,
    count(*) filter (where compliance.is_submitted) as n_submitted,
    count(*) filter (where compliance.is_submitted and compliance.is_on_time) as n_on_time,
    count(*) filter (where compliance.is_submitted and not compliance.is_on_time) as n_late,
    count(*) filter (where compliance.reporting_status = 'missing') as n_missing,
    count(*) filter (where compliance.reporting_status = 'not_yet_due') as n_not_yet_due,
    bool_or(compliance.is_in_progress) as is_in_progress,
    min(compliance.deadline_date) as deadline_date,
    cast(sum(compliance.n_files_rejected) as bigint) as n_files_rejected,
    round(
        count(*) filter (where compliance.is_submitted and compliance.is_on_time) / count(*), 4
    ) as share_on_time
from marts.fct_reporting_compliance as compliance
left join reference.code_labels as levels
    on levels.vocabulary = 'unit_level' and compliance.unit_level = levels.code
group by compliance.period_id, compliance.unit_level, levels.label_vi
order by
    compliance.period_id,
    case compliance.unit_level when 'province' then 1 when 'district' then 2 else 3 end
