"""End to end: a critical data defect closes the gate and the published warehouse stays put.

Starts from a copy of the session's demo data home (already run once through the real DAG),
adds one new submission, plants a defect dbt cannot see (staging drops birth years, which are
personal data) but GX can (a person born 10 years before the period), runs the real DAG with
``dag.test()``, then removes the defect and runs again.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.demo.generate import person_rows
from ingest.demo.workbook import write_submission_xlsx
from warehouse.settings import Settings, load_settings

pytestmark = pytest.mark.slow

NEW_PERIOD = "2025-H1"
BROKEN_RULE = "birth year ≤ year of the period − 16"


def _copy_home(source: Settings, target: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    shutil.copytree(source.home, target, ignore=shutil.ignore_patterns("airflow"))
    monkeypatch.setenv("DXWH_HOME", str(target))
    return load_settings()


def _new_submission(settings: Settings) -> None:
    """Tam Kỳ (district 502) reports a period the demo data does not have."""
    write_submission_xlsx(
        settings.inbox_submissions / NEW_PERIOD / f"502_{NEW_PERIOD}.xlsx",
        {
            "unit_code": "502",
            "unit_name": "UBND thành phố Tam Kỳ",
            "unit_type": "UBND cấp huyện",
            "period": NEW_PERIOD,
            "has_dx_focal_point": "Có",
            "submitted_on": "05/07/2025",
        },
        person_rows(random.Random(1), 2, 1, NEW_PERIOD),
    )


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


def _published_periods(settings: Settings) -> set[str]:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        rows = con.execute("select distinct period_id from marts.fct_staffing").fetchall()
    return {str(r[0]) for r in rows}


def _task_states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_critical_defect_keeps_the_published_warehouse_then_a_clean_run_publishes(
    demo_warehouse: Settings, dag_bag: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXWH_TASK_RETRIES", "0")
    settings = _copy_home(demo_warehouse, tmp_path / "home", monkeypatch)
    published_before = settings.published_db.read_bytes()
    assert NEW_PERIOD not in _published_periods(settings)
    _new_submission(settings)
    key = _plant_child_worker(settings)
    dag = dag_bag.dags["dx_nightly"]

    gated = dag.test()

    states = _task_states(gated)
    assert str(gated.state) == "failed"
    assert states["dbt_build"] == "success"  # dbt's tests do not see it: GX does
    assert states["validate"] == "failed"
    assert states["publish"] == "upstream_failed"
    assert settings.published_db.read_bytes() == published_before
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        failed = con.execute(
            "select suite, severity, unexpected_count from audit.dq_results "
            "where run_id = ? and not success",
            [gated.run_id],
        ).fetchall()
        run = con.execute(
            "select status, summary->>'$.validate.gate' from audit.pipeline_runs where run_id = ?",
            [gated.run_id],
        ).fetchall()
        built_periods = con.execute("select distinct period_id from marts.fct_staffing").fetchall()
    assert ("raw.staff_rows", "critical", 1) in failed
    assert run == [("gate_closed", "closed")]
    assert (NEW_PERIOD,) in built_periods  # built tonight, yet not published

    _restore(settings, *key)
    clean = dag.test()

    assert str(clean.state) == "success"
    assert settings.published_db.read_bytes() != published_before
    assert NEW_PERIOD in _published_periods(settings)
    assert (settings.docs_dir / "gx" / "index.html").is_file()
