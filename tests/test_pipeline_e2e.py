"""End to end: generated workbooks → a real ``dag.test()`` run → the published warehouse.

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

from core.settings import Settings
from ingest.demo.generate import generate_demo
from ingest.demo.workbook import write_submission_xlsx

pytestmark = pytest.mark.slow


def _bad_file(inbox: Path) -> Path:
    """A workbook whose unit code is in no registry: the file must be quarantined."""
    path = inbox / "bad" / "unknown_unit.xlsx"
    write_submission_xlsx(
        path,
        {
            "unit_code": "99999",
            "unit_name": "UBND xã Không Tồn Tại",
            "unit_type": "UBND cấp xã",
            "period": "2023",
            "has_dx_focal_point": "Có",
        },
        [
            {
                "full_name": "Nguyễn Văn An",
                "birth_year": 1990,
                "assignment": "Chuyên trách",
                "education_level": "Đại học",
            }
        ],
    )
    return path


def _run_dag(dag_bag: Any) -> Any:
    dag = dag_bag.dags["dx_nightly"]
    return dag.test()


def test_nightly_dag_end_to_end(data_home: Settings, dag_bag: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("DXWH_TASK_RETRIES", "0")
    manifest_path = data_home.home / "demo" / "manifest.json"
    generate_demo(
        data_home.inbox_submissions,
        manifest_path,
        seed=7,
        periods=("2023", "2024-H1"),
        levels=("province", "district"),
    )
    bad = _bad_file(data_home.inbox_submissions)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    dag_run = _run_dag(dag_bag)

    assert str(dag_run.state) == "success"
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
    assert quarantined == [(str(bad.relative_to(data_home.inbox_submissions)), "UNIT_UNKNOWN")]
    assert statuses == {"accepted": len(manifest["files"]), "rejected": 1}
    assert reconciled == (0,)


def test_second_run_changes_nothing(data_home: Settings, dag_bag: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("DXWH_TASK_RETRIES", "0")
    generate_demo(
        data_home.inbox_submissions,
        data_home.home / "m.json",
        seed=3,
        periods=("2023",),
        levels=("province", "district"),
    )
    assert str(_run_dag(dag_bag).state) == "success"
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
