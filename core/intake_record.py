"""What the nightly loader made of each submission file, for the portal: a small file the night
writes, so that no reader ever opens the build database.

The build database has one writer, the nightly run, and no reader: a reader holding it, even
read-only, makes the next night's write fail on DuckDB's lock. After each load the night writes
``<data home>/state/file_loads.json`` (private, atomically replaced) from ``audit.file_loads``;
the portal reads that file, and the published warehouse for everything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import duckdb

from core.private_files import write_private

RECORD_VERSION = 1


@dataclass(frozen=True)
class FileLoad:
    """How the nightly loader took one file (a row of ``audit.file_loads``)."""

    sha256: str
    source_file: str
    status: str  # accepted | partial | rejected | duplicate
    unit_code: str | None
    period_id: str | None
    rows_loaded: int
    n_errors: int
    arrival_seq: int
    loaded_at: str


def record_path(home: Path) -> Path:
    return home / "state" / "file_loads.json"


def write_record(con: duckdb.DuckDBPyConnection, home: Path) -> Path:
    """Write the record of every file the loader took, from the build database ``con``."""
    rows = con.execute(
        "select sha256, source_file, status, unit_code, period_id, rows_loaded, n_errors, "
        "arrival_seq, cast(loaded_at as varchar) from audit.file_loads "
        "order by arrival_seq, loaded_at"
    ).fetchall()
    names = [f.name for f in fields(FileLoad)]
    # a plain dict per row: ``asdict`` deep-copies every value (ten times the time)
    loads = [dict(zip(names, row, strict=True)) for row in rows]
    text = json.dumps({"version": RECORD_VERSION, "file_loads": loads}, ensure_ascii=False)
    return write_private(record_path(home), text)


def read_record(home: Path) -> list[FileLoad]:
    """The files of the last record, in arrival order (none before the first night)."""
    path = record_path(home)
    if not path.is_file():
        return []
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [FileLoad(**row) for row in data.get("file_loads", [])]
