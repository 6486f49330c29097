"""Load the submissions inbox into ``raw``, ``quarantine`` and ``audit``, in batched transactions.

Nothing is lost: every file is archived by content hash before it is parsed, and the archived
copy is what is parsed; every data row ends in ``raw.staff_rows`` or ``quarantine.rows``;
``audit.file_loads`` reconciles rows read = rows loaded + rows quarantined for each file. A file
whose bytes were already loaded is recorded as a duplicate and skipped. A file that cannot be
read at all (a crash, a time-out, its memory) is rejected with a code and its traceback kept in
``audit.file_errors``: the batch goes on.

Files are archived here, one after the other, as the contained worker processes that read,
check and shape them into rows (:mod:`ingest.submissions.parallel`) need more work, so the
copying overlaps with the reading. The rows of up to ``BATCH_FILES`` files are appended to every
table in one transaction, in arrival order, once their archived copies are flushed to disk:
a killed run leaves no part of a file visible and the tables do not depend on the number of
workers.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.db import (
    Block,
    append_blocks,
    append_rows,
    ensure_landing_tables,
    to_block,
    transaction,
)
from core.settings import Settings
from core.vocabulary import FileStatus
from ingest.landing import (
    ArchiveEntry,
    InboxFile,
    append_index,
    archive,
    make_durable,
    read_index,
    record_skips,
    remove_stale_work,
    scan_inbox,
    sha256_of,
    too_large,
)
from ingest.lineage import lineage_rows, unit_lineage
from ingest.registry import ReportingUnit, exemption_rows, registry_rows
from ingest.submissions.checks import index_registry
from ingest.submissions.feedback import LoadedFile, write_feedback, write_index
from ingest.submissions.parallel import FileTask, failed_check, land_files
from ingest.submissions.rows import (
    BatchContext,
    FileOutcome,
    LandedFile,
    file_load_record,
    landed_rows,
    person_key,
)
from ingest.workers import PARSER_FAILED, Answered, Failure, Limits

__all__ = [
    "BatchResult",
    "FileOutcome",
    "inbox_files",
    "ingest_submissions",
    "person_key",
    "rebuild_from_archive",
    "refresh_registry",
]

log = logging.getLogger(__name__)
LOADER = "submissions"
# Files appended per transaction: large enough that DuckDB's per-statement cost is shared by
# many files, small enough that progress is reported and memory stays flat.
BATCH_FILES = 1024
_IN_PROGRESS_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial"}


@dataclass
class BatchResult:
    batch_id: str
    files_seen: int
    outcomes: list[FileOutcome]
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (inbox path, reason)
    # skipped entries recorded in audit.inbox_skips tonight for the first time
    skipped_new: list[tuple[str, str]] = field(default_factory=list)

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


def _wanted(name: str) -> bool:
    """Hidden files, Excel's "~$" lock files and files still being copied wait."""
    return not name.startswith((".", "~$")) and Path(name).suffix.lower() not in (
        _IN_PROGRESS_SUFFIXES
    )


def inbox_files(inbox: Path, settle_seconds: float = 0.0) -> list[Path]:
    """Files of the inbox in arrival order (modification time, then name).

    Every regular file counts, whatever its type: a PDF sent by mistake is archived and
    answered with FILE_UNSUPPORTED_TYPE rather than ignored. Symlinks and special files are
    skipped (see :func:`ingest.landing.scan_inbox`).
    """
    return [f.path for f in scan_inbox(inbox, _wanted, settle_seconds).files]


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


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class _Candidate:
    """A new file, archived, with its place in arrival order."""

    source: str
    sha: str
    archived: Path
    arrival_seq: int
    duplicate: bool


def _start_batch(con: duckdb.DuckDBPyConnection, batch_id: str, now: dt.datetime) -> None:
    """Record the batch; a retry with the same id (after a failure) starts it again cleanly."""
    con.execute(
        "insert into audit.load_batches (batch_id, started_at) values (?, ?) "
        "on conflict (batch_id) do update set started_at = excluded.started_at, "
        "finished_at = null, n_files_seen = null, n_files_new = null",
        [batch_id, now],
    )


