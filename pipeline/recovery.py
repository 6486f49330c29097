"""Rebuild the landing tables (raw, quarantine, audit) from the archive alone.

For a build database that was lost or corrupted: the archive keeps every file ever received with
its original name, arrival order and unit/period (``archive/index.jsonl``), so the landing
tables can be laid again without the inbox. dbt rebuilds everything above them from there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from core.db import ensure_landing_tables, session
from core.settings import Settings


def set_aside(build_db: Path) -> Path | None:
    """Move a damaged build database (and its WAL) out of the way; returns where it went."""
    if not build_db.exists():
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = build_db.with_name(f"{build_db.name}.damaged-{stamp}")
    build_db.rename(aside)
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    return aside


def rebuild_landing(settings: Settings, batch_id: str, *, fresh: bool = False) -> dict[str, Any]:
    """Land every archived submission and DTI file the build database lacks.

    With ``fresh`` the current build database is first set aside (kept, renamed), so the
    landing tables are rebuilt from nothing. Safe to run twice: files already recorded are
    left alone.
    """
    from ingest.dti.load import rebuild_dti_from_archive
    from ingest.registry import build_registry
    from ingest.submissions.load import rebuild_from_archive, refresh_registry

    settings.ensure_dirs()
    aside = set_aside(settings.build_db) if fresh else None
    units = build_registry(settings.registry_scope)
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        refresh_registry(con, units)
        submissions = rebuild_from_archive(
            con, settings, units, batch_id, workers=settings.ingest_workers
        )
        dti = rebuild_dti_from_archive(con, settings, f"{batch_id}-dti")
    return {
        "set_aside": str(aside) if aside else None,
        "submission_files": len(submissions.outcomes),
        "submission_rows": submissions.rows_loaded,
        "dti_files": len(dti.outcomes),
        "dti_rows": dti.rows_loaded,
    }
