"""Publish the marts as a read-only snapshot for analysts and BI tools.

The published file is written beside its final place under a temporary name, verified, then
renamed into place (``os.replace`` is atomic on one filesystem): a reader never sees a
half-written file, and a reader holding the old file keeps reading it until it reconnects.
It is written in an older storage version so that BI drivers bundling DuckDB 1.1+ can open it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.db import session
from warehouse.settings import Settings

PUBLISHED_SCHEMAS = ("marts",)
STORAGE_VERSION = "v1.1.0"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: dt.datetime


def _tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]
) -> list[tuple[str, str]]:
    placeholders = ",".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({placeholders}) "
        "and table_type = 'BASE TABLE' order by 1, 2",
        [catalog, *schemas],
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def publish(settings: Settings) -> PublishResult:
    """Copy the marts of the build database into a new published file and swap it in."""
    target = settings.published_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{settings.build_db}' as build (read_only)")
        con.execute(f"attach '{tmp}' as pub (storage_version '{STORAGE_VERSION}')")
        tables = _tables(con, "build", PUBLISHED_SCHEMAS)
        if not tables:
            raise RuntimeError("nothing to publish: the build database has no marts yet")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")
        for schema, table in tables:
            con.execute(
                f'create table pub.{schema}."{table}" as select * from build.{schema}."{table}"'
            )
            row = con.execute(f'select count(*) from build.{schema}."{table}"').fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        con.execute("detach pub")
        con.execute("detach build")
    with session(tmp, read_only=True) as check:
        for name, expected in counts.items():
            schema, table = name.split(".")
            found = check.execute(f'select count(*) from {schema}."{table}"').fetchone()
            if found is None or found[0] != expected:
                raise RuntimeError(
                    f"published copy of {name} has {found} rows, expected {expected}"
                )
    os.replace(tmp, target)
    return PublishResult(path=target, tables=counts, published_at=dt.datetime.now(dt.UTC))
