"""Parquet exports of every published table and analyst view, with a manifest describing them.

Tools that do not speak DuckDB (pandas, Spark, Power Query, R) read these files; the manifest
says what each file holds so a reader can check it got the whole table, and carries the
published file's table and column comments (the dbt documentation, Vietnamese and English) so
the files are as well described as the database. Each file carries the same descriptions in
its own key-value metadata (``dxwh:description``, and ``dxwh:columns`` as JSON), so a file
copied away alone stays described.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

MANIFEST_NAME = "manifest.json"
# Each Parquet file's key-value metadata: the relation's comment, and each column's as JSON
DESCRIPTION_KEY = "dxwh:description"
COLUMNS_KEY = "dxwh:columns"


def export_parquet(
    con: duckdb.DuckDBPyConnection,
    relations: list[str],
    out_dir: Path,
    *,
    version: str,
    published_at: dt.datetime,
) -> dict[str, Any]:
    """Write ``<schema>.<name>.parquet`` for each table or view and ``manifest.json``; return it.

    Each file is read back and its row count compared with the relation's, so a truncated
    export fails the publish instead of reaching readers. Each manifest entry says whether it
    was a table or a view and carries its description and its columns' descriptions (``null``
    where the published file has no comment).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    comments = _relation_comments(con)
    entries: list[dict[str, Any]] = []
    for name in relations:
        schema, table = name.split(".")
        quoted = f'{schema}."{table}"'
        file = out_dir / f"{name}.parquet"
        columns = [
            {"name": str(col), "type": str(typ), "description": comment}
            for col, typ, comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
        ]
        kind, description = comments.get(name, ("table", None))
        metadata = {
            DESCRIPTION_KEY: description or "",
            COLUMNS_KEY: json.dumps(
                {c["name"]: c["description"] for c in columns}, ensure_ascii=False
            ),
        }
        con.execute(
            f"copy (select * from {quoted}) to '{file}' "
            f"(format parquet, kv_metadata {_struct(metadata)})"
        )
        rows = _count(con, f"select count(*) from {quoted}")
        exported = _count(con, f"select count(*) from read_parquet('{file}')")
        if exported != rows:
            raise RuntimeError(f"Parquet export of {name} has {exported} rows, expected {rows}")
        entries.append(
            {
                "table": name,
                "kind": kind,
                "description": description,
                "file": file.name,
                "rows": rows,
                "columns": columns,
            }
        )
    manifest = {
        "version": version,
        "published_at": published_at.isoformat(),
        "tables": entries,
    }
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _relation_comments(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """``schema.name`` -> (``table`` or ``view``, its comment) for the open database."""
    rows = con.execute(
        "select schema_name || '.' || table_name, 'table', comment from duckdb_tables() "
        "where database_name = current_database() "
        "union all select schema_name || '.' || view_name, 'view', comment from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()
    return {str(name): (str(kind), comment) for name, kind, comment in rows}


def _struct(values: dict[str, str]) -> str:
    """A DuckDB struct literal of string values (for ``kv_metadata``)."""
    quoted = (f"'{k}': '{v.replace(chr(39), chr(39) * 2)}'" for k, v in values.items())
    return "{" + ", ".join(quoted) + "}"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
