"""The marts answer the plan's questions on the demo data; expectations come from the inputs
(the demo manifest, the plan-target seed, the published DTI facts), never from literals."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict

import duckdb
import pytest

from core.periods import period_end_date
from core.reporting_calendar import load_calendar
from core.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings
from ingest.registry import build_registry
from tests.demo_night import DEMO_AS_OF

STATUSES = {"achieved", "on_track", "at_risk", "missed", "not_measurable", "in_progress"}
# two-level local government and 34 provinces (NQ 202/2025/QH15)
REFORM = dt.date(2025, 7, 1)
PERSONAL_COLUMNS = {"full_name", "birth_year", "prepared_by", "person_key"}
# the real published DTI figures the demo's DTI publications are written from
DTI_FACTS = REPO_ROOT / "ingest" / "dti" / "reference" / "dti_published_facts.csv"


def _manifest_current(settings: Settings) -> dict[tuple[str, str], dict[str, object]]:
    """The file that counts for each unit and period, as the demo generator describes it."""
    manifest = json.loads((settings.home / "demo" / "manifest.json").read_text("utf-8"))
    return {
        (str(entry["unit_id"]), str(entry["period_id"])): entry
        for entry in manifest["files"]
        if entry["expected_status"] in ("accepted", "partial")
    }


def _published(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.published_db), read_only=True)


def test_scorecard_staffing_matches_the_submitted_files(demo_warehouse: Settings) -> None:
    units = build_registry()
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (unit_id, period_id), entry in _manifest_current(demo_warehouse).items():
        # unit codes outlive the 2025 reorganisation: the province is the one of the period
        province = next(
            u.province_code
            for u in units
            if u.unit_id == unit_id and u.is_active(period_end_date(period_id))
        )
        sums = expected[(province, period_id)]
        for i, key in enumerate(("n_staff", "n_dedicated", "n_concurrent")):
            sums[i] += int(entry[key])  # type: ignore[call-overload]
    with _published(demo_warehouse) as con:
        rows = con.execute(
            "select province_id, period_id, n_staff, n_dedicated, n_concurrent "
            "from marts.fct_province_scorecard"
        ).fetchall()
    found = {(p, period): [s, d, c] for p, period, s, d, c in rows}
    # a period no file has reached yet (2026-H2, in progress) has a row of zeros
    assert found == {key: expected.get(key, [0, 0, 0]) for key in found}
    assert set(expected) <= set(found)


def test_people_with_an_unknown_field_still_count(demo_warehouse: Settings) -> None:
    """A person with an impossible value counts in n_staff; the value is counted unknown."""
    current = _manifest_current(demo_warehouse)
    with _published(demo_warehouse) as con:
        rows = con.execute(
            "select unit_id, period_id, n_staff, n_unknown_birth_year from marts.fct_staffing"
        ).fetchall()
    staffing = {(u, p): (n, unknown) for u, p, n, unknown in rows}
    expected = {
        key: (int(entry["n_staff"]), int(entry["n_unknown"].get("birth_year", 0)))  # type: ignore[union-attr, attr-defined]
        for key, entry in current.items()
    }
    assert staffing == expected
    assert sum(unknown for _, unknown in expected.values()) > 0, "the demo has such people"
    page = (demo_warehouse.home / "reports" / "scorecard" / "index.html").read_text("utf-8")
    assert "Số người có thông tin chưa biết" in page


def test_every_target_has_a_status_for_every_period(demo_warehouse: Settings) -> None:
    with (DBT_PROJECT_DIR / "seeds" / "plan_targets.csv").open(encoding="utf-8") as handle:
        target_ids = {row["target_id"] for row in csv.DictReader(handle)}
    # the scopes: every province with units expected to report in a period of the calendar
    # (the registry), the period in progress included
    units = build_registry()
    scopes = {
        (period.period_id, f"province:{u.province_code}")
        for period in load_calendar().begun(DEMO_AS_OF)
        for u in units
        if u.is_active(period.end_date)
    }
    # and the same units restated on the province each became in the 2025 reorganisation
    with _published(demo_warehouse) as con:
        successor = dict(
            con.execute(
                "select legacy_province_id, province_id from marts.dim_province_crosswalk"
            ).fetchall()
        )
    scopes |= {
        (
            period,
            "successor:"
            + (successor[scope[9:]] if period_end_date(period) < REFORM else scope[9:]),
        )
        for period, scope in scopes
    }
    with _published(demo_warehouse) as con:
        rows = con.execute(
            "select target_id, period_id, scope, status from marts.fct_target_progress"
        ).fetchall()
    found = {(t, p, s) for t, p, s, _ in rows}
    assert found == {(t, p, scope) for t in target_ids for p, scope in scopes}
    assert len(found) == len(rows)
    assert {status for *_, status in rows} <= STATUSES


def test_unit_level_targets_count_every_unit_expected_to_report(
    demo_warehouse: Settings,
) -> None:
    with _published(demo_warehouse) as con:
        rows = con.execute(
            """
            select
                progress.period_id,
                progress.actual_value,
                (select count(*) from marts.fct_reporting_compliance as c
                 where c.period_id = progress.period_id
                   and c.province_id = progress.province_id) as n_expected,
                (select count(*) from marts.fct_reporting_compliance as c
                 where c.period_id = progress.period_id
                   and c.province_id = progress.province_id and c.is_submitted) as n_submitted,
                (select count(*) from marts.fct_staffing as s
                 inner join marts.fct_reporting_compliance as c
                     on s.unit_id = c.unit_id and s.period_id = c.period_id
                 where s.period_id = progress.period_id
                   and s.province_id = progress.province_id and s.has_dx_focal_point) as n_focal
            from marts.fct_target_progress as progress
            inner join marts.dim_period as periods
                on progress.period_id = periods.period_id
            where
                progress.target_id = 'T2025_FOCAL_POINT'
                and not periods.is_in_progress
                and not progress.is_restated
            """
        ).fetchall()
    assert rows
    for period, actual, n_expected, n_submitted, n_focal in rows:
        # the denominator is every unit expected, not only those that submitted
        assert n_expected >= n_submitted > 0, period
        assert actual == pytest.approx(n_focal / n_expected), period


def test_compliance_marks_exactly_the_submitted_units(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        submitted = set(
            con.execute(
                "select unit_id, period_id from marts.fct_reporting_compliance where is_submitted"
            ).fetchall()
        )
        late_but_on_time = con.execute(
            "select count(*) from marts.fct_reporting_compliance "
            "where is_on_time and first_submitted_date > deadline_date"
        ).fetchone()
    # a unit with no reporting duty (Hoàng Sa) is not in compliance, whatever it sent
    no_duty = {u.unit_id for u in build_registry() if not u.has_reporting_duty}
    sent = {key for key in _manifest_current(demo_warehouse) if key[0] not in no_duty}
    assert submitted == sent
    assert late_but_on_time == (0,)


def test_periods_are_the_calendars_not_the_files(demo_warehouse: Settings) -> None:
    """Finding: rejected unknown-unit files for 1999, 2019 and 2099-H1 created those periods
    (2022's previous period became 2019; 108 units "missing" for 2099-H1)."""
    calendar = load_calendar()
    with _published(demo_warehouse) as con:
        periods = con.execute(
            "select period_id, previous_period_id, deadline_date, is_in_progress "
            "from marts.dim_period order by end_date"
        ).fetchall()
        compliance_periods = {
            p
            for (p,) in con.execute(
                "select distinct period_id from marts.fct_reporting_compliance"
            ).fetchall()
        }
    begun = calendar.begun(DEMO_AS_OF)
    assert [p for p, *_ in periods] == [p.period_id for p in begun]
    assert periods[0][1] is None  # 2022 is the calendar's first period
    assert [(d, i) for _, _, d, i in periods] == [
        (p.deadline_date, p.is_in_progress(DEMO_AS_OF)) for p in begun
    ]
    assert not compliance_periods - {p.period_id for p in begun}


def test_an_in_progress_period_has_no_late_or_missing_unit(demo_warehouse: Settings) -> None:
    """Finding: the in-progress 2026-H2 showed 107 units red "Chưa nộp" weeks before its
    deadline; before the deadline a unit without a report is not yet due."""
    (in_progress,) = load_calendar().in_progress(DEMO_AS_OF)
    with _published(demo_warehouse) as con:
        statuses = dict(
            con.execute(
                "select reporting_status, count(*) from marts.fct_reporting_compliance "
                "where period_id = ? group by all",
                [in_progress.period_id],
            ).fetchall()
        )
        listed = con.execute(
            "select count(*) from analyst.late_or_missing_reports where period_id = ?",
            [in_progress.period_id],
        ).fetchone()
        by_level = con.execute(
            "select sum(n_missing), sum(n_late), sum(n_not_yet_due) "
            "from analyst.reporting_compliance_by_level where period_id = ?",
            [in_progress.period_id],
        ).fetchone()
    assert set(statuses) <= {"on_time", "not_yet_due"} and statuses.get("not_yet_due", 0) > 0
    assert listed == (0,)
    assert by_level == (0, 0, statuses["not_yet_due"])


def test_no_personal_data_reaches_the_published_marts(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        columns = {
            r[0]
            for r in con.execute("select column_name from information_schema.columns").fetchall()
        }
    assert columns
    assert not columns & PERSONAL_COLUMNS


def test_the_pipeline_writes_the_dbt_docs_site(demo_warehouse: Settings) -> None:
    docs = demo_warehouse.docs_dir / "dbt"
    for name in ("index.html", "catalog.json", "manifest.json"):
        assert (docs / name).stat().st_size > 0, name
    catalog = json.loads((docs / "catalog.json").read_text("utf-8"))
    assert "model.dxwh.fct_staffing" in catalog["nodes"]
    manifest = json.loads((docs / "manifest.json").read_text("utf-8"))
    node = manifest["nodes"]["model.dxwh.fct_staffing"]
    assert node["columns"]["n_dedicated"]["meta"]["label_vi"]


def _facts() -> list[dict[str, str]]:
    with DTI_FACTS.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["status"] == "published"]


def test_quang_nam_dti_ranks_are_the_published_ones(demo_warehouse: Settings) -> None:
    expected = {
        int(r["year"]): int(r["rank"])
        for r in _facts()
        if r["province_name"] == "Quảng Nam" and r["basis"] == "63" and r["rank"]
    }
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        found = dict(
            con.execute(
                "select year, rank from marts.fct_dti_scores "
                "where basis = 63 and province_id = '49' and component = 'dti'"
            ).fetchall()
        )
    assert expected and {year: found.get(year) for year in expected} == expected


def test_new_da_nang_2024_recomputed_equals_the_published_value(
    demo_warehouse: Settings,
) -> None:
    published = next(
        float(r["dti"])
        for r in _facts()
        if r["year"] == "2024" and r["basis"] == "34" and "Đà Nẵng" in r["province_name"]
    )
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        row = con.execute(
            "select score, recomputed_score, is_recomputed, n_provinces_averaged "
            "from marts.fct_dti_scores "
            "where year = 2024 and basis = 34 and province_id = '48' and component = 'dti'"
        ).fetchone()
    assert row is not None
    score, recomputed, is_recomputed, n_averaged = row
    assert score == published
    assert not is_recomputed
    assert n_averaged == 2
    assert round(recomputed, 4) == published


def test_merged_provinces_get_recomputed_values_where_none_was_published(
    demo_warehouse: Settings,
) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        crosswalk = dict(
            con.execute(
                "select legacy_province_id, province_id from marts.dim_province_crosswalk"
            ).fetchall()
        )
        legacy = con.execute(
            "select year, province_id, score from marts.fct_dti_scores "
            "where basis = 63 and component = 'dti' and score is not null"
        ).fetchall()
        derived = {
            (year, province): score
            for year, province, score in con.execute(
                "select year, province_id, score from marts.fct_dti_scores "
                "where basis = 34 and component = 'dti' and is_recomputed"
            ).fetchall()
        }
    values: dict[tuple[int, str], list[float]] = defaultdict(list)
    for year, province, score in legacy:
        values[(year, crosswalk[province])].append(score)
    members: dict[str, int] = defaultdict(int)
    for new in crosswalk.values():
        members[new] += 1
    expected = {
        key: sum(scores) / len(scores)
        for key, scores in values.items()
        if len(scores) == members[key[1]]
    }
    assert derived
    assert derived.keys() <= expected.keys()
    for key, score in derived.items():
        assert score == pytest.approx(expected[key], abs=1e-6), key


def test_dti_formula_residual_is_within_the_published_rounding(
    demo_warehouse: Settings,
) -> None:
    with (DBT_PROJECT_DIR / "seeds" / "dti_methodologies.csv").open(encoding="utf-8") as handle:
        seeds = {int(r["year"]): r for r in csv.DictReader(handle)}
    complete = [
        r for r in _facts() if r["nhan_thuc_so"] and seeds[int(r["year"])]["w_nhan_thuc_so"]
    ]
    assert complete
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        residuals = {
            (year, name): residual
            for year, name, residual in con.execute(
                "select s.year, s.province_name_printed, f.formula_residual "
                "from marts.fct_dti_scores as f join raw.dti_scores as s "
                "on f.publication_id = s.publication_id and f.province_id = s.province_id "
                "where f.component = 'dti' and f.formula_residual is not null"
            ).fetchall()
        }
    for row in complete:
        year = int(row["year"])
        weighted = sum(
            float(seeds[year][f"w_{index}"]) * float(row[index])
            for index in (k[2:] for k in seeds[year] if k.startswith("w_"))
        )
        residual = residuals[(year, row["province_name"])]
        assert residual == pytest.approx(float(row["dti"]) - weighted, abs=1e-6)
        assert abs(residual) <= 0.0001


def test_the_scorecard_shows_the_dti_of_the_period_year(demo_warehouse: Settings) -> None:
    ranks = {
        int(r["year"]): int(r["rank"])
        for r in _facts()
        if r["province_name"] == "Quảng Nam" and r["basis"] == "63" and r["rank"]
    }
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        rows = con.execute(
            "select period_id, dti_rank, n_staff, n_units_expected "
            "from marts.fct_province_scorecard where province_id = '49'"
        ).fetchall()
    assert rows
    for period, rank, n_staff, n_expected in rows:
        assert rank == ranks.get(int(period[:4])), period
        assert n_expected > 0 and n_staff > 0, period


def test_marts_carry_bilingual_comments(demo_warehouse: Settings) -> None:
    # what the dbt docs say, as dbt wrote them into the manifest: label_vi and description
    manifest = json.loads((demo_warehouse.docs_dir / "dbt" / "manifest.json").read_text("utf-8"))
    documented = {
        (node["alias"], name): f"{column['meta']['label_vi']} — {column['description'].strip()}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
        for name, column in node["columns"].items()
    }
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        comments = {
            (table, column): comment
            for table, column, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where schema_name = 'marts'"
            ).fetchall()
        }
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        )

    assert comments and comments == documented
    assert all(comment and " — " in comment for comment in tables.values()), tables
    assert tables["fct_province_scorecard"].startswith("Bảng tổng hợp của tỉnh theo kỳ — ")


