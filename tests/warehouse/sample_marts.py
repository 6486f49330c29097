"""A tiny build database with the marts' public columns, for tests of the serving layer.

The real marts are exercised by the tests that use the session's demo warehouse; this sample
keeps the report and view tests fast and lets them assert on exact, hand-checked figures.
"""

from __future__ import annotations

from core.db import session
from core.settings import Settings

SAMPLE_SQL = """
create schema if not exists marts;
create schema if not exists raw;
create schema if not exists seeds;

create or replace table marts.dim_period as select *, false as is_in_progress from (values
    ('2023', date '2023-01-01', date '2023-12-31', date '2024-01-15', 63),
    ('2024-H1', date '2024-01-01', date '2024-06-30', date '2024-07-15', 63),
    ('2025-H2', date '2025-07-01', date '2025-12-31', date '2026-01-15', 34)
) t(period_id, start_date, end_date, deadline_date, province_basis);

-- the 2025 reorganisation: Quảng Nam's units report for the new Đà Nẵng from 2025-H2
create or replace table marts.dim_unit as select * from (values
    ('49-STTTT', 'Sở Thông tin và Truyền thông', 'province', '49', date '2020-01-01',
     date '2025-06-30', 'Tỉnh Quảng Nam', true, null),
    ('502', 'UBND thành phố Tam Kỳ', 'district', '49', date '2020-01-01', date '2025-06-30',
     'Tỉnh Quảng Nam', true, null),
    ('20341', 'UBND phường An Mỹ', 'commune', '49', date '2020-01-01', date '2025-06-30',
     'Tỉnh Quảng Nam', true, null),
    ('20342', 'UBND xã Cũ', 'commune', '49', date '2020-01-01', date '2023-12-31',
     'Tỉnh Quảng Nam', true, null),
    ('20342', 'UBND xã Mới', 'commune', '49', date '2024-01-01', date '2025-06-30',
     'Tỉnh Quảng Nam', true, null),
    ('48-SKHCN', 'Sở Khoa học và Công nghệ', 'province', '48', date '2025-07-01', null::date,
     'Thành phố Đà Nẵng', true, null),
    ('20341', 'UBND phường Bàn Thạch', 'commune', '48', date '2025-07-01', null::date,
     'Thành phố Đà Nẵng', true, null),
    ('20342', 'UBND xã Tam Anh', 'commune', '48', date '2025-07-01', null::date,
     'Thành phố Đà Nẵng', true, null),
    ('20333', 'UBND Đặc khu Hoàng Sa', 'commune', '48', date '2025-07-01', null::date,
     'Thành phố Đà Nẵng', false, 'không có dân cư')
) t(unit_id, unit_name, unit_level, province_id, valid_from, valid_to, province_name,
    has_reporting_duty, no_duty_reason);

-- Phường Bàn Thạch reuses An Mỹ's code: a new unit version, linked to its predecessors
create or replace table marts.dim_unit_lineage as select * from (values
    ('20341:2020-01-01>20341:2025-07-01', '20341:2020-01-01', '20341', 'UBND phường An Mỹ',
     'commune', 'merged_into', date '2025-07-01', '20341:2025-07-01', '20341',
     'UBND phường Bàn Thạch', 'commune', true, 'NQ 1659/NQ-UBTVQH15 (16/6/2025)',
     'vietnamadminunits:converter_2025'),
    ('20342:2024-01-01>20341:2025-07-01', '20342:2024-01-01', '20342', 'UBND xã Mới',
     'commune', 'merged_into', date '2025-07-01', '20341:2025-07-01', '20341',
     'UBND phường Bàn Thạch', 'commune', true, 'NQ 1659/NQ-UBTVQH15 (16/6/2025)',
     'vietnamadminunits:converter_2025')
) t(lineage_id, predecessor_unit_version_id, predecessor_unit_id, predecessor_unit_name,
    predecessor_unit_level, event_kind, effective_date, successor_unit_version_id,
    successor_unit_id, successor_unit_name, successor_unit_level, is_filing_successor,
    resolution, source);

create or replace table marts.dim_province as select * from (values
    ('63:49', '49', 'Tỉnh Quảng Nam', 63, '48', 'Thành phố Đà Nẵng'),
    ('63:48', '48', 'Thành phố Đà Nẵng', 63, '48', 'Thành phố Đà Nẵng'),
    ('34:48', '48', 'Thành phố Đà Nẵng', 34, '48', 'Thành phố Đà Nẵng')
) t(province_key, province_id, province_name, basis, current_province_id,
    current_province_name);

create or replace table marts.dim_province_crosswalk as select * from (values
    ('49', 'Tỉnh Quảng Nam', '48', 'Thành phố Đà Nẵng', date '2025-07-01', 2, true),
    ('48', 'Thành phố Đà Nẵng', '48', 'Thành phố Đà Nẵng', date '2025-07-01', 2, true)
) t(legacy_province_id, legacy_province_name, province_id, province_name, effective_date,
    n_legacy_provinces, is_merged);

create or replace table marts.fct_staffing as select * from (values
    ('49-STTTT', '2023', 'province', '49', 10, 8, 2, 9, 7, 6, 6, true),
    ('502', '2023', 'district', '49', 5, 3, 2, 4, 5, 2, 1, true),
    ('20341', '2023', 'commune', '49', 2, 0, 2, 0, 1, 1, 1, false),
    ('49-STTTT', '2024-H1', 'province', '49', 11, 9, 2, 10, 11, 7, 7, true),
    ('502', '2024-H1', 'district', '49', 6, 4, 2, 5, 6, 2, 2, true),
    ('48-SKHCN', '2025-H2', 'province', '48', 12, 10, 2, 11, 12, 8, 8, true),
    ('20341', '2025-H2', 'commune', '48', 3, 1, 2, 1, 3, 2, 2, true)
) t(unit_id, period_id, unit_level, province_id, n_staff, n_dedicated, n_concurrent,
    n_it_degree_university_plus, n_trained, n_dx_network_members, n_platform_access,
    has_dx_focal_point);
alter table marts.fct_staffing add column n_unknown_birth_year bigint default 0;
alter table marts.fct_staffing add column n_unknown_gender bigint default 0;
alter table marts.fct_staffing add column n_unknown_assignment bigint default 0;
alter table marts.fct_staffing add column n_unknown_education_level bigint default 0;
alter table marts.fct_staffing add column n_unknown_field_of_study bigint default 0;
alter table marts.fct_staffing add column n_unknown_trainings bigint default 0;
alter table marts.fct_staffing add column n_unknown_dx_network_member bigint default 0;
alter table marts.fct_staffing add column n_unknown_incident_response_member bigint default 0;
alter table marts.fct_staffing add column n_unknown_platform_access bigint default 0;
-- a person of the latest period whose birth year and major the clerk's file left unknown
update marts.fct_staffing set n_unknown_birth_year = 1, n_unknown_field_of_study = 2
where unit_id = '20341' and period_id = '2025-H2';

create or replace table marts.fct_reporting_compliance as
select
    *,
    false as is_in_progress,
    unit_id as filing_unit_id,
    false as has_ceased_before_deadline,
    case
        when is_submitted and is_on_time then 'on_time' when is_submitted then 'late'
        else 'missing'
    end as reporting_status
from (values
    ('49-STTTT', '2023', 'province', '49', date '2024-01-15', true, date '2024-01-10', true, 0),
    ('502', '2023', 'district', '49', date '2024-01-15', true, date '2024-01-20', false, 1),
    ('20341', '2023', 'commune', '49', date '2024-01-15', true, date '2024-01-12', true, 0),
    ('20342', '2023', 'commune', '49', date '2024-01-15', false, null, false, 2),
    ('49-STTTT', '2024-H1', 'province', '49', date '2024-07-15', true, date '2024-07-01', true, 0),
    ('502', '2024-H1', 'district', '49', date '2024-07-15', true, date '2024-07-02', true, 0),
    ('20341', '2024-H1', 'commune', '49', date '2024-07-15', false, null, false, 0),
    ('20342', '2024-H1', 'commune', '49', date '2024-07-15', false, null, false, 0),
    ('48-SKHCN', '2025-H2', 'province', '48', date '2026-01-15', true, date '2026-01-10', true,
     0),
    ('20341', '2025-H2', 'commune', '48', date '2026-01-15', true, date '2026-01-14', true, 0),
    ('20342', '2025-H2', 'commune', '48', date '2026-01-15', false, null, false, 1)
) t(unit_id, period_id, unit_level, province_id, deadline_date, is_submitted,
    first_submitted_date, is_on_time, n_files_rejected);

create or replace table marts.fct_target_progress as select * from (values
    ('T2025_FOCAL_POINT', 'province:49', false, '49', '2023', 0.5, 1.0, false, 0.5,
     date '2025-12-31', 'on_track', null, null, null, null, '49', true, null, false),
    ('T2025_FOCAL_POINT', 'province:49', false, '49', '2024-H1', 0.5, 1.0, false, 0.5,
     date '2025-12-31', 'at_risk', null, null, null, null, '49', true, null, false),
    ('T2025_DEDICATED_STAFF', 'province:49', false, '49', '2024-H1', 13.0, 11.0, true, 0.0,
     date '2025-12-31', 'achieved', null, null, null, null, '49', true, true, false),
    ('T2025_PROMOTION', 'province:49', false, '49', '2024-H1', null, null, null, null,
     date '2025-12-31', 'not_measurable', null, null, null, null, '49', true, null, false),
    ('T2025_FOCAL_POINT', 'province:48', false, '48', '2025-H2', 0.6667, 1.0, false, 0.3333,
     date '2025-12-31', 'missed', 'missed', 0.6667, '2025-H2', null, '48', true, null, false),
    ('T2025_DEDICATED_STAFF', 'province:48', false, '48', '2025-H2', 10.0, null, null, null,
     date '2025-12-31', 'not_measurable', 'not_measurable', 10.0, '2025-H2', null, '48', true,
     null, false),
    ('T2025_FOCAL_POINT', 'successor:48', true, '48', '2024-H1', 0.5, 1.0, false, 0.5,
     date '2025-12-31', 'at_risk', 'missed', 0.6667, '2025-H2', null, '49', false, null, false),
    ('T2025_FOCAL_POINT', 'successor:48', true, '48', '2025-H2', 0.6667, 1.0, false, 0.3333,
     date '2025-12-31', 'missed', 'missed', 0.6667, '2025-H2', null, '48', true, null, false),
    ('T2025_DEDICATED_STAFF', 'successor:48', true, '48', '2025-H2', 10.0, 11.0, false, 1.0,
     date '2025-12-31', 'missed', 'missed', 10.0, '2025-H2', null, '48', true, false, false),
    ('T2025_PROMOTION', 'successor:48', true, '48', '2025-H2', null, null, null, null,
     date '2025-12-31', 'not_measurable', 'not_measurable', null, '2025-H2', null, '48', true,
     null, false)
) t(target_id, scope, is_restated, province_id, period_id, actual_value, threshold_value,
    is_met, gap, deadline_date, status, verdict_status, verdict_value, verdict_period_id,
    status_after_deadline, covered_province_ids, is_complete, is_threshold_complete,
    is_period_in_progress);
alter table marts.fct_target_progress add column baseline_value double;
alter table marts.fct_target_progress add column is_judged_each_period boolean default false;
alter table marts.fct_target_progress add column threshold_covered_province_ids varchar;
update marts.fct_target_progress set threshold_covered_province_ids = '49'
where scope = 'successor:48' and target_id = 'T2025_DEDICATED_STAFF';
alter table marts.fct_target_progress add column baseline_covered_province_ids varchar;
alter table marts.fct_target_progress add column is_baseline_complete boolean;

create or replace table marts.fct_dti_scores as select * from (values
    (2021, 63, '49', 'Quảng Nam', 'dti', 0.45, 25, 63, -1, false, 'dti_2021_2023', false),
    (2022, 63, '49', 'Quảng Nam', 'dti', 0.5808, 31, 63, -6, false, 'dti_2021_2023', false),
    (2022, 63, '48', 'TP. Đà Nẵng', 'dti', 0.8002, 1, 63, 0, false, 'dti_2021_2023', false),
    (2023, 63, '48', 'TP. Đà Nẵng', 'dti', 0.8420, 1, 63, 0, false, 'dti_2021_2023', false),
    (2024, 63, '49', 'Quảng Nam', 'dti', 0.5803, 57, 63, null, false, 'dti_2024', true),
    (2024, 34, '48', 'Thành phố Đà Nẵng', 'dti', 0.7069, 17, 34, null, false, 'dti_2024',
     true),
    -- no 34-basis table was published for 2022: the warehouse's own average, not a figure
    (2022, 34, '48', 'Thành phố Đà Nẵng', 'dti', 0.6905, null, null, null, true,
     'dti_2021_2023', false),
    (2022, 63, '49', 'Quảng Nam', 'the_che_so', 0.9, null, null, null, false,
     'dti_2021_2023', false)
) t(year, basis, province_id, province_name, component, score, rank, n_ranked, rank_change,
    is_recomputed, methodology, is_methodology_break);
alter table marts.fct_dti_scores add column is_published boolean;
alter table marts.fct_dti_scores add column value_source varchar;
alter table marts.fct_dti_scores add column n_provinces_averaged bigint;
update marts.fct_dti_scores set is_published = not is_recomputed,
    value_source = case when is_recomputed then 'warehouse_estimate' else 'published' end,
    n_provinces_averaged = case when is_recomputed then 2 end;
alter table marts.fct_dti_scores add column methodology_decision_ref varchar;
update marts.fct_dti_scores set methodology_decision_ref = case methodology
    when 'dti_2021_2023' then 'QĐ 922/QĐ-BTTTT' when 'dti_2024' then 'QĐ 405/QĐ-BKHCN' end;

create or replace table raw.dti_national_means as select * from (values
    (2021, 0.4014, 'dti.gov.vn'), (2022, 0.5791, 'dti.gov.vn'), (2024, 0.6961, 'dti.gov.vn')
) t(year, mean_dti, source);

create or replace table seeds.plan_targets as select * from (values
    ('T2025_FOCAL_POINT', '100% Sở, Ban, ngành, UBND cấp huyện, UBND cấp xã có đầu mối CĐS',
     'Every unit has a focal point', '100% Sở, Ban, ngành, UBND cấp xã có đầu mối CĐS',
     'Every department and commune has a focal point', 'share of units',
     'share_units_with_focal_point', 'at_least_value', 1.0, date '2025-12-31'),
    ('T2025_DEDICATED_STAFF', 'Kiện toàn, tăng cường nhân lực chuyên trách',
     'Dedicated staffing strengthened', null, null, 'dedicated headcount',
     'n_dedicated_province_and_next_level', 'at_least_baseline', null, date '2025-12-31'),
    ('T2025_PROMOTION', 'Tuyên truyền, phổ biến nền tảng số', 'Promote national platforms',
     null, null, 'not measurable', null, 'not_measurable', null, date '2025-12-31')
) t(target_id, target_vi, target_en, target_vi_two_level, target_en_two_level, metric_en,
    metric, threshold_rule, threshold_value, deadline_date);
alter table seeds.plan_targets add column scheme_ref varchar default 'QĐ 1690/QĐ-TTg';
alter table seeds.plan_targets add column scheme_date date default date '2023-12-26';
alter table seeds.plan_targets add column plan_ref varchar default 'KH 4660/KH-UBND';
alter table seeds.plan_targets add column plan_date date default date '2024-06-24';
alter table seeds.plan_targets add column baseline_period_id varchar default '2023';
alter table seeds.plan_targets add column scheme_source varchar default 'unknown';
alter table seeds.plan_targets add column plan_source varchar default 'unknown';

create or replace table marts.fct_target_projections (
    target_projection_id varchar, target_id varchar, scope varchar, metric varchar,
    is_restated boolean, province_id varchar, period_id varchar, actual_value double,
    is_met boolean, threshold_value double, deadline_date date, verdict_status varchar,
    verdict_value double, verdict_period_id varchar, is_share boolean, as_of_period_id varchar,
    as_of_value double, n_periods_used bigint, first_period_id varchar,
    months_per_period bigint, trend_per_period double, trend_value_as_of double,
    spread_value double,
    projected_value double, projected_low double, projected_high double,
    n_periods_remaining integer, gain_needed_per_period double, n_needed bigint,
    projection_status varchar, status_vi varchar
);
insert into marts.fct_target_projections by name select * from (values
    ('T2025_FOCAL_POINT|successor:48', 'T2025_FOCAL_POINT', 'successor:48',
     'share_units_with_focal_point', true, '48', '2025-H2', 0.6667, false, 1.0,
     date '2025-12-31', 'missed', 0.6667, '2025-H2', true, '2025-H2', 0.6667, 2, '2024-H1',
     'missed_at_deadline', 1,
     'Đã qua thời hạn 31/12/2025: không đạt (66,7%, kỳ 2025-H2), còn thiếu 1 đầu mối CĐS'),
    ('T2025_PROMOTION|successor:48', 'T2025_PROMOTION', 'successor:48', null, true, '48',
     '2025-H2', null, null, null, date '2025-12-31', 'not_measurable', null, '2025-H2', false,
     null, null, null, null, 'not_measurable', null, 'Không đo được từ báo cáo')
) t(target_projection_id, target_id, scope, metric, is_restated, province_id, period_id,
    actual_value, is_met, threshold_value, deadline_date, verdict_status, verdict_value,
    verdict_period_id, is_share, as_of_period_id, as_of_value, n_periods_used, first_period_id,
    projection_status, n_needed, status_vi);

create or replace table marts.fct_target_holdbacks as select * from (values
    ('T2025_FOCAL_POINT|successor:48|2025-H2|20342', 'T2025_FOCAL_POINT', 'successor:48',
     '2025-H2', '20342', 'UBND xã Tam Anh', 'commune', '48', 'did_not_submit',
     'Chưa nộp báo cáo kỳ này', 1::bigint, 0.0, 1.0, 2.0, 3.0, 0.3333, 1::bigint)
) t(target_holdback_id, target_id, scope, period_id, unit_id, unit_name, unit_level,
    unit_province_id, lack_reason, lack_vi, n_lacking, unit_numerator, unit_denominator,
    scope_numerator, scope_denominator, share_of_target_moved, holdback_rank);
"""


def build_sample_marts(settings: Settings) -> None:
    """Write the sample marts (and the reference tables) into the build database."""
    with session(settings.build_db) as con:
        con.execute(SAMPLE_SQL)
