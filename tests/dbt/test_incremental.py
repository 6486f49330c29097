"""The incremental facts grown night by night equal a full refresh of the same inputs."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import duckdb

from ingest.demo.generate import generate_demo, person_rows
from ingest.demo.workbook import write_submission_xlsx
from ingest.registry import build_registry
from warehouse.build import run_dbt
from warehouse.nightly import step_ingest
from warehouse.settings import Settings

INCREMENTAL_MODELS = ("intermediate.int_staff_members_enriched", "marts.fct_staffing")
# only what the incremental models need: no tests, no docs, so the three builds stay quick
SELECT = ("--select", "+fct_staffing", "--exclude-resource-type", "test", "unit_test")


def _tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            name: con.execute(f"select * from {name} order by all").fetchall()
            for name in INCREMENTAL_MODELS
        }


def _corrected_file(inbox: Path, unit_id: str, period_id: str) -> Path:
    """A later, corrected report of a unit: it supersedes the unit's first file."""
    unit = next(u for u in build_registry() if u.unit_id == unit_id)
    header = {
        "unit_code": unit.unit_id,
        "unit_name": unit.unit_name,
        "unit_type": unit.unit_type,
        "period": period_id,
        "has_dx_focal_point": "Có",
        "prepared_by": "Nguyễn Văn An",
        "submitted_on": (dt.date(2025, 1, 20)).strftime("%d/%m/%Y"),
    }
    path = inbox / "corrections" / f"{unit_id}_{period_id}_corrected.xlsx"
    write_submission_xlsx(path, header, person_rows(random.Random(7), 4, 3, period_id))
    return path


def test_incremental_build_equals_full_refresh(data_home: Settings, tmp_path: Path) -> None:
    inbox = data_home.inbox_submissions
    # two periods of the departments are enough to grow the facts and supersede a file
    files = generate_demo(
        inbox,
        data_home.home / "demo" / "manifest.json",
        periods=("2024-H1", "2024-H2"),
        levels=("province",),
    )
    held_back = tmp_path / "held_back"
    later = [f for f in files if f.period_id == max(f.period_id for f in files)]
    for f in later:
        target = held_back / f.path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(f.path, target)

    # night 1: the earlier periods; night 2: the last period and a correction of night 1's data
    step_ingest(data_home, "night-1")
    run_dbt(data_home, "build", *SELECT)
    first_night = _tables(data_home)
    shutil.copytree(held_back, inbox, dirs_exist_ok=True)
    corrected = next(f for f in files if f not in later)
    _corrected_file(inbox, corrected.unit_id, corrected.period_id)
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
            [corrected.unit_id, corrected.period_id],
        ).fetchone()
    assert n_staff == (7,), "the corrected file must supersede the first one"