def test_only_printed_dti_values_are_published(demo_warehouse: Settings) -> None:
    years_on_34 = {int(r["year"]) for r in _facts() if r["basis"] == "34"}
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        printed = set(
            con.execute("select distinct year, basis, province_id from raw.dti_scores").fetchall()
        )
        rows = con.execute(
            "select year, basis, province_id, component, value_source, is_published "
            "from marts.fct_dti_scores"
        ).fetchall()

    estimates = [r for r in rows if r[4] == "warehouse_estimate"]
    for year, basis, province, _component, source, is_published in rows:
        assert is_published == (source == "published")
        # published means a loaded publication printed the province's row for that year
        assert is_published == ((year, basis, province) in printed), (year, basis, province)
    # a 34-basis value for a year the ministry published no 34-basis table for is an estimate
    assert any(r[0] not in years_on_34 for r in estimates)
    assert all(r[4] == "warehouse_estimate" for r in rows if r[1] == 34 and r[0] not in years_on_34)
    # the ministry's averaging rule covers the DTI and its main indices, never the pillars
    assert not {r[3] for r in estimates} & {"chinh_quyen_so", "kinh_te_so", "xa_hoi_so"}


def test_dti_provinces_are_named_as_they_were_that_year(demo_warehouse: Settings) -> None:
    with (DBT_PROJECT_DIR / "seeds" / "province_names.csv").open(encoding="utf-8") as handle:
        history = list(csv.DictReader(handle))

    def name_at_year_end(basis: int, province: str, year: int) -> str | None:
        year_end = f"{year}-12-31"
        for row in history:
            if (int(row["basis"]), row["province_id"]) == (basis, province) and (
                (row["valid_from"] or "0000") <= year_end <= (row["valid_to"] or "9999")
            ):
                return row["province_name"]
        return None

    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        huế = con.execute(
            "select year, basis, province_name from marts.fct_dti_scores "
            "where province_id = '46' and component = 'dti' order by year, basis"
        ).fetchall()

    on_63 = [(year, name) for year, basis, name in huế if basis == 63]
    assert on_63, "the demo publishes Huế's 63-basis DTI (2021, 2022)"
    for year, name in on_63:
        assert name == name_at_year_end(63, "46", year)
        assert name == "Tỉnh Thừa Thiên Huế"  # until 2024 (NQ 175/2024/QH15: city from 2025)
    assert all(name == "Thành phố Huế" for _, basis, name in huế if basis == 34)


