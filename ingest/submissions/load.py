"""Load the submissions inbox into ``raw``, ``quarantine`` and ``audit``, one file per transaction.

Nothing is lost: every file is archived by content hash before it is parsed; every data row ends
in ``raw.staff_rows`` or ``quarantine.rows``; ``audit.file_loads`` reconciles
rows read = rows loaded + rows quarantined for each file. A file whose bytes were already
loaded is recorded as a duplicate and skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from core.db import ensure_landing_tables
from core.settings import Settings
from core.vocabulary import TEMPLATE_VERSION
from ingest.landing import archive, sha256_of
from ingest.problems import Problem
from ingest.registry import ReportingUnit, registry_rows
from ingest.submissions.checks import CheckedSubmission, index_registry
from ingest.submissions.feedback import write_feedback, write_index
from ingest.submissions.parallel import check_files
from ingest.text import match_key

_IN_PROGRESS_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial"}


@dataclass
class FileOutcome:
    source_file: str
    sha256: str
    status: str  # accepted | partial | rejected | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: list[Problem] = field(default_factory=list)
    unit_code: str | None = None
    period_id: str | None = None


@dataclass
class BatchResult:
    batch_id: str
    files_seen: int
    outcomes: list[FileOutcome]
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(o.rows_read for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)


def person_key(key: str, unit_code: str, full_name: str, birth_year: object) -> str:
    """Keyed pseudonym of a person within a unit: the same person gets the same key each period."""
    message = f"{unit_code}|{match_key(full_name)}|{birth_year}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def inbox_files(inbox: Path) -> list[Path]:
    """Files of the inbox in arrival order (modification time, then name).

    Every file counts, whatever its type: a PDF sent by mistake is archived and answered with
    FILE_UNSUPPORTED_TYPE rather than ignored. Hidden files, Excel's "~$" lock files and
    files still being copied are left for later.
    """
    files = [
        p
        for p in inbox.rglob("*")
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and p.suffix.lower() not in _IN_PROGRESS_SUFFIXES
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def refresh_registry(con: duckdb.DuckDBPyConnection, units: list[ReportingUnit]) -> int:
    """Replace ``raw.reporting_units`` with the registry (a full snapshot each night)."""
    rows = registry_rows(units)
    con.execute("begin")
    con.execute("delete from raw.reporting_units")
    columns = (
        "unit_id", "unit_name", "unit_type", "unit_level", "province_code", "province_name",
        "parent_unit_id", "valid_from", "valid_to", "source",
    )  # fmt: skip
    _insert_rows(con, "raw.reporting_units", [[r[c] for c in columns] for r in rows])
    con.execute("commit")
    return len(rows)


def _insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]]
) -> None:
    """Insert ``rows`` (in the table's column order) as one DataFrame scan.

    DuckDB's ``executemany`` runs one statement per row and a long ``VALUES`` list binds every
    parameter: both are several times slower than handing DuckDB a DataFrame. ``object``
    columns keep ``None`` as NULL and integers as integers.
    """
    if not rows:
        return
    frame = pd.DataFrame([list(r) for r in rows], dtype=object)
    frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    con.from_df(frame).insert_into(table)


def _problem_rows(sha: str, source: str, problems: list[Problem]) -> list[tuple[object, ...]]:
    return [
        (
            sha,
            source,
            p.code,
            p.severity,
            p.scope,
            p.sheet,
            p.row,
            p.column,
            p.value,
            p.message("vi"),
            p.message("en"),
            p.fix("vi"),
            p.fix("en"),
        )
        for p in problems
    ]


def _write_file(
    con: duckdb.DuckDBPyConnection,
    checked: CheckedSubmission,
    *,
    sha: str,
    source: str,
    archived: Path,
    arrival_seq: int,
    batch_id: str,
    now: dt.datetime,
    settings: Settings,
) -> FileOutcome:
    """Write one checked file in the caller's transaction."""
    problems = checked.all_problems
    rows_read = len(checked.rows)
    unit = checked.unit
    if not checked.file_ok:
        errors = [p for p in checked.all_file_problems if p.is_error]
        con.execute(
            "insert into quarantine.files values (?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                source,
                ",".join(sorted({p.code for p in errors})),
                " | ".join(p.message("vi") for p in errors),
                " | ".join(p.message("en") for p in errors),
                batch_id,
                now,
            ],
        )
        bad_rows = checked.rows
        good_rows = []
        status = "rejected"
    else:
        good_rows = [r for r in checked.rows if r.ok]
        bad_rows = [r for r in checked.rows if not r.ok]
        status = "partial" if bad_rows else "accepted"
        con.execute(
            "insert into raw.submissions values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                unit["unit_code"],
                unit["unit_name"],
                unit["unit_type"],
                unit.get("unit_level"),
                unit["period_id"],
                unit["has_dx_focal_point"],
                unit["focal_point_decision_ref"],
                unit["community_teams"],
                unit["community_team_members"],
                unit["community_team_members_trained"],
                unit["prepared_by"],
                unit["submitted_on"],
                TEMPLATE_VERSION,
                source,
                checked.parsed.unit_sheet,
                arrival_seq,
                now,
                batch_id,
            ],
        )
        if good_rows:
            _insert_rows(
                con,
                "raw.staff_rows",
                [
                    [
                        sha,
                        checked.parsed.staff_sheet,
                        r.row_number,
                        r.record["row_no"],
                        person_key(
                            settings.pseudonym_key,
                            str(unit["unit_code"]),
                            str(r.record["full_name"]),
                            r.record["birth_year"],
                        ),
                        r.record["full_name"],
                        r.record["birth_year"],
                        r.record["gender"],
                        r.record["position_title"],
                        r.record["job_position"],
                        r.record["assignment"],
                        r.record["education_level"],
                        r.record["field_of_study"],
                        r.record["trainings_in_period"],
                        r.record["dx_network_member"],
                        r.record["incident_response_member"],
                        r.record["platform_access"],
                        r.record["note"],
                        json.dumps(r.extras, ensure_ascii=False) if r.extras else None,
                        source,
                        now,
                        batch_id,
                    ]
                    for r in good_rows
                ],
            )
    if bad_rows:
        _insert_rows(
            con,
            "quarantine.rows",
            [
                [
                    sha,
                    source,
                    checked.parsed.staff_sheet,
                    r.row_number,
                    json.dumps({**r.raw, **r.extras}, ensure_ascii=False),
                    ",".join(sorted({p.code for p in r.problems if p.is_error})) or "FILE_REJECTED",
                    " | ".join(p.message("vi") for p in r.problems if p.is_error)
                    or "Tệp bị từ chối.",
                    " | ".join(p.message("en") for p in r.problems if p.is_error)
                    or "File rejected.",
                    batch_id,
                    now,
                ]
                for r in bad_rows
            ],
        )
    if problems:
        _insert_rows(
            con,
            "audit.problems",
            _problem_rows(sha, source, problems),
        )
    outcome = FileOutcome(
        source_file=source,
        sha256=sha,
        status=status,
        rows_read=rows_read,
        rows_loaded=len(good_rows),
        rows_quarantined=len(bad_rows),
        problems=problems,
        unit_code=str(unit.get("unit_code") or "") or None,
        period_id=unit.get("period_id") if isinstance(unit.get("period_id"), str) else None,  # type: ignore[arg-type]
    )
    _record_file(con, outcome, archived, arrival_seq, batch_id, now)
    return outcome


