"""The incremental facts grown night by night equal a full refresh of the same inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from core.settings import Settings
from ingest.demo.generate import generate_demo
from pipeline.dbt_runner import run_dbt
from pipeline.nightly import step_ingest

INCREMENTAL_MODELS = ("intermediate.int_staff_members_enriched", "marts.fct_staffing")
# only what the incremental models need: no tests, no docs, so the three builds stay quick
SELECT = ("--select", "+fct_staffing", "--exclude-resource-type", "test", "unit_test")


def _tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            name: con.execute(f"select * from {name} order by all").fetchall()
            for name in INCREMENTAL_MODELS
        }


def test_incremental_build_equals_full_refresh(data_home: Settings, tmp_path: Path) -> None:
    inbox = data_home.inbox_submissions
    # two periods of the departments, with the demo's messy files: each period has a file
    # that a corrected one supersedes
    files = generate_demo(
        inbox,
        data_home.home / "demo" / "manifest.json",
        periods=("2024-H1", "2024-H2"),
        levels=("province",),
        mess_share=0.2,
        workers=1,  # no process pool inside the test process
    ).files
    superseded = next(
        f for f in files if f["period_id"] == "2024-H1" and f["expected_status"] == "superseded"
    )
    correction = next(
        f
        for f in files
        if (f["unit_id"], f["period_id"]) == (superseded["unit_id"], superseded["period_id"])
        and f["expected_status"] in ("accepted", "partial")
    )
    # night 1: the first half-year without its correction; night 2: the rest
    later = [f for f in files if f["period_id"] == "2024-H2" or f is correction]
    held_back = tmp_path / "held_back"
    for f in later:
        target = held_back / str(f["file"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(inbox / str(f["file"]), target)

    step_ingest(data_home, "night-1")
    run_dbt(data_home, "build", *SELECT)
    first_night = _tables(data_home)
    shutil.copytree(held_back, inbox, dirs_exist_ok=True)
    step_ingest(data_home, "night-2")
    run_dbt(data_home, "build", *SELECT)
    incremental = _tables(data_home)
    run_dbt(data_home, "build", *SELECT, "--full-refresh")
    full_refresh = _tables(data_home)

    assert incremental == full_refresh
    assert len(incremental["marts.fct_staffing"]) > len(first_night["marts.fct_staffing"])
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        n_staff = con.execute(
            "select n_staff from marts.fct_staffing where unit_id = ? and period_id = ?",
            [superseded["unit_id"], superseded["period_id"]],
        ).fetchone()
    assert n_staff == (correction["n_staff"],), "the correction must supersede the first file"
    assert superseded["n_staff"] != correction["n_staff"]