def _progress(con: duckdb.DuckDBPyConnection, target: str, scope: str) -> dict[str, dict]:
    cursor = con.execute(
        "select * from marts.fct_target_progress where target_id = ? and scope = ?",
        [target, scope],
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["period_id"]: row for row in rows}


def _staffing_sum(
    con: duckdb.DuckDBPyConnection, column: str, period: str, levels: tuple[str, ...]
) -> float:
    """A sum over the units of fct_staffing whose province is, or became, Đà Nẵng (48) and
    that have a reporting duty (Hoàng Sa has none: it is left out of targets)."""
    (total,) = con.execute(
        f"""
        select coalesce(sum(staffing.{column}), 0)
        from marts.fct_staffing as staffing
        inner join marts.dim_period as periods on staffing.period_id = periods.period_id
        inner join marts.dim_unit as units
            on staffing.unit_id = units.unit_id
            and periods.end_date between units.valid_from
                and coalesce(units.valid_to, date '9999-12-31')
            and units.has_reporting_duty
        left join marts.dim_province_crosswalk as crosswalk
            on periods.province_basis = 63
            and staffing.province_id = crosswalk.legacy_province_id
        where staffing.period_id = ? and staffing.unit_level in ?
            and coalesce(crosswalk.province_id, staffing.province_id) = '48'
        """,
        [period, list(levels)],
    ).fetchone() or (None,)
    return float(total)


