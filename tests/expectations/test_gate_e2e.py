"""End to end: a critical data defect closes the gate and the published warehouse stays put.

Starts from a copy of the session's data home after its first night (``first_night``: two
periods of the province and its districts, already run once through the real DAG), adds a
corrected submission, plants a defect dbt cannot see (staging drops birth years, which are
personal data) but GX can (a person born 10 years before the period), runs the real DAG with
``dag.test()``, then removes the defect and runs again.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from ingest.demo.names import synthetic_name
from ingest.demo.workbook import write_submission_xlsx
from tests.demo_night import FirstNight, copy_home

pytestmark = pytest.mark.slow

BROKEN_RULE = "birth year ≤ year of the period − 16"
PERIOD = "2023"


def _published_staff(settings: Settings, unit_id: str) -> int:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        row = con.execute(
            "select n_staff from marts.fct_staffing where unit_id = ? and period_id = ?",
            [unit_id, PERIOD],
        ).fetchone()
    assert row is not None
    return int(row[0])


def _people(n: int) -> list[dict[str, object]]:
    rng = random.Random(n)
    rows: list[dict[str, object]] = []
    for i in range(n):
        name, gender = synthetic_name(rng)
        rows.append(
            {
                "row_no": i + 1,
                "full_name": name,
                "birth_year": 1985,
                "gender": gender,
                "assignment": "Chuyên trách" if i else "Kiêm nhiệm",
                "education_level": "Đại học",
                "field_of_study": "CNTT",
                "trainings_in_period": 1,
                "dx_network_member": "Có",
                "platform_access": "Có",
            }
        )
    return rows


def _send_correction(settings: Settings) -> tuple[str, int]:
    """A district sends a corrected 2023 file with three more people; return unit and staff."""
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        unit = con.execute(
            "select unit_code, unit_name, unit_type from raw.submissions "
            "where period_id = ? and unit_level = 'district' order by unit_code limit 1",
            [PERIOD],
        ).fetchone()
    assert unit is not None
    unit_id, unit_name, unit_type = unit
    n_staff = _published_staff(settings, unit_id) + 3
    write_submission_xlsx(
        settings.inbox_submissions / "corrections" / f"{unit_id}_{PERIOD}_v2.xlsx",
        {
            "unit_code": unit_id,
            "unit_name": unit_name,
            "unit_type": unit_type,
            "period": PERIOD,
            "has_dx_focal_point": "Có",
            # dated after every demo file of the period, so it supersedes them
            "submitted_on": "28/02/2024",
        },
        _people(n_staff),
    )
    return unit_id, n_staff


def _plant_child_worker(settings: Settings) -> tuple[str, int, int]:
    """Make one loaded person 10 years old in the period; return the row key and old value."""
    with duckdb.connect(str(settings.build_db)) as con:
        row = con.execute(
            "select s.sha256, s.row_number, s.birth_year, cast(left(u.period_id, 4) as integer) "
            "from raw.staff_rows s join raw.submissions u using (sha256) "
            "order by s.sha256, s.row_number limit 1"
        ).fetchone()
        assert row is not None
        sha256, row_number, birth_year, year = row
        con.execute(
            "update raw.staff_rows set birth_year = ? where sha256 = ? and row_number = ?",
            [year - 10, sha256, row_number],
        )
    return sha256, row_number, birth_year


def _restore(settings: Settings, sha256: str, row_number: int, birth_year: int) -> None:
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(
            "update raw.staff_rows set birth_year = ? where sha256 = ? and row_number = ?",
            [birth_year, sha256, row_number],
        )


def _task_states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_critical_defect_keeps_the_published_warehouse_then_a_clean_run_publishes(
    first_night: FirstNight, dag_bag: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXWH_TASK_RETRIES", "0")
    assert first_night.state == "success"
    settings = copy_home(first_night.settings, tmp_path / "home", monkeypatch)
    published_before = settings.published_db.read_bytes()
    unit_id, corrected_staff = _send_correction(settings)
    key = _plant_child_worker(settings)
    dag = dag_bag.dags["dx_nightly"]

    gated = dag.test()

    states = _task_states(gated)
    assert str(gated.state) == "failed"
    # dbt's tests do not see it: GX does
    assert states["transform.dbt_producer_watcher"] == "success"
    assert states["validate.expectations"] == "failed"
    assert states["publish.warehouse"] == "upstream_failed"
    assert settings.published_db.read_bytes() == published_before
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        failed = con.execute(
            "select suite, rule, severity, unexpected_count from audit.dq_results "
            "where run_id = ? and not success",
            [gated.run_id],
        ).fetchall()
        run = con.execute(
            "select status, summary->>'$.validate.gate' from audit.pipeline_runs where run_id = ?",
            [gated.run_id],
        ).fetchall()
        built = con.execute(
            "select n_staff from marts.fct_staffing where unit_id = ? and period_id = ?",
            [unit_id, PERIOD],
        ).fetchone()
    assert failed == [("raw.staff_rows", BROKEN_RULE, "critical", 1)]
    assert run == [("gate_closed", "closed")]
    assert built == (corrected_staff,)  # built tonight, yet not published

    _restore(settings, *key)
    clean = dag.test()

    assert str(clean.state) == "success"
    assert settings.published_db.read_bytes() != published_before
    assert _published_staff(settings, unit_id) == corrected_staff
    assert (settings.docs_dir / "gx" / "index.html").is_file()
