"""A lost build database comes back from the archive alone: `dxwh rebuild-landing`."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from core.settings import Settings
from pipeline.cli import main as dxwh

# Columns that name the run (batch, clock) rather than the data.
_VOLATILE = {"loaded_at", "batch_id", "quarantined_at", "started_at", "finished_at"}
_TABLES = (
    "raw.submissions",
    "raw.staff_rows",
    "raw.dti_publications",
    "raw.dti_scores",
    "quarantine.files",
    "quarantine.rows",
    "audit.file_loads",
    "audit.problems",
)


def _landing(build_db: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        out = {}
        for table in _TABLES:
            schema, name = table.split(".")
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, name],
                ).fetchall()
                if c not in _VOLATILE
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"select {select} from {table} order by all").fetchall()
        return out


def test_landing_tables_come_back_from_the_archive(data_home: Settings) -> None:
    assert dxwh(["demo-data", "--seed", "3"]) == 0
    assert dxwh(["ingest"]) == 0
    before = _landing(data_home.build_db)
    assert before["raw.submissions"] and before["quarantine.files"] and before["raw.dti_scores"]

    # the inbox is gone too: only the archive is left
    shutil.rmtree(data_home.inbox_submissions)
    shutil.rmtree(data_home.inbox_dti)
    assert dxwh(["rebuild-landing", "--fresh"]) == 0

    assert _landing(data_home.build_db) == before
    assert list(data_home.build_db.parent.glob("*.damaged-*")), "the old database is kept"

    # running it again lands nothing twice
    assert dxwh(["rebuild-landing"]) == 0
    assert _landing(data_home.build_db) == before