def test_nothing_to_project_is_never_at_risk(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        at_risk_blind = con.execute(
            "select count(*) from marts.fct_target_progress "
            "where status = 'at_risk' and trajectory_value is null"
        ).fetchone()
        # the merged city as it was has no baseline of its own: below 100 % with no line
        network = _progress(con, "T2030_NETWORK", "province:48")["2025-H2"]
    assert at_risk_blind == (0,)
    assert network["is_met"] is False and network["trajectory_value"] is None
    assert network["status"] == "not_measurable"


def test_the_verdict_at_the_deadline_stands_after_it(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        focal = _progress(con, "T2025_FOCAL_POINT", "successor:48")
        no_cut = _progress(con, "T2025_NO_DOWNSIZING", "successor:48")
    at_deadline = focal["2025-H2"]
    assert at_deadline["verdict_period_id"] == "2025-H2"
    assert at_deadline["verdict_value"] == at_deadline["actual_value"]
    assert at_deadline["verdict_status"] == ("achieved" if at_deadline["is_met"] else "missed")
    after = focal["2026-H1"]
    assert after["status"] == at_deadline["verdict_status"]  # a later value does not undo it
    assert after["status_after_deadline"] == ("met" if after["is_met"] else "not_met")
    # a target judged every period has no deadline and no verdict
    assert {row["deadline_date"] for row in no_cut.values()} == {None}
    assert {row["verdict_status"] for row in no_cut.values()} == {None}


def test_dedicated_staff_follow_the_structure_of_each_period(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        dedicated = _progress(con, "T2025_DEDICATED_STAFF", "successor:48")
        after = _staffing_sum(con, "n_dedicated", "2025-H2", ("province", "commune"))
        communes = _staffing_sum(con, "n_dedicated", "2025-H2", ("commune",))
        baseline = _staffing_sum(con, "n_dedicated", "2023", ("province", "district"))
    assert communes > 0  # no district level after 01/07/2025: communes count instead
    assert dedicated["2025-H2"]["actual_value"] == after
    # the 2023 baseline restated: every predecessor's province and district dedicated staff
    assert dedicated["2025-H2"]["threshold_value"] == baseline
    assert dedicated["2025-H2"]["is_met"] == (after >= baseline)


def test_no_downsizing_compares_like_for_like_across_the_merger(
    demo_warehouse: Settings,
) -> None:
    levels = ("province", "district", "commune")
    with _published(demo_warehouse) as con:
        no_cut = _progress(con, "T2025_NO_DOWNSIZING", "successor:48")
        before = _staffing_sum(con, "n_staff", "2025-H1", levels)
        after = _staffing_sum(con, "n_staff", "2025-H2", levels)
    row = no_cut["2025-H2"]
    assert (row["threshold_value"], row["actual_value"]) == (before, after)
    assert row["status"] == ("achieved" if after >= before else "missed")


def test_the_scorecard_states_the_2025_verdicts(demo_warehouse: Settings) -> None:
    html = (demo_warehouse.reports_dir / "scorecard" / "index.html").read_text("utf-8")
    targets = html[html.index('id="targets"') : html.index('id="earlier-targets"')]
    with _published(demo_warehouse) as con:
        verdicts = con.execute(
            "select distinct target_id from marts.fct_target_progress "
            "where is_restated and verdict_status is not null and deadline_date = '2025-12-31'"
        ).fetchall()
    assert len(verdicts) == 4  # the four 2025 targets with a deadline
    assert targets.count("tại 31/12/2025") == len(verdicts)
    assert "cấp huyện" not in targets
