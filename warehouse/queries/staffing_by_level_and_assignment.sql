-- Staffing by level and assignment: per reporting period and unit level (province departments,
-- district and commune People's Committees), the IT/CĐS staff of the units that reported,
-- dedicated (chuyên trách) and concurrent (kiêm nhiệm), with qualifications, training, CĐS
-- network membership and platform access. unit_level_vi names the level as the scorecard does.
select
    staffing.period_id,
    staffing.unit_level,
    levels.label_vi as unit_level_vi,
    count(*) as n_units_reporting,
    cast(sum(staffing.n_staff) as bigint) as n_staff,
    cast(sum(staffing.n_dedicated) as bigint) as n_dedicated,
    cast(sum(staffing.n_concurrent) as bigint) as n_concurrent,
    cast(sum(staffing.n_it_degree_university_plus) as bigint) as n_it_degree_university_plus,
    cast(sum(staffing.n_trained) as bigint) as n_trained,
    cast(sum(staffing.n_dx_network_members) as bigint) as n_dx_network_members,
    cast(sum(staffing.n_platform_access) as bigint) as n_platform_access,
    count(*) filter (where staffing.has_dx_focal_point) as n_units_with_focal_point
from marts.fct_staffing as staffing
left join reference.code_labels as levels
    on levels.vocabulary = 'unit_level' and staffing.unit_level = levels.code
group by staffing.period_id, staffing.unit_level, levels.label_vi
order by
    staffing.period_id,
    case staffing.unit_level when 'province' then 1 when 'district' then 2 else 3 end