def _finish_batch(
    con: duckdb.DuckDBPyConnection, batch_id: str, files_seen: int, files_new: int
) -> None:
    con.execute(
        "update audit.load_batches set finished_at = ?, n_files_seen = ?, n_files_new = ? "
        "where batch_id = ?",
        [dt.datetime.now(dt.UTC), files_seen, files_new, batch_id],
    )


def _known(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str]], set[str], int]:
    """(source, sha) pairs already recorded, hashes already loaded, the last arrival_seq."""
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
    last = con.execute("select coalesce(max(arrival_seq), 0) from audit.file_loads").fetchone()
    return seen, loaded, int(last[0]) if last else 0


def _archived(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    files: list[InboxFile],
    skipped: list[tuple[str, str]],
    progress: list[int],
) -> Iterator[_Candidate]:
    """Inbox files not yet recorded, each archived (and so frozen) before anything parses it,
    lazily: a file is copied when a worker is about to need it. ``progress[0]`` counts the
    inbox files looked at."""
    seen, loaded, seq = _known(con)
    seen_sources = {source for source, _ in seen}
    for n, f in enumerate(files, start=1):
        progress[0] = n
        refusal = too_large(f, settings.max_file_bytes)
        if refusal is not None:  # refused on its stat: never read, never in the archive
            skipped.append((f.source, refusal))
            continue
        try:
            # a name never recorded is new whatever its bytes: read it once, into the archive
            sha = sha256_of(f.path) if f.source in seen_sources else None
            if (f.source, sha) in seen:
                continue
            copied = archive(f.path, sha, settings.archive_dir, durable=False, scanned=f)
        except OSError as exc:  # gone, replaced by a symlink or a FIFO since the scan
            log.warning("inbox file %s skipped: %s", f.source, exc)
            skipped.append((f.source, str(exc)))
            continue
        if copied is None:
            skipped.append((f.source, "changed while it was archived: left for the next run"))
            continue
        sha, archived = copied
        seq += 1
        yield _Candidate(f.source, sha, archived, seq, duplicate=sha in loaded)
        loaded.add(sha)


def _duplicate(c: _Candidate, ctx: BatchContext) -> LandedFile:
    outcome = FileOutcome(c.source, c.sha, FileStatus.DUPLICATE)
    record = file_load_record(outcome, str(c.archived), c.arrival_seq, ctx)
    return LandedFile(outcome, {"audit.file_loads": to_block([record])})


def _failed(c: _Candidate, failure: Failure, ctx: BatchContext) -> LandedFile:
    """A file whose reading (or writing) did not complete: rejected, traceback kept."""
    log.error("%s: %s (%s)", c.source, failure.code, failure.detail)
    landed = landed_rows(
        failed_check(Path(c.source), failure),
        sha=c.sha,
        source=c.source,
        archived=str(c.archived),
        arrival_seq=c.arrival_seq,
        ctx=ctx,
    )
    landed.outcome.error_code = failure.code
    landed.rows["audit.file_errors"] = to_block(
        [
            {
                "batch_id": ctx.batch_id,
                "loader": LOADER,
                "source_file": c.source,
                "sha256": c.sha,
                "code": failure.code,
                "detail": failure.detail,
                "traceback": failure.traceback,
                "recorded_at": ctx.now,
            }
        ]
    )
    return landed


def _append_landed(con: duckdb.DuckDBPyConnection, files: list[LandedFile]) -> None:
    """Append every table's rows of ``files``, one DataFrame per table, in one transaction."""
    blocks: dict[str, list[Block]] = {}
    for landed in files:
        for table, block in landed.rows.items():
            blocks.setdefault(table, []).append(block)
    with transaction(con):
        for table, table_blocks in blocks.items():
            append_blocks(con, table, table_blocks)


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[_Candidate, LandedFile]],
    ctx: BatchContext,
) -> list[LandedFile]:
    """Write ``batch`` in one transaction; if the database refuses it, write file by file and
    reject (with PARSER_FAILED and the error kept) each file it refuses."""
    files = [landed for _, landed in batch]
    try:
        _append_landed(con, files)
        return files
    except duckdb.Error:
        if len(batch) == 1:
            candidate = batch[0][0]
            failure = Failure(PARSER_FAILED, "write refused", traceback.format_exc())
            fallback = _failed(candidate, failure, ctx)
            _append_landed(con, [fallback])
            return [fallback]
    return [w for item in batch for w in _write_batch(con, [item], ctx)]


