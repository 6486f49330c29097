"""Re-process one reporting period: the operator's backfill.

The warehouse is rebuilt from ``raw`` every night, so "backfilling" a past period means loading
that period's submission files again with today's code and registry: after a parser or contract
fix, after a registry correction that makes a rejected file acceptable, or after a damaged load.

:func:`forget_period` removes every trace of the period's files (found in ``audit.file_loads``)
from ``raw``, ``quarantine`` and ``audit`` in one transaction, and puts back into the inbox any of
them that is no longer there (from the content-addressed archive, so nothing is lost). The
nightly ingest that follows then reads them as new files, and dbt rebuilds every mart. Files of
other periods, and files whose period could not be read, are not touched.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from core.db import ensure_landing_tables, session
from core.periods import is_period_id
from core.settings import Settings

LANDING_SCHEMAS = ("raw", "quarantine", "audit")


class UnknownPeriod(ValueError):
    """The period is malformed or no file of it was ever loaded."""


def check_period_id(period_id: str) -> str:
    period_id = period_id.strip().upper()
    if not is_period_id(period_id):
        raise UnknownPeriod(
            f"reprocess_period {period_id!r} is not a period id: use a year ('2023') "
            "or a half-year ('2024-H1', '2024-H2')"
        )
    return period_id


def check_reprocessable(settings: Settings, period_id: str) -> str:
    """The period id, checked before a night starts: well formed and loaded at least once
    (:class:`UnknownPeriod` otherwise, said in one line; nothing is retried)."""
    period_id = check_period_id(period_id)
    if not settings.build_db.is_file():
        raise UnknownPeriod(f"no file of period {period_id} was ever loaded; periods loaded: none")
    with session(settings.build_db, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'file_loads'"
        ).fetchone()
        known = (
            [
                str(p)
                for (p,) in con.execute(
                    "select distinct upper(period_id) from audit.file_loads "
                    "where period_id is not null order by 1"
                ).fetchall()
            ]
            if found and found[0]
            else []
        )
    if period_id not in known:
        raise UnknownPeriod(
            f"no file of period {period_id} was ever loaded; periods loaded: "
            f"{', '.join(known) or 'none'}"
        )
    return period_id


def _tables_with_sha(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Landing tables keyed by file (a ``sha256`` column), whatever tables exist today."""
    placeholders = ",".join("?" for _ in LANDING_SCHEMAS)
    rows = con.execute(
        "select table_schema, table_name from information_schema.columns "
        f"where column_name = 'sha256' and table_schema in ({placeholders}) "
        "and table_catalog = current_database() order by 1, 2",
        list(LANDING_SCHEMAS),
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def forget_period(settings: Settings, period_id: str) -> dict[str, Any]:
    """Make the period's files look new to the next ingest; return what was done."""
    period_id = check_period_id(period_id)
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        files = con.execute(
            "select source_file, sha256, archived_path, arrival_seq, loaded_at "
            "from audit.file_loads where sha256 in "
            "(select sha256 from audit.file_loads where upper(period_id) = ?) "
            "order by arrival_seq",
            [period_id],
        ).fetchall()
        if not files:
            known = [
                str(p)
                for (p,) in con.execute(
                    "select distinct period_id from audit.file_loads "
                    "where period_id is not null order by 1"
                ).fetchall()
            ]
            raise UnknownPeriod(
                f"no file of period {period_id} was ever loaded; periods loaded: "
                f"{', '.join(known) or 'none'}"
            )
        shas = sorted({str(sha) for _, sha, *_ in files})
        restored = [
            _restore(settings, str(source), Path(str(archived)), loaded_at, int(seq))
            for source, _, archived, seq, loaded_at in files
        ]
        deleted: dict[str, int] = {}
        marks = ",".join("?" for _ in shas)
        con.execute("begin")
        try:
            for schema, table in _tables_with_sha(con):
                row = con.execute(
                    f'delete from {schema}."{table}" where sha256 in ({marks})', shas
                ).fetchone()
                deleted[f"{schema}.{table}"] = int(row[0]) if row else 0
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return {
        "period_id": period_id,
        "files": sorted({str(source) for source, *_ in files}),
        "restored_to_inbox": [r for r in restored if r],
        "rows_forgotten": deleted,
    }


def _restore(
    settings: Settings, source: str, archived: Path, loaded_at: dt.datetime, seq: int
) -> str | None:
    """Copy an archived file back to its inbox path if it is gone; return the path if copied."""
    target = settings.inbox_submissions / source
    if target.exists():
        return None
    if not archived.is_file():
        raise FileNotFoundError(
            f"{source}: neither in the inbox nor in the archive ({archived}); "
            "put the file back into the inbox to re-process it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archived, target)
    # ingest reads files in modification-time order: keep the period's original arrival order
    stamp = int(loaded_at.timestamp() * 1e9) + seq
    os.utime(target, ns=(stamp, stamp))
    return str(target)
