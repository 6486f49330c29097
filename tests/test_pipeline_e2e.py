"""End to end: generated workbooks → a real ``dag.test()`` run → the published warehouse.

The first night is the session's ``first_night`` (tests/conftest.py): the province's and its
districts' workbooks of two periods and one of a unit in no registry, run through the real DAG.
Expected counts are computed in the test from the same generated files (the manifest the
generator writes), never copied by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.demo_night import UNKNOWN_UNIT_FILE, FirstNight, copy_home

pytestmark = pytest.mark.slow


def _run_dag(dag_bag: Any) -> Any:
    dag = dag_bag.dags["dx_nightly"]
    return dag.test()


def test_nightly_dag_end_to_end(first_night: FirstNight) -> None:
    data_home = first_night.settings
    manifest_path = data_home.home / "demo" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert {f["period_id"] for f in manifest["files"]} == {"2023", "2024-H1"}

    assert first_night.state == "success"
    expected: Counter[tuple[str, str, str]] = Counter()
    for entry in manifest["files"]:
        for key in ("n_staff", "n_dedicated", "n_concurrent"):
            expected[(entry["unit_id"], entry["period_id"], key)] = entry[key]
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        rows = con.execute(
            "select unit_id, period_id, n_staff, n_dedicated, n_concurrent from marts.fct_staffing"
        ).fetchall()
    found: Counter[tuple[str, str, str]] = Counter()
    for unit_id, period_id, n_staff, n_dedicated, n_concurrent in rows:
        found[(unit_id, period_id, "n_staff")] = n_staff
        found[(unit_id, period_id, "n_dedicated")] = n_dedicated
        found[(unit_id, period_id, "n_concurrent")] = n_concurrent
    assert len(rows) == len(manifest["files"])
    assert found == expected

    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        quarantined = con.execute(
            "select source_file, error_codes from quarantine.files"
        ).fetchall()
        statuses = dict(
            con.execute("select status, count(*) from audit.file_loads group by status").fetchall()
        )
        reconciled = con.execute(
            "select count(*) from audit.file_loads "
            "where rows_read <> rows_loaded + rows_quarantined"
        ).fetchone()
    assert quarantined == [(UNKNOWN_UNIT_FILE, "UNIT_UNKNOWN")]
    assert statuses == {"accepted": len(manifest["files"]), "rejected": 1}
    assert reconciled == (0,)


def test_second_run_changes_nothing(
    first_night: FirstNight, dag_bag: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second night after the session's first one (copied)."""
    monkeypatch.setenv("DXWH_TASK_RETRIES", "0")
    assert first_night.state == "success"
    data_home = copy_home(first_night.settings, tmp_path / "home", monkeypatch)
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        first = con.execute("select * from marts.fct_staffing order by all").fetchall()

    second = _run_dag(dag_bag)

    assert str(second.state) == "success"
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        again = con.execute("select * from marts.fct_staffing order by all").fetchall()
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        loads = con.execute("select count(*) from audit.file_loads").fetchone()
    assert again == first
    assert loads == (len(list(data_home.inbox_submissions.rglob("*.xlsx"))),)
