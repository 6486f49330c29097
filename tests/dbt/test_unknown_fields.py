"""Unknown is not zero: an optional field that is NULL in raw (the clerk's file had no such
column) stays unknown in the marts, while a 0 or a "Không" stays 0."""

from __future__ import annotations

import duckdb

from core.settings import Settings
from ingest.demo.generate import generate_demo
from pipeline.dbt_runner import run_dbt
from pipeline.nightly import step_ingest

PERIOD = "2024-H1"
PROVINCE = "49"  # the demo also holds legacy Đà Nẵng's departments: one province is judged
# the marts the rule reaches and what they need; their tests run in every full build
SELECT = ("--select", "+fct_province_scorecard", "--exclude-resource-type", "test", "unit_test")


def _submissions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "select distinct submissions.sha256, submissions.unit_code "
        "from raw.submissions as submissions "
        "inner join raw.staff_rows as staff on submissions.sha256 = staff.sha256 "
        f"where submissions.unit_code like '{PROVINCE}-%' "
        "order by submissions.unit_code"
    ).fetchall()
    return [(str(sha), str(unit)) for sha, unit in rows]


def test_unknown_fields_stay_unknown_in_the_marts(data_home: Settings) -> None:
    generate_demo(
        data_home.inbox_submissions,
        data_home.home / "demo" / "manifest.json",
        periods=(PERIOD,),
        levels=("province",),
        workers=1,  # no process pool inside the test process
    )
    step_ingest(data_home, "night-1")
    # what ingest writes for a file without those columns: no unit said anything about
    # trainings; one unit's file had no network column; another said "Không" to both
    with duckdb.connect(str(data_home.build_db)) as con:
        (no_network, no_network_unit), (said_no, said_no_unit), *_ = _submissions(con)
        con.execute("update raw.staff_rows set trainings_in_period = null")
        con.execute(
            "update raw.staff_rows set dx_network_member = null where sha256 = ?", [no_network]
        )
        con.execute(
            "update raw.staff_rows set dx_network_member = false, platform_access = false "
            "where sha256 = ?",
            [said_no],
        )
        n_units_submitted = con.execute(
            "select count(distinct unit_code) from raw.submissions where unit_code like ?",
            [f"{PROVINCE}-%"],
        ).fetchone()

    run_dbt(data_home, "build", *SELECT)

    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        staffing = {
            unit: (n_staff, n_trained, n_network, n_access)
            for unit, n_staff, n_trained, n_network, n_access in con.execute(
                "select unit_id, n_staff, n_trained, n_dx_network_members, n_platform_access "
                "from marts.fct_staffing where period_id = ? and province_id = ?",
                [PERIOD, PROVINCE],
            ).fetchall()
        }
        targets = {
            target: (actual, n_not_measurable, status, is_met)
            for target, actual, n_not_measurable, status, is_met in con.execute(
                "select target_id, actual_value, n_units_not_measurable, status, is_met "
                "from marts.fct_target_progress "
                "where period_id = ? and province_id = ? and not is_restated",
                [PERIOD, PROVINCE],
            ).fetchall()
        }
        scorecard = con.execute(
            "select n_staff, n_trained, n_dx_network_members from marts.fct_province_scorecard "
            "where period_id = ? and province_id = ?",
            [PERIOD, PROVINCE],
        ).fetchall()

    assert all(n_trained is None for _, n_trained, _, _ in staffing.values())
    assert staffing[no_network_unit][2] is None
    assert staffing[said_no_unit][2:] == (0, 0)
    assert all(n_staff > 0 for n_staff, *_ in staffing.values())
    # no unit can be measured for training: no value, not 0%
    assert targets["T2030_ANNUAL_TRAINING"][:3] == (None, n_units_submitted[0], "not_measurable")
    # one unit cannot be measured for the network; the others still are, and the value is
    # judged against the threshold (with no baseline period there is no trend to judge)
    actual, n_not_measurable, _status, is_met = targets["T2030_NETWORK"]
    assert (n_not_measurable, is_met is not None) == (1, True)
    assert actual is not None
    assert targets["T2025_FOCAL_POINT"][1] == 0
    assert len(scorecard) == 1
    n_staff, n_trained, n_network = scorecard[0]
    assert n_staff == sum(s for s, *_ in staffing.values())
    assert (n_trained, n_network) == (None, None)
