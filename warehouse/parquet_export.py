"""Parquet exports of every published table, with a manifest describing them.

Tools that do not speak DuckDB (pandas, Spark, Power Query, R) read these files; the manifest
says what each file holds so a reader can check it got the whole table.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

MANIFEST_NAME = "manifest.json"


def export_parquet(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    out_dir: Path,
    *,
    version: str,
    published_at: dt.datetime,
) -> dict[str, Any]:
    """Write ``<schema>.<table>.parquet`` for each table and ``manifest.json``; return it.

    Each file is read back and its row count compared with the table's, so a truncated export
    fails the publish instead of reaching readers.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    for name in tables:
        schema, table = name.split(".")
        quoted = f'{schema}."{table}"'
        file = out_dir / f"{name}.parquet"
        con.execute(f"copy (select * from {quoted}) to '{file}' (format parquet)")
        columns = [
            {"name": str(col), "type": str(typ)}
            for col, typ in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
        rows = _count(con, f"select count(*) from {quoted}")
        exported = _count(con, f"select count(*) from read_parquet('{file}')")
        if exported != rows:
            raise RuntimeError(f"Parquet export of {name} has {exported} rows, expected {rows}")
        entries.append({"table": name, "file": file.name, "rows": rows, "columns": columns})
    manifest = {
        "version": version,
        "published_at": published_at.isoformat(),
        "tables": entries,
    }
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
