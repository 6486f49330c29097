"""One loader for both inboxes (submissions and DTI): scan, settle, archive, known, duplicate,
contain, land, feedback, index, rebuild.

A source (:class:`Source`) says only what differs: which inbox entries it takes, what travels
with a file (a DTI ``.meta.json`` sidecar), how its contained workers read, check and shape a
file into rows, what a file that could not be read lands as, and what feedback it writes. The
rest is done here, once for both:

- **scan and settle**: the inbox is read as hostile (:func:`ingest.landing.scan_inbox`);
  a file still being written waits for the next run;
- **archive**: every new file (and its sidecar) is copied into the content-addressed archive
  before anything reads it; what is read is the archived copy;
- **known and duplicate**: a (name, identity) pair already recorded is skipped; the same
  identity under a new name is recorded as a duplicate without being read again. A file's
  identity is the SHA-256 of its bytes, or, when a sidecar came with it, the SHA-256 of both
  hashes (:func:`identity`): the same workbook re-sent with a corrected sidecar is a new file;
- **contain**: files are read in contained worker processes (:mod:`ingest.workers`); a file
  that crashes, hangs or exhausts its reader is rejected with its traceback kept in
  ``audit.file_errors``, and the other files go on;
- **land**: the rows of up to ``BATCH_FILES`` files are appended to every table in one
  transaction, in arrival order, once their archived copies are flushed to disk; a file the
  database refuses is rejected alone;
- **feedback and index**: after each commit, the archive index (``index.jsonl``) gets a line
  per file and the source writes its feedback; a run killed between a commit and its index
  lines is repaired by the next run (:func:`sync_index`);
- **rebuild**: the landing tables come back from the archive and its index alone.

Each run is recorded in ``audit.load_batches`` under :meth:`Source.batch_key`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import duckdb

from core.db import Block, append_blocks, to_block, transaction
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
from ingest.workers import PARSER_FAILED, Answered, Failure, Limits

log = logging.getLogger(__name__)

# Files appended per transaction: large enough that DuckDB's per-statement cost is shared by
# many files, small enough that progress is reported and memory stays flat.
BATCH_FILES = 1024

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchContext:
    """What every file of one batch shares."""

    batch_id: str
    now: dt.datetime
    pseudonym_key: str = ""


@dataclass(frozen=True)
class Candidate:
    """A new file, archived, with its place in arrival order."""

    source: str  # the name it arrived under (its path in the inbox)
    sha: str  # its identity (see :func:`identity`)
    archived: Path  # the archived copy: what is read
    arrival_seq: int
    duplicate: bool  # its identity was loaded before: recorded, not read again
    sidecar: Path | None = None  # the archived sidecar read with it (DTI)


class Outcome(Protocol):
    """What became of one file (``audit.file_loads`` or ``audit.dti_file_loads``)."""

    @property
    def source_file(self) -> str: ...
    @property
    def status(self) -> FileStatus: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def rows_loaded(self) -> int: ...
    @property
    def rows_quarantined(self) -> int: ...


class Landed(Protocol):
    """One file's outcome and the rows it adds to each table (``table -> block``)."""

    @property
    def outcome(self) -> Any: ...
    @property
    def rows(self) -> dict[str, Block]: ...


L = TypeVar("L", bound=Landed)
OutcomeT = TypeVar("OutcomeT")


