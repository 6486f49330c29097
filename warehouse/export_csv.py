"""CSV exports of the published marts, for tools that take files rather than a database."""

from __future__ import annotations

from pathlib import Path

from core.db import session
from core.private_files import make_readable
from core.settings import Settings


def export_dir(settings: Settings) -> Path:
    return settings.home / "exports" / "csv"


def export_marts_csv(settings: Settings) -> dict[str, int]:
    """Write every table of the published warehouse's ``marts`` to ``exports/csv/<table>.csv``.

    Reads the published file read-only (never the build database) and replaces each CSV
    atomically; returns rows written per table.
    """
    target = export_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with session(settings.published_db, read_only=True) as con:
        tables = [
            str(t)
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        for table in tables:
            final = target / f"{table}.csv"
            tmp = final.with_name(f".{final.name}.tmp")
            con.execute(f"copy marts.\"{table}\" to '{tmp}' (header, delimiter ',')")
            tmp.replace(final)
            row = con.execute(f'select count(*) from marts."{table}"').fetchone()
            counts[table] = int(row[0]) if row else 0
    make_readable(target.parent)  # exports are for readers, like the published warehouse
    return counts
