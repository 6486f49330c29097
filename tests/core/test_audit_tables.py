"""The build database's own tables (landing and audit) are defined in one module, core.db, and
their DDL runs once: not again at every step of a night that writes them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

import core.db
from core.db import ensure_landing_tables, session
from core.settings import Settings
from pipeline.nightly import step_ingest, step_ingest_dti, step_record_run

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "ingest", "expectations", "warehouse", "pipeline", "dags", "portal")
DDL = re.compile(
    r"create\s+(or\s+replace\s+)?(table|schema)\s+(if\s+not\s+exists\s+)?(audit|raw|quarantine)\b",
    re.I,
)


def test_the_ddl_of_audit_and_landing_tables_lives_in_core_db_only() -> None:
    elsewhere = sorted(
        str(path.relative_to(REPO))
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if path != REPO / "core" / "db.py" and DDL.search(path.read_text(encoding="utf-8"))
    )
    assert elsewhere == []


def test_a_night_s_steps_run_the_ddl_once(
    data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    create = core.db.create_tables

    def counted(con: duckdb.DuckDBPyConnection) -> None:
        runs.append(1)
        create(con)

    monkeypatch.setattr(core.db, "create_tables", counted)

    step_ingest(data_home, batch_id="night-1")
    step_ingest_dti(data_home, batch_id="night-1")
    step_record_run(data_home, "night-1", {}, status="quiet")

    assert len(runs) == 1
    with session(data_home.build_db, read_only=True) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
    assert {"audit.pipeline_runs", "audit.dq_results", "audit.dq_row_counts"} <= tables
    assert {"audit.file_loads", "raw.staff_rows"} <= tables


def test_a_changed_definition_runs_again(
    data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session(data_home.build_db) as con:
        ensure_landing_tables(con)
        monkeypatch.setattr(core.db, "SCHEMA_MARK", "a-newer-release")
        ensure_landing_tables(con)
        assert core.db.schema_mark(con) == "a-newer-release"