def _record_file(
    con: duckdb.DuckDBPyConnection,
    o: FileOutcome,
    archived: Path,
    arrival_seq: int,
    batch_id: str,
    now: dt.datetime,
) -> None:
    con.execute(
        "insert into audit.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            o.source_file,
            o.sha256,
            str(archived),
            arrival_seq,
            o.status,
            o.unit_code,
            o.period_id,
            o.rows_read,
            o.rows_loaded,
            o.rows_quarantined,
            sum(1 for p in o.problems if p.is_error),
            sum(1 for p in o.problems if not p.is_error),
            now,
        ],
    )


ProgressCallback = Callable[[int, int], None]


@dataclass
class _NewFile:
    path: Path
    source: str
    sha: str
    archived: Path
    duplicate: bool


def _new_files(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> tuple[list[Path], list[_NewFile]]:
    """Inbox files not yet recorded, archived by content hash before anything parses them."""
    seen = {
        (f, s)
        for f, s in con.execute("select source_file, sha256 from audit.file_loads").fetchall()
    }
    loaded = {
        s
        for (s,) in con.execute(
            "select sha256 from audit.file_loads where status <> 'duplicate'"
        ).fetchall()
    }
    files = inbox_files(settings.inbox_submissions)
    new: list[_NewFile] = []
    for path in files:
        source = str(path.relative_to(settings.inbox_submissions))
        sha = sha256_of(path)
        if (source, sha) in seen:
            continue
        archived = archive(path, sha, settings.archive_dir)
        new.append(_NewFile(path, source, sha, archived, duplicate=sha in loaded))
        loaded.add(sha)
    return files, new


def ingest_submissions(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    units: list[ReportingUnit],
    batch_id: str,
    *,
    workers: int = 0,
    on_file: ProgressCallback | None = None,
) -> BatchResult:
    """Load every new file of the submissions inbox; a bad file never stops the batch.

    Files are read and checked in ``workers`` processes (0: one per core) and written here, one
    transaction per file, in arrival order, so the tables are the same whatever the workers.
    ``on_file(done, total)`` is called after each file is committed.
    """
    started = time.perf_counter()
    ensure_landing_tables(con)
    registry = index_registry(units)
    next_seq = con.execute("select coalesce(max(arrival_seq), 0) from audit.file_loads").fetchone()
    seq = int(next_seq[0]) if next_seq else 0
    now = dt.datetime.now(dt.UTC)
    con.execute("insert into audit.load_batches values (?, ?, null, null, null)", [batch_id, now])
    files, new = _new_files(con, settings)
    results = check_files(
        [f.path for f in new if not f.duplicate], registry, settings.max_file_bytes, workers
    )
    outcomes: list[FileOutcome] = []
    with closing(results):  # stops the worker processes even if a write fails
        for done, item in enumerate(new, start=1):
            checked = None if item.duplicate else next(results)
            seq += 1
            con.execute("begin")
            try:
                if checked is None:
                    outcome = FileOutcome(item.source, item.sha, "duplicate")
                    _record_file(con, outcome, item.archived, seq, batch_id, now)
                else:
                    outcome = _write_file(
                        con,
                        checked,
                        sha=item.sha,
                        source=item.source,
                        archived=item.archived,
                        arrival_seq=seq,
                        batch_id=batch_id,
                        now=now,
                        settings=settings,
                    )
                con.execute("commit")
            except Exception:
                con.execute("rollback")
                raise
            if checked is not None and outcome.status in ("rejected", "partial"):
                write_feedback(
                    settings.feedback_dir, item.source, item.sha, checked, outcome.unit_code, now
                )
            outcomes.append(outcome)
            if on_file is not None:
                on_file(done, len(new))
    if any(o.status in ("rejected", "partial") for o in outcomes):
        write_index(settings.feedback_dir)
    con.execute(
        "update audit.load_batches set finished_at = ?, n_files_seen = ?, n_files_new = ? "
        "where batch_id = ?",
        [dt.datetime.now(dt.UTC), len(files), len(outcomes), batch_id],
    )
    return BatchResult(
        batch_id=batch_id,
        files_seen=len(files),
        outcomes=outcomes,
        seconds=time.perf_counter() - started,
    )
