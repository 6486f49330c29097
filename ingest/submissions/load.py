"""Load the submissions inbox into ``raw``, ``quarantine`` and ``audit``, in batched transactions.

Nothing is lost: every file is archived by content hash before it is parsed, and the archived
copy is what is parsed; every data row ends in ``raw.staff_rows`` or ``quarantine.rows``;
``audit.file_loads`` reconciles rows read = rows loaded + rows quarantined for each file. A file
whose bytes were already loaded is recorded as a duplicate and skipped. A file that cannot be
read at all (a crash, a time-out, its memory) is rejected with a code and its traceback kept in
``audit.file_errors``: the batch goes on.

The loading itself (scan, archive, duplicates, contained workers, batched transactions, the
archive index, the rebuild) is :mod:`ingest.loader`'s, shared with the DTI loader; this module
says what is particular to submissions: every regular file of the inbox is taken, files are
read, checked and shaped into rows in the workers of :mod:`ingest.submissions.parallel`, and a
rejected or partial file gets feedback for its unit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Generator, Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from core.db import append_rows, ensure_landing_tables, to_block, transaction
from core.settings import Settings
from core.vocabulary import FileStatus
from ingest import loader
from ingest.landing import ArchiveEntry, archived_relative
from ingest.lineage import lineage_rows, unit_lineage
from ingest.loader import BatchContext, Candidate, ProgressCallback
from ingest.registry import ReportingUnit, exemption_rows, registry_rows
from ingest.submissions.checks import index_registry
from ingest.submissions.feedback import LoadedFile, write_feedback, write_index
from ingest.submissions.parallel import FileTask, failed_check, land_files
from ingest.submissions.rows import (
    FileOutcome,
    LandedFile,
    file_load_record,
    landed_rows,
    person_key,
)
from ingest.workers import Answered, Failure, Limits

__all__ = [
    "BatchResult",
    "FileOutcome",
    "ingest_submissions",
    "person_key",
    "rebuild_from_archive",
    "refresh_registry",
]

log = logging.getLogger(__name__)
_IN_PROGRESS_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial"}

BatchResult = loader.BatchResult[FileOutcome]


def refresh_registry(con: duckdb.DuckDBPyConnection, units: list[ReportingUnit]) -> int:
    """Replace ``raw.reporting_units`` with the registry (a full snapshot each night), and
    with it the units' lineage (``raw.unit_lineage``) and exemptions from reporting."""
    rows = registry_rows(units)
    lineage = lineage_rows(unit_lineage(units))
    exemptions = exemption_rows(units)
    with transaction(con):
        for table in ("reporting_units", "unit_lineage", "reporting_exemptions"):
            con.execute(f"delete from raw.{table}")
        append_rows(con, "raw.reporting_units", rows)
        append_rows(con, "raw.unit_lineage", lineage)
        append_rows(con, "raw.reporting_exemptions", exemptions)
    return len(rows)