def _send_feedback(
    settings: Settings, landed: LandedFile, ctx: BatchContext, arrival_seq: int
) -> bool:
    """Feedback for a rejected or partial file; a failure to write it never stops the batch."""
    checked = landed.checked
    o = landed.outcome
    if checked is None or o.status not in (FileStatus.REJECTED, FileStatus.PARTIAL):
        return False
    try:
        write_feedback(
            settings.feedback_dir,
            o.source_file,
            o.sha256,
            checked,
            o.unit_code,
            ctx.now,
            arrival_seq=arrival_seq,
        )
    except OSError as exc:
        log.error("feedback for %s not written: %s", o.source_file, exc)
        return False
    return True


def _land(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    registry: Mapping[str, list[ReportingUnit]],
    candidates: Iterable[_Candidate],
    ctx: BatchContext,
    *,
    workers: int,
    limits: Limits | None,
    on_file: ProgressCallback | None,
    index: bool,
    progress: Callable[[], tuple[int, int]] | None = None,
) -> list[FileOutcome]:
    """Read the archived copies in workers and append them, ``BATCH_FILES`` per transaction.

    ``candidates`` is drawn lazily, as the workers need files; ``progress()`` says how many
    files were looked at, of how many, for ``on_file``.
    """
    outcomes: list[FileOutcome] = []
    feedback = False
    placed: deque[_Candidate] = deque()  # the candidates drawn, waiting for their result

    def tasks() -> Iterator[FileTask | Answered]:
        for c in candidates:
            placed.append(c)
            # a duplicate is recorded as such without being read again
            yield (
                Answered(None)
                if c.duplicate
                else FileTask(c.archived, c.source, c.sha, c.arrival_seq)
            )

    def report() -> None:
        if on_file is not None and progress is not None:
            on_file(*progress())

    results = land_files(
        tasks(), registry, settings.max_file_bytes, ctx, workers=workers, limits=limits
    )
    with closing(results):  # stops the workers even if a write fails
        batch: list[tuple[_Candidate, LandedFile]] = []
        for result in results:
            c = placed.popleft()
            if c.duplicate:
                landed = _duplicate(c, ctx)
            elif isinstance(result, Failure):
                landed = _failed(c, result, ctx)
            else:
                landed = result
            batch.append((c, landed))
            if len(batch) >= BATCH_FILES:
                feedback |= _commit(con, settings, batch, ctx, outcomes, index)
                batch = []
                report()
        if batch:
            feedback |= _commit(con, settings, batch, ctx, outcomes, index)
        report()
    if feedback:
        try:
            write_index(settings.feedback_dir, loaded=_loaded_files(con))
        except OSError as exc:
            log.error("feedback index not written: %s", exc)
    return outcomes


def _commit(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    batch: list[tuple[_Candidate, LandedFile]],
    ctx: BatchContext,
    outcomes: list[FileOutcome],
    index: bool,
) -> bool:
    """Flush the batch's archived copies to disk, write the batch, then (it is committed)
    index it in the archive and send feedback."""
    make_durable()
    written = _write_batch(con, batch, ctx)
    if index:
        append_index(
            settings.archive_dir,
            [_entry(c, w.outcome, settings) for (c, _), w in zip(batch, written, strict=True)],
        )
    feedback = False
    for (c, _), landed in zip(batch, written, strict=True):
        feedback |= _send_feedback(settings, landed, ctx, c.arrival_seq)
        outcomes.append(landed.outcome)
    return feedback


def _loaded_files(con: duckdb.DuckDBPyConnection) -> list[LoadedFile]:
    """Every file whose rows reached raw, for the feedback index to tell a report that a
    later file replaced from one still to correct."""
    rows = con.execute(
        "select unit_code, period_id, arrival_seq, source_file from audit.file_loads"
        " where status in ('accepted', 'partial') and unit_code is not null"
    ).fetchall()
    return [LoadedFile(str(u), str(p), int(a), str(s)) for u, p, a, s in rows]


