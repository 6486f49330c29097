"""``dxwh status``: where things are and how the last runs went."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

from core.db import session
from core.locks import holder
from core.settings import Settings
from warehouse.published_versions import current_version, list_versions


def _count_files(inbox: Path) -> int:
    return sum(1 for p in inbox.rglob("*") if p.is_file()) if inbox.exists() else 0


def _feedback_line(settings: Settings) -> str:
    index = settings.feedback_dir / "index.html"
    if not index.is_file():
        return f"feedback:         {settings.feedback_dir} (no feedback written yet)"
    pages = sum(1 for p in settings.feedback_dir.rglob("*.html") if p != index)
    return f"feedback:         {index} ({pages} pages for the units)"


def _gate_lines(rows: list[tuple[Any, ...]]) -> list[str]:
    """The quality gate as the last night that ran the expectations left it."""
    for run_id, finished, _state, summary in rows:
        validate = json.loads(summary).get("validate") or {}
        if "gate" not in validate:
            continue
        when = f"{finished:%Y-%m-%d %H:%M}"
        if validate["gate"] == "closed":
            return [
                f"quality gate:     CLOSED since {when} ({run_id}): publishing is blocked",
                *(f"  CRITICAL: {c}" for c in validate.get("critical_failures", [])),
            ]
        return [
            f"quality gate:     open ({when}, {validate.get('expectations_passed', 0)} of "
            f"{validate.get('expectations_total', 0)} expectations passed, "
            f"{len(validate.get('warnings', []))} warnings)"
        ]
    return ["quality gate:     no expectations run yet"]


def status_lines(settings: Settings, last: int = 5) -> list[str]:
    lines = [
        f"data home:        {settings.home}",
        f"submissions inbox: {settings.inbox_submissions} "
        f"({_count_files(settings.inbox_submissions)} files)",
        f"DTI inbox:        {settings.inbox_dti} ({_count_files(settings.inbox_dti)} files)",
        _feedback_line(settings),
        f"build database:   {settings.build_db}"
        + ("" if settings.build_db.exists() else " (not built yet)"),
    ]
    published = settings.published_db
    if published.exists():
        when = dt.datetime.fromtimestamp(published.stat().st_mtime, dt.UTC)
        lines.append(f"published:        {published} (replaced {when:%Y-%m-%d %H:%M} UTC)")
        kept = list_versions(settings.published_dir)
        lines.append(
            f"published version: {current_version(settings.published_dir) or '-'} "
            f"({len(kept)} kept for rollback)"
        )
    else:
        lines.append(f"published:        {published} (nothing published yet)")
    scorecard = settings.reports_dir / "scorecard" / "index.html"
    if scorecard.exists():
        lines.append(f"scorecard:        {scorecard}")
    if not settings.build_db.exists():
        return lines
    night = holder(settings.night_lock)
    if night is not None:  # a reader of the build database could make the night's write fail
        lines.append(f"a night is running ({night}): its runs and files show once it ends")
        return lines
    try:
        return lines + _build_lines(settings, last)
    except duckdb.IOException:  # a scheduled night's task holds the build database
        lines.append("the build database is being written by a night: try again once it ends")
        return lines


def _build_lines(settings: Settings, last: int) -> list[str]:
    lines: list[str] = []
    with session(settings.build_db, read_only=True) as con:
        has_runs = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'pipeline_runs'"
        ).fetchone()
        if has_runs and has_runs[0]:
            rows = con.execute(
                "select run_id, finished_at, status, summary from audit.pipeline_runs "
                "order by finished_at desc"
            ).fetchall()
            lines.extend(_gate_lines(rows))
            lines.append("last runs:")
            for run_id, finished, state, summary in rows[:last]:
                parts = json.loads(summary)
                ingest = parts.get("ingest", {})
                if parts.get("failed_tasks") is not None:  # a night that stopped on a task
                    failed = ", ".join(parts["failed_tasks"][:5]) or "-"
                    more = len(parts["failed_tasks"]) - 5
                    lines.append(
                        f"  {finished:%Y-%m-%d %H:%M} {state:8} {run_id}: failed tasks: {failed}"
                        + (f" and {more} more" if more > 0 else "")
                    )
                    continue
                lines.append(
                    f"  {finished:%Y-%m-%d %H:%M} {state:8} {run_id}: "
                    f"{ingest.get('files_new', 0)} new files, {ingest.get('rows_loaded', 0)} rows"
                )
        totals = (
            con.execute(
                "select status, count(*) from audit.file_loads group by status order by status"
            ).fetchall()
            if _has_table(con, "audit", "file_loads")
            else []
        )
        if totals:
            lines.append("files so far: " + ", ".join(f"{s} {n}" for s, n in totals))
    return lines


def _has_table(con: object, schema: str, table: str) -> bool:
    row = con.execute(  # type: ignore[attr-defined]
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])