class Submissions(loader.Source[LandedFile]):
    """The submissions inbox: every regular file counts, whatever its type (a PDF sent by
    mistake is archived and answered with FILE_UNSUPPORTED_TYPE rather than ignored)."""

    name = "submissions"
    file_loads = "audit.file_loads"
    # a rejected file's bytes again under another name are a duplicate: the unit was answered
    loaded_statuses = ("accepted", "partial", "rejected")
    index_columns = "unit_code, period_id, null"

    def __init__(
        self, settings: Settings, registry: Mapping[str, list[ReportingUnit]], workers: int
    ) -> None:
        super().__init__(settings)
        self.registry = registry
        self.workers = workers
        self._index_existed: bool | None = None

    @property
    def inbox(self) -> Path:
        return self.settings.inbox_submissions

    def wanted(self, name: str) -> bool:
        """Hidden files, Excel's "~$" lock files and files still being copied wait."""
        return not name.startswith((".", "~$")) and Path(name).suffix.lower() not in (
            _IN_PROGRESS_SUFFIXES
        )

    def read(
        self, items: Iterable[Candidate | Answered], ctx: BatchContext, limits: Limits
    ) -> Generator[Any, None, None]:
        tasks = (
            i if isinstance(i, Answered) else FileTask(i.archived, i.source, i.sha, i.arrival_seq)
            for i in items
        )
        return land_files(
            tasks,
            self.registry,
            self.settings.max_file_bytes,
            ctx,
            workers=self.workers,
            limits=limits,
        )

    def unread(self, c: Candidate, failure: Failure | None, ctx: BatchContext) -> LandedFile:
        if failure is None:
            outcome = FileOutcome(c.source, c.sha, FileStatus.DUPLICATE)
            record = file_load_record(outcome, str(c.archived), c.arrival_seq, ctx)
            return LandedFile(outcome, {"audit.file_loads": to_block([record])})
        return landed_rows(
            failed_check(Path(c.source), failure),
            sha=c.sha,
            source=c.source,
            archived=str(c.archived),
            arrival_seq=c.arrival_seq,
            ctx=ctx,
        )

    def entry(self, c: Candidate, landed: LandedFile) -> ArchiveEntry:
        o = landed.outcome
        return ArchiveEntry(
            self.name, c.source, c.sha, archived_relative(c.archived, self.settings.archive_dir),
            c.arrival_seq, str(o.status), o.unit_code, o.period_id,
        )  # fmt: skip

    def feedback(self, c: Candidate, landed: LandedFile, ctx: BatchContext) -> bool:
        """Feedback for a rejected or partial file; a failure to write it never stops the
        batch. A file accepted whole writes none, but may replace a report the index lists
        as still to fix: the index is written again (True) whenever there is one."""
        checked = landed.checked
        o = landed.outcome
        if checked is None or o.status not in (FileStatus.REJECTED, FileStatus.PARTIAL):
            return o.status.counts and self._feedback_index_exists()
        try:
            write_feedback(
                self.settings.feedback_dir,
                o.source_file,
                o.sha256,
                checked,
                o.unit_code,
                ctx.now,
                arrival_seq=c.arrival_seq,
            )
        except OSError as exc:
            log.error("feedback for %s not written: %s", o.source_file, exc)
            return False
        return True

    def _feedback_index_exists(self) -> bool:
        """Whether the feedback index was there when the run began: it is written again only
        after the run's last commit (:meth:`feedback_done`), so one look serves every file."""
        if self._index_existed is None:
            self._index_existed = (self.settings.feedback_dir / "index.html").exists()
        return self._index_existed

    def feedback_done(self, con: duckdb.DuckDBPyConnection) -> None:
        """The feedback index, which tells a report that a later file replaced from one
        still to correct."""
        try:
            write_index(self.settings.feedback_dir, loaded=_loaded_files(con))
        except OSError as exc:
            log.error("feedback index not written: %s", exc)


def _loaded_files(con: duckdb.DuckDBPyConnection) -> list[LoadedFile]:
    """Every file whose rows reached raw."""
    rows = con.execute(
        "select unit_code, period_id, arrival_seq, source_file from audit.file_loads"
        " where status in ('accepted', 'partial') and unit_code is not null"
    ).fetchall()
    return [LoadedFile(str(u), str(p), int(a), str(s)) for u, p, a, s in rows]


def ingest_submissions(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    units: list[ReportingUnit],
    batch_id: str,
    *,
    workers: int = 0,
    on_file: ProgressCallback | None = None,
    limits: Limits | None = None,
) -> BatchResult:
    """Load every new file of the submissions inbox; a bad file never stops the batch.

    Files are read and checked in ``workers`` contained processes (0: one per core), each file
    within ``limits`` (default: the settings'), and appended here in arrival order,
    ``loader.BATCH_FILES`` per transaction. ``on_file(done, total)`` is called after each
    commit. Re-running with the same ``batch_id`` after a failure starts the batch again
    cleanly.
    """
    ensure_landing_tables(con)
    source = Submissions(settings, index_registry(units), workers)
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC), settings.pseudonym_key)
    return loader.ingest(con, source, ctx, limits=limits, on_file=on_file)


def rebuild_from_archive(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    units: list[ReportingUnit],
    batch_id: str,
    *,
    workers: int = 0,
    limits: Limits | None = None,
) -> BatchResult:
    """Land again, from the archive alone, every indexed submission the database lacks.

    For a lost or corrupted build database: on an empty one, the landing tables come back as
    they were (same names, hashes, arrival order and statuses), without the inbox. Files
    already recorded are left alone, so it is safe to run twice.
    """
    ensure_landing_tables(con)
    source = Submissions(settings, index_registry(units), workers)
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC), settings.pseudonym_key)
    return loader.rebuild(con, source, ctx, limits=limits)