@dataclass
class BatchResult(Generic[OutcomeT]):
    batch_id: str
    files_seen: int
    outcomes: list[OutcomeT]
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (inbox path, reason)
    # skipped entries recorded in audit.inbox_skips tonight for the first time
    skipped_new: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if _outcome(o).status == status)

    @property
    def rows_read(self) -> int:
        return sum(_outcome(o).rows_read for o in self.outcomes)

    @property
    def rows_loaded(self) -> int:
        return sum(_outcome(o).rows_loaded for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(_outcome(o).rows_quarantined for o in self.outcomes)


def _outcome(o: object) -> Outcome:
    return o  # type: ignore[return-value]


class Source(Generic[L]):
    """What one inbox does differently; the skeleton (:func:`ingest`, :func:`rebuild`) does
    the rest."""

    name: str  # submissions | dti: the index's and audit.file_errors' loader
    file_loads: str  # the audit table with one row per file
    # statuses whose identity counts as loaded: the same bytes again are a duplicate
    loaded_statuses: tuple[str, ...]
    # the columns of ``file_loads`` giving an index entry's unit, period and archived sidecar
    index_columns: str = "null, null, null"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def inbox(self) -> Path:
        raise NotImplementedError

    @property
    def max_bytes(self) -> int:
        """Files larger than this are refused on their ``stat``, never archived."""
        return self.settings.max_file_bytes

    def batch_key(self, batch_id: str) -> str:
        """The run's key in ``audit.load_batches``."""
        return batch_id

    def wanted(self, name: str) -> bool:
        """Whether an inbox entry of that name is this loader's."""
        raise NotImplementedError

    def sidecar(self, path: Path) -> Path | None:
        """The file read with ``path`` (none by default)."""
        return None

    def read(
        self, items: Iterable[Candidate | Answered], ctx: BatchContext, limits: Limits
    ) -> Generator[Any, None, None]:
        """Each candidate read, checked and shaped (its :class:`Landed`, or the
        :class:`~ingest.workers.Failure` that stopped its reading), in order, in contained
        workers; an :class:`~ingest.workers.Answered` item's result in its place."""
        raise NotImplementedError

    def unread(self, c: Candidate, failure: Failure | None, ctx: BatchContext) -> L:
        """A file not read: a duplicate (``failure`` is ``None``) or a file whose reading or
        writing did not complete (rejected with the failure's code)."""
        raise NotImplementedError

    def review(
        self, con: duckdb.DuckDBPyConnection, c: Candidate, landed: L, earlier: list[L]
    ) -> L:
        """A last look at a file against the database and the batch's earlier files (not yet
        written), before it is written."""
        return landed

    def entry(self, c: Candidate, landed: L) -> ArchiveEntry:
        """The file's line in the archive index."""
        raise NotImplementedError

    def feedback(self, c: Candidate, landed: L, ctx: BatchContext) -> bool:
        """Write feedback on a committed file; whether some was written."""
        return False

    def feedback_done(self, con: duckdb.DuckDBPyConnection) -> None:
        """After a run that wrote feedback."""


def identity(sha: str, sidecar_sha: str | None) -> str:
    """A file's identity: its bytes' hash, or with a sidecar, the hash of both hashes."""
    if sidecar_sha is None:
        return sha
    return hashlib.sha256(f"{sha}\n{sidecar_sha}".encode()).hexdigest()


def _known(
    con: duckdb.DuckDBPyConnection, source: Source[Any]
) -> tuple[set[tuple[str, str]], set[str], int]:
    """(name, identity) pairs recorded, identities loaded, the last arrival_seq."""
    table = source.file_loads
    seen = {(f, s) for f, s in con.execute(f"select source_file, sha256 from {table}").fetchall()}
    statuses = ", ".join(f"'{s}'" for s in source.loaded_statuses)
    loaded = {
        s
        for (s,) in con.execute(
            f"select sha256 from {table} where status in ({statuses})"
        ).fetchall()
    }
    last = con.execute(f"select coalesce(max(arrival_seq), 0) from {table}").fetchone()
    return seen, loaded, int(last[0]) if last else 0


def _sidecar_hash(source: Source[Any], f: InboxFile) -> tuple[Path, str] | None:
    """The file's sidecar and its hash if it is a regular file within the size limit; a
    missing, linked, special or oversized one is read as none."""
    sidecar = source.sidecar(f.path)
    if sidecar is None:
        return None
    try:
        if sidecar.lstat().st_size > source.settings.max_file_bytes:
            return None
        return sidecar, sha256_of(sidecar)
    except OSError:
        return None


def _archived(
    con: duckdb.DuckDBPyConnection,
    source: Source[Any],
    files: list[InboxFile],
    skipped: list[tuple[str, str]],
    progress: list[int],
) -> Iterator[Candidate]:
    """Inbox files not yet recorded, each archived (and so frozen) before anything reads it,
    lazily: a file is copied when a worker is about to need it. ``progress[0]`` counts the
    inbox files looked at."""
    archive_dir = source.settings.archive_dir
    seen, loaded, seq = _known(con, source)
    seen_sources = {name for name, _ in seen}
    private: set[str] = set()  # archive folders made private in this run: checked once each
    for n, f in enumerate(files, start=1):
        progress[0] = n
        refusal = too_large(f, source.max_bytes)
        if refusal is not None:  # refused on its stat: never read, never in the archive
            skipped.append((f.source, refusal))
            continue
        try:
            side = _sidecar_hash(source, f)
            side_sha = side[1] if side else None
            # a name never recorded is new whatever its bytes: read it once, into the archive
            sha = sha256_of(f.path) if f.source in seen_sources else None
            if sha is not None and (f.source, identity(sha, side_sha)) in seen:
                continue
            copied = archive(f.path, sha, archive_dir, False, scanned=f, private=private)
            side_copy = (
                archive(side[0], side[1], archive_dir, False, private=private)
                if copied and side
                else None
            )
        except OSError as exc:  # gone, replaced by a symlink or a FIFO since the scan
            log.warning("%s inbox file %s skipped: %s", source.name, f.source, exc)
            skipped.append((f.source, str(exc)))
            continue
        if copied is None or (side is not None and side_copy is None):
            skipped.append((f.source, "changed while it was archived: left for the next run"))
            continue
        key = identity(copied[0], side_sha)
        if (f.source, key) in seen:  # its hash was taken while it was archived
            continue
        seq += 1
        sidecar = side_copy[1] if side_copy else None
        yield Candidate(f.source, key, copied[1], seq, key in loaded, sidecar)
        loaded.add(key)


def _unread(source: Source[L], c: Candidate, failure: Failure, ctx: BatchContext) -> L:
    """A file whose reading (or writing) did not complete: rejected, traceback kept."""
    log.error("%s: %s (%s)", c.source, failure.code, failure.detail)
    landed = source.unread(c, failure, ctx)
    landed.outcome.error_code = failure.code
    error = {
        "batch_id": ctx.batch_id,
        "loader": source.name,
        "source_file": c.source,
        "sha256": c.sha,
        "code": failure.code,
        "detail": failure.detail,
        "traceback": failure.traceback,
        "recorded_at": ctx.now,
    }
    landed.rows["audit.file_errors"] = to_block([error])
    return landed


def append_landed(con: duckdb.DuckDBPyConnection, files: list[L]) -> None:
    """Append every table's rows of ``files``, one DataFrame per table, in one transaction."""
    blocks: dict[str, list[Block]] = {}
    for landed in files:
        for table, block in landed.rows.items():
            blocks.setdefault(table, []).append(block)
    with transaction(con):
        for table, table_blocks in blocks.items():
            append_blocks(con, table, table_blocks)


def _write(
    con: duckdb.DuckDBPyConnection,
    source: Source[L],
    batch: list[tuple[Candidate, L]],
    ctx: BatchContext,
) -> list[L]:
    """Write ``batch`` in one transaction; if the database refuses it, write file by file and
    reject (with PARSER_FAILED and the error kept) each file it refuses."""
    files = [landed for _, landed in batch]
    try:
        append_landed(con, files)
        return files
    except duckdb.Error:
        if len(batch) == 1:
            failure = Failure(PARSER_FAILED, "write refused", traceback.format_exc())
            fallback = _unread(source, batch[0][0], failure, ctx)
            append_landed(con, [fallback])
            return [fallback]
    return [w for item in batch for w in _write(con, source, [item], ctx)]


def _commit(
    con: duckdb.DuckDBPyConnection,
    source: Source[L],
    batch: list[tuple[Candidate, L]],
    ctx: BatchContext,
    *,
    index: bool,
) -> tuple[list[L], bool]:
    """Flush the batch's archived copies to disk, write the batch, then (it is committed)
    index it in the archive and send feedback."""
    make_durable()
    written = _write(con, source, batch, ctx)
    pairs = [(c, w) for (c, _), w in zip(batch, written, strict=True)]
    if index:
        _index_or_defer(source, [source.entry(c, w) for c, w in pairs])
    feedback = False
    for c, w in pairs:
        feedback |= source.feedback(c, w, ctx)
    return written, feedback


def _land(
    con: duckdb.DuckDBPyConnection,
    source: Source[L],
    candidates: Iterable[Candidate],
    ctx: BatchContext,
    *,
    limits: Limits,
    index: bool,
    report: Callable[[], None] = lambda: None,
) -> list[Any]:
    """Read the archived copies in workers and append them, ``BATCH_FILES`` per transaction.

    ``candidates`` is drawn lazily, as the workers need files; ``report()`` is called after
    each commit.
    """
    outcomes: list[Any] = []
    feedback = False
    placed: deque[Candidate] = deque()  # the candidates drawn, waiting for their result

    def items() -> Iterator[Candidate | Answered]:
        for c in candidates:
            placed.append(c)
            # a duplicate is recorded as such without being read again
            yield Answered(None) if c.duplicate else c

    results = source.read(items(), ctx, limits)
    with closing(results):  # stops the workers even if a write fails
        batch: list[tuple[Candidate, L]] = []
        earlier: list[L] = []  # the batch's files so far (a list per file cost O(n²) a batch)
        for result in results:
            c = placed.popleft()
            if c.duplicate:
                landed = source.unread(c, None, ctx)
            elif isinstance(result, Failure):
                landed = _unread(source, c, result, ctx)
            else:
                landed = _reviewed(con, source, c, result, earlier, ctx)
            batch.append((c, landed))
            earlier.append(landed)
            if len(batch) >= BATCH_FILES:
                written, sent = _commit(con, source, batch, ctx, index=index)
                outcomes += [w.outcome for w in written]
                feedback |= sent
                batch, earlier = [], []
                report()
        if batch:
            written, sent = _commit(con, source, batch, ctx, index=index)
            outcomes += [w.outcome for w in written]
            feedback |= sent
        report()
    if feedback:
        source.feedback_done(con)
    return outcomes


def _reviewed(
    con: duckdb.DuckDBPyConnection,
    source: Source[L],
    c: Candidate,
    landed: L,
    earlier: list[L],
    ctx: BatchContext,
) -> L:
    """:meth:`Source.review`, or the file rejected with the traceback kept if the review
    fails on it: one file must not stop the night's other files."""
    try:
        return source.review(con, c, landed, earlier)
    except Exception:  # any failure is the file's, kept in audit.file_errors
        failure = Failure(PARSER_FAILED, "review before writing failed", traceback.format_exc())
        return _unread(source, c, failure, ctx)


def sync_index(con: duckdb.DuckDBPyConnection, source: Source[Any]) -> None:
    """Index files recorded in the audit table but missing from the archive index (a run
    killed between a commit and its index lines)."""
    archive_dir = source.settings.archive_dir
    indexed = {(e.source_file, e.sha256) for e in read_index(archive_dir, source.name)}
    rows = con.execute(
        "select source_file, sha256, archived_path, arrival_seq, status, "
        f"{source.index_columns} from {source.file_loads} order by arrival_seq"
    ).fetchall()
    missing = []
    for name, sha, archived, seq, status, unit, period, sidecar in rows:
        path = Path(archived)
        if (name, sha) in indexed or not path.is_relative_to(archive_dir):
            continue
        relative = str(path.relative_to(archive_dir))
        side = str(Path(sidecar).relative_to(archive_dir)) if sidecar else None
        missing.append(
            ArchiveEntry(source.name, name, sha, relative, seq, status, unit, period, side)
        )
    _index_or_defer(source, missing)


def _index_or_defer(source: Source[Any], entries: list[ArchiveEntry]) -> None:
    """Append to the archive index; on a full (or failing) disk, leave it to the next run.

    The files are committed and their copies are in the archive, so nothing is lost: the
    next run's :func:`sync_index` writes the missing lines from the audit table. A full disk
    then stops only the files still to be archived (each skipped and recorded), not the night.
    """
    try:
        append_index(source.settings.archive_dir, entries)
    except OSError as exc:
        log.warning(
            "%s: archive index not written (%s); the next run writes the %d missing line(s)",
            source.name,
            exc,
            len(entries),
        )


def _start_batch(con: duckdb.DuckDBPyConnection, key: str, now: dt.datetime) -> None:
    """Record the batch; a retry with the same id (after a failure) starts it again cleanly."""
    con.execute(
        "insert into audit.load_batches (batch_id, started_at) values (?, ?) "
        "on conflict (batch_id) do update set started_at = excluded.started_at, "
        "finished_at = null, n_files_seen = null, n_files_new = null",
        [key, now],
    )


def _finish_batch(
    con: duckdb.DuckDBPyConnection, key: str, files_seen: int, files_new: int
) -> None:
    con.execute(
        "update audit.load_batches set finished_at = ?, n_files_seen = ?, n_files_new = ? "
        "where batch_id = ?",
        [dt.datetime.now(dt.UTC), files_seen, files_new, key],
    )


def default_limits(settings: Settings) -> Limits:
    """Each file's time and memory, from the settings."""
    return Limits(seconds=settings.file_seconds_limit, memory_bytes=settings.worker_memory_mb << 20)


def ingest(
    con: duckdb.DuckDBPyConnection,
    source: Source[Any],
    ctx: BatchContext,
    *,
    limits: Limits | None = None,
    on_file: ProgressCallback | None = None,
) -> BatchResult[Any]:
    """Land every new file of the source's inbox; a bad file never stops the batch.

    Re-running with the same batch id after a failure starts the batch again cleanly: files
    committed by the failed run are recorded and skipped, the others land now.
    ``on_file(done, total)`` is called after each commit.
    """
    started = time.perf_counter()
    settings = source.settings
    remove_stale_work(settings.archive_dir)
    sync_index(con, source)
    key = source.batch_key(ctx.batch_id)
    _start_batch(con, key, ctx.now)
    scan = scan_inbox(source.inbox, source.wanted, settings.inbox_settle_seconds)
    skipped = list(scan.skipped)
    looked_at = [0]

    def report() -> None:
        if on_file is not None:
            on_file(looked_at[0], len(scan.files))

    outcomes = _land(
        con,
        source,
        _archived(con, source, scan.files, skipped, looked_at),
        ctx,
        limits=limits or default_limits(settings),
        index=True,
        report=report,
    )
    skipped_new = record_skips(con, source.name, ctx.batch_id, source.inbox, skipped)
    _finish_batch(con, key, len(scan.files), len(outcomes))
    seconds = time.perf_counter() - started
    return BatchResult(ctx.batch_id, len(scan.files), outcomes, seconds, skipped, skipped_new)


def rebuild(
    con: duckdb.DuckDBPyConnection,
    source: Source[Any],
    ctx: BatchContext,
    *,
    limits: Limits | None = None,
) -> BatchResult[Any]:
    """Land again, from the archive alone, every indexed file the database lacks (same names,
    identities, sidecars, arrival order and statuses); files already recorded are left alone,
    so it is safe to run twice."""
    started = time.perf_counter()
    settings = source.settings
    remove_stale_work(settings.archive_dir)
    key = source.batch_key(ctx.batch_id)
    _start_batch(con, key, ctx.now)
    seen, loaded, _ = _known(con, source)
    entries = read_index(settings.archive_dir, source.name)
    candidates: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    for e in entries:
        archived = settings.archive_dir / e.archived
        if (e.source_file, e.sha256) in seen:
            continue
        if not archived.is_file():
            log.error("archive index: %s missing for %s", e.archived, e.source_file)
            skipped.append((e.source_file, f"archived copy {e.archived} missing"))
            continue
        sidecar = settings.archive_dir / e.sidecar if e.sidecar else None
        duplicate = e.sha256 in loaded
        candidates.append(
            Candidate(e.source_file, e.sha256, archived, e.arrival_seq, duplicate, sidecar)
        )
        loaded.add(e.sha256)
    outcomes = _land(
        con, source, candidates, ctx, limits=limits or default_limits(settings), index=False
    )
    _finish_batch(con, key, len(entries), len(outcomes))
    seconds = time.perf_counter() - started
    return BatchResult(ctx.batch_id, len(entries), outcomes, seconds, skipped)