def _entry(c: _Candidate, o: FileOutcome, settings: Settings) -> ArchiveEntry:
    return ArchiveEntry(
        loader=LOADER,
        source_file=c.source,
        sha256=c.sha,
        archived=str(c.archived.relative_to(settings.archive_dir)),
        arrival_seq=c.arrival_seq,
        status=str(o.status),
        unit_code=o.unit_code,
        period_id=o.period_id,
    )


def _sync_index(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Index files recorded in ``audit`` but missing from the archive index (a run killed
    between a commit and its index line)."""
    indexed = {(e.source_file, e.sha256) for e in read_index(settings.archive_dir, LOADER)}
    rows = con.execute(
        "select source_file, sha256, archived_path, arrival_seq, status, unit_code, period_id "
        "from audit.file_loads order by arrival_seq"
    ).fetchall()
    missing = []
    for source, sha, archived, seq, status, unit, period in rows:
        path = Path(archived)
        if (source, sha) in indexed or not path.is_relative_to(settings.archive_dir):
            continue
        relative = str(path.relative_to(settings.archive_dir))
        missing.append(ArchiveEntry(LOADER, source, sha, relative, seq, status, unit, period))
    append_index(settings.archive_dir, missing)


def _limits(settings: Settings) -> Limits:
    return Limits(seconds=settings.file_seconds_limit, memory_bytes=settings.worker_memory_mb << 20)


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
    ``BATCH_FILES`` per transaction. ``on_file(done, total)`` is called after each commit.
    Re-running with the same ``batch_id`` after a failure starts the batch again cleanly.
    """
    started = time.perf_counter()
    ensure_landing_tables(con)
    remove_stale_work(settings.archive_dir)
    _sync_index(con, settings)
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC), settings.pseudonym_key)
    _start_batch(con, batch_id, ctx.now)
    scan = scan_inbox(settings.inbox_submissions, _wanted, settings.inbox_settle_seconds)
    skipped = list(scan.skipped)
    looked_at = [0]
    outcomes = _land(
        con,
        settings,
        index_registry(units),
        _archived(con, settings, scan.files, skipped, looked_at),
        ctx,
        workers=workers,
        limits=limits or _limits(settings),
        on_file=on_file,
        index=True,
        progress=lambda: (looked_at[0], len(scan.files)),
    )
    files_seen = len(scan.files)
    skipped_new = record_skips(con, "submissions", batch_id, settings.inbox_submissions, skipped)
    _finish_batch(con, batch_id, files_seen, len(outcomes))
    return BatchResult(
        batch_id=batch_id,
        files_seen=files_seen,
        outcomes=outcomes,
        seconds=time.perf_counter() - started,
        skipped=skipped,
        skipped_new=skipped_new,
    )


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
    started = time.perf_counter()
    ensure_landing_tables(con)
    remove_stale_work(settings.archive_dir)
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC), settings.pseudonym_key)
    _start_batch(con, batch_id, ctx.now)
    seen, loaded, _ = _known(con)
    entries = read_index(settings.archive_dir, LOADER)
    candidates: list[_Candidate] = []
    skipped: list[tuple[str, str]] = []
    for e in entries:
        archived = settings.archive_dir / e.archived
        if (e.source_file, e.sha256) in seen:
            continue
        if not archived.is_file():
            log.error("archive index: %s missing for %s", e.archived, e.source_file)
            skipped.append((e.source_file, f"archived copy {e.archived} missing"))
            continue
        candidates.append(
            _Candidate(e.source_file, e.sha256, archived, e.arrival_seq, e.sha256 in loaded)
        )
        loaded.add(e.sha256)
    outcomes = _land(
        con,
        settings,
        index_registry(units),
        candidates,
        ctx,
        workers=workers,
        limits=limits or _limits(settings),
        on_file=None,
        index=False,
    )
    _finish_batch(con, batch_id, len(entries), len(outcomes))
    return BatchResult(batch_id, len(entries), outcomes, time.perf_counter() - started, skipped)
