"""Load the DTI inbox into ``raw``, ``quarantine`` and ``audit``, all new files in one transaction.

Every file (and its ``.meta.json`` sidecar) is archived by content hash before it is read, and
the archived copy is what is read, in a contained worker process (:mod:`ingest.workers`): a
file that crashes, hangs or exhausts the reader is rejected with its traceback kept in
``audit.file_errors``, and the other files go on. Every data row ends in
``raw.dti_scores`` or ``quarantine.dti_rows``; ``audit.dti_file_loads`` reconciles
rows read = rows loaded + rows quarantined. Bytes already loaded are recorded as a duplicate.

History: each accepted file is one publication with an ``arrival_seq``. For a year and basis,
the publication with the highest ``arrival_seq`` is current; earlier ones stay in ``raw``
(superseded, never deleted).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import shutil
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd

from core.db import (
    Columns,
    append_rows,
    concat_columns,
    ensure_landing_tables,
    to_columns,
    transaction,
)
from core.settings import Settings
from core.vocabulary import FileStatus
from ingest.dti.checks import CheckedPublication, CheckedRow, check_file
from ingest.dti.current import RANKING_COLUMNS, contradictions, current_ranking, pending_rows
from ingest.dti.fields import PILLAR_RANKS, SCORE_FIELDS
from ingest.dti.metadata import sidecar_path
from ingest.dti.problems import DtiProblem
from ingest.dti.provinces import REFERENCE_DIR, crosswalk_rows, province_rows
from ingest.dti.readers import DTI_SUFFIXES, MAX_DTI_BYTES
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
    staging,
    too_large,
)
from ingest.text import clean_text
from ingest.workers import PARSER_FAILED, Failure, Limits, run_contained

log = logging.getLogger(__name__)
LOADER = "dti"
_INT32_MAX = 2**31 - 1


@dataclass
class DtiFileOutcome:
    source_file: str
    sha256: str
    status: FileStatus
    year: int | None = None
    basis: int | None = None
    is_partial: bool | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: list[DtiProblem] = field(default_factory=list)
    error_code: str | None = None  # set when the file could not be read at all


@dataclass
class DtiBatchResult:
    batch_id: str
    files_seen: int
    outcomes: list[DtiFileOutcome]
    n_provinces: int = 0
    n_crosswalk: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (inbox path, reason)
    # skipped entries recorded in audit.inbox_skips tonight for the first time
    skipped_new: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)


def _wanted(name: str) -> bool:
    """DTI files by suffix; sidecars travel with their file, hidden files wait."""
    return Path(name).suffix.lower() in DTI_SUFFIXES and not name.startswith(".")


def dti_inbox_files(inbox: Path, settle_seconds: float = 0.0) -> list[Path]:
    """DTI files in arrival order (modification time, then name); symlinks and special files
    are skipped (see :func:`ingest.landing.scan_inbox`)."""
    return [f.path for f in scan_inbox(inbox, _wanted, settle_seconds).files]


def refresh_reference(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Replace provinces, crosswalk, methodology and national means (a full snapshot)."""
    provinces = province_rows()
    crosswalk = crosswalk_rows()
    references = {}
    for table, name in (
        ("dti_methodology", "dti_methodology.csv"),
        ("dti_national_means", "dti_national_means.csv"),
    ):
        with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
            references[table] = [
                {k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(handle)
            ]
    with transaction(con):
        for table in ("provinces", "province_crosswalk", "dti_methodology", "dti_national_means"):
            con.execute(f"delete from raw.{table}")
        append_rows(con, "raw.provinces", provinces)
        append_rows(con, "raw.province_crosswalk", crosswalk)
        for table, rows in references.items():
            append_rows(con, f"raw.{table}", rows)
    return len(provinces), len(crosswalk)


def _row_source(row: CheckedRow, pub: CheckedPublication) -> str | None:
    return clean_text(row.record.values.get("source")) or pub.meta.source


def _publication_source(pub: CheckedPublication) -> str | None:
    if pub.meta.source:
        return pub.meta.source
    sources = list(dict.fromkeys(s for r in pub.good_rows if (s := _row_source(r, pub))))
    return " | ".join(sources) or None


def _raw_values(row: CheckedRow) -> str:
    return json.dumps({k: clean_text(v) for k, v in row.record.values.items()}, ensure_ascii=False)


@dataclass(frozen=True)
class DtiTask:
    """One new file to read (its archived copy, staged under its own name) and record."""

    path: Path
    source: str
    sha: str
    archived: str
    arrival_seq: int
    batch_id: str
    now: dt.datetime


@dataclass
class DtiLanded:
    """One file's outcome and the rows it adds to each table, as columns
    (``table -> column -> values``)."""

    outcome: DtiFileOutcome
    rows: dict[str, Columns]
    # a partial publication as checked, kept until the loader has read it against the current
    # ranking (only the loading process sees the database) and shaped it again if need be
    partial: tuple[CheckedPublication, DtiTask] | None = None


def _bound_ranks(pub: CheckedPublication) -> None:
    """Quarantine a row whose rank or count an ``integer`` column cannot hold."""
    for r in pub.rows:
        for name, value in [*r.ranks.items(), ("n_ranked", r.n_ranked)]:
            if isinstance(value, int) and not -_INT32_MAX <= value <= _INT32_MAX:
                r.add("RANK_INVALID", column=name, value=str(value)[:50])


def _quarantined_file(pub: CheckedPublication, task: DtiTask) -> dict[str, object]:
    errors = [p for p in pub.file_problems if p.is_error]
    return {
        "sha256": task.sha,
        "source_file": task.source,
        "error_codes": ",".join(sorted({p.code for p in errors})),
        "message_vi": " | ".join(p.message("vi") for p in errors),
        "message_en": " | ".join(p.message("en") for p in errors),
        "batch_id": task.batch_id,
        "quarantined_at": task.now,
    }


def _publication(pub: CheckedPublication, task: DtiTask) -> dict[str, object]:
    return {
        "publication_id": task.sha,
        "source_file": task.source,
        "file_format": pub.raw.file_format,
        "year": pub.meta.year,
        "basis": pub.meta.basis,
        "is_partial": pub.is_partial,
        "n_rows": len(pub.good_rows),
        "source": _publication_source(pub),
        "arrival_seq": task.arrival_seq,
        "loaded_at": task.now,
        "batch_id": task.batch_id,
    }


def _score(pub: CheckedPublication, number: int, r: CheckedRow, task: DtiTask) -> dict[str, object]:
    """One ``raw.dti_scores`` row: ``number`` orders the publication's rows, ``source_table``
    and ``source_row`` locate it in the file."""
    record: dict[str, object] = {
        "publication_id": task.sha,
        "row_number": number,
        "year": pub.meta.year,
        "basis": pub.meta.basis,
        "province_name_printed": r.record.printed_name,
        "province_id": r.province.province_id if r.province else None,
        "province_name": r.province.province_name if r.province else None,
        "rank": r.ranks.get("rank"),
        "n_ranked": r.n_ranked,
    }
    record.update({f: r.scores.get(f) for f in SCORE_FIELDS})
    record.update({f: r.ranks.get(f) for f in PILLAR_RANKS})
    record.update(
        source=_row_source(r, pub),
        loaded_at=task.now,
        batch_id=task.batch_id,
        source_table=r.record.table,
        source_row=r.record.row_number,
    )
    return record


def _quarantined_row(r: CheckedRow, task: DtiTask) -> dict[str, object]:
    errors = [p for p in r.problems if p.is_error]
    return {
        "sha256": task.sha,
        "source_file": task.source,
        "table_name": r.record.table,
        "row_number": r.record.row_number,
        "province_name_printed": r.record.printed_name or None,
        "raw_values": _raw_values(r),
        "error_codes": ",".join(sorted({p.code for p in errors})) or "FILE_REJECTED",
        "message_vi": " | ".join(p.message("vi") for p in errors) or "Tệp bị từ chối.",
        "message_en": " | ".join(p.message("en") for p in errors) or "File rejected.",
        "candidates": "; ".join(r.candidates) or None,
        "batch_id": task.batch_id,
        "quarantined_at": task.now,
    }


def _problems(pub: CheckedPublication, task: DtiTask) -> list[dict[str, object]]:
    province_of = {id(p): r.province for r in pub.rows for p in r.problems}
    return [
        {
            "sha256": task.sha,
            "source_file": task.source,
            "check_code": p.code,
            "severity": p.severity,
            "scope": p.scope,
            "table_name": p.table,
            "row_number": p.row,
            "column_label": p.column,
            "value": p.value,
            "province_id": prov.province_id if (prov := province_of.get(id(p))) else None,
            "message_vi": p.message("vi"),
            "message_en": p.message("en"),
            "fix_vi": p.fix("vi"),
            "fix_en": p.fix("en"),
        }
        for p in pub.all_problems
    ]


def _file_load(
    o: DtiFileOutcome,
    pub: CheckedPublication | None,
    archived: str,
    arrival_seq: int,
    batch_id: str,
    now: dt.datetime,
) -> dict[str, object]:
    evidence = pub.meta.evidence if pub else {}
    return {
        "batch_id": batch_id,
        "source_file": o.source_file,
        "sha256": o.sha256,
        "archived_path": archived,
        "arrival_seq": arrival_seq,
        "status": str(o.status),
        "file_format": pub.raw.file_format
        if pub
        else Path(o.source_file).suffix.lower().lstrip("."),
        "year": o.year,
        "basis": o.basis,
        "is_partial": o.is_partial,
        "year_evidence": "; ".join(evidence.get("year", [])) or None,
        "basis_evidence": "; ".join(evidence.get("basis", [])) or None,
        "rows_read": o.rows_read,
        "rows_loaded": o.rows_loaded,
        "rows_quarantined": o.rows_quarantined,
        "n_errors": sum(1 for p in o.problems if p.is_error),
        "n_warnings": sum(1 for p in o.problems if p.severity == "warning"),
        "loaded_at": now,
    }


def landed_publication(pub: CheckedPublication, task: DtiTask) -> DtiLanded:
    """The outcome of one checked publication and its rows for raw, quarantine and audit."""
    _bound_ranks(pub)
    return _shaped(pub, task)


def _shaped(pub: CheckedPublication, task: DtiTask) -> DtiLanded:
    good, bad = pub.good_rows, pub.bad_rows
    rows: dict[str, list[dict[str, object]]] = {}
    if pub.file_ok:
        status = FileStatus.PARTIAL if bad else FileStatus.ACCEPTED
        rows["raw.dti_publications"] = [_publication(pub, task)]
        rows["raw.dti_scores"] = [_score(pub, n, r, task) for n, r in enumerate(good, start=1)]
    else:
        status = FileStatus.REJECTED
        rows["quarantine.dti_files"] = [_quarantined_file(pub, task)]
    rows["quarantine.dti_rows"] = [_quarantined_row(r, task) for r in bad]
    rows["audit.dti_problems"] = _problems(pub, task)
    outcome = DtiFileOutcome(
        task.source,
        task.sha,
        status,
        year=pub.meta.year,
        basis=pub.meta.basis,
        is_partial=pub.is_partial if pub.file_ok else None,
        rows_read=len(pub.rows),
        rows_loaded=len(good),
        rows_quarantined=len(bad),
        problems=pub.all_problems,
    )
    rows["audit.dti_file_loads"] = [
        _file_load(outcome, pub, task.archived, task.arrival_seq, task.batch_id, task.now)
    ]
    partial = (pub, task) if pub.file_ok and pub.is_partial else None
    return DtiLanded(outcome, {t: to_columns(r) for t, r in rows.items() if r}, partial)


def _against_current(
    con: duckdb.DuckDBPyConnection, landed: DtiLanded, earlier: list[DtiLanded]
) -> DtiLanded:
    """A partial publication whose rows would break the rank order of the ranking they are
    merged into (the mart suite's rule) has those rows quarantined; the rest loads."""
    if landed.partial is None:
        return landed
    pub, task = landed.partial
    year, basis = pub.meta.year, pub.meta.basis
    if year is None or basis is None or not pub.good_rows:
        return replace(landed, partial=None)
    pending = pending_rows([e.rows for e in earlier], year, basis)
    current = current_ranking(con, year, basis, pending)
    new = pd.DataFrame(landed.rows["raw.dti_scores"])[list(RANKING_COLUMNS)]
    found = contradictions(current, new)
    if not found:
        return replace(landed, partial=None)
    by_province = {r.province.province_id: r for r in pub.good_rows if r.province}
    for c in found:
        row = by_province[c.province_id]
        row.add(
            "RANK_CONTRADICTS_CURRENT",
            column=c.rank_column,
            value=str(c.rank),
            params={
                "province": row.name,
                "score": f"{c.score:.4f}",
                "rank": str(c.rank),
                "other": c.other,
                "other_score": f"{c.other_score:.4f}",
                "other_rank": str(c.other_rank),
                "year": str(year),
                "basis": str(basis),
            },
        )
    return replace(_shaped(pub, task), partial=None)


def _checked_against_current(
    con: duckdb.DuckDBPyConnection,
    c: _Candidate,
    landed: DtiLanded,
    earlier: list[tuple[_Candidate, DtiLanded]],
) -> DtiLanded:
    """:func:`_against_current`, or the file rejected with the traceback kept if that check
    fails on it: one file must not stop the night's other files."""
    try:
        return _against_current(con, landed, [w for _, w in earlier])
    except Exception:  # any failure is the file's, kept in audit.file_errors
        failure = Failure(
            PARSER_FAILED, "rank check against the current table failed", traceback.format_exc()
        )
        return _failed(c.task, failure)


def _land_one(task: DtiTask) -> DtiLanded:
    """Worker side: read, check and shape one archived file."""
    return landed_publication(check_file(task.path), task)


def _failed(task: DtiTask, failure: Failure) -> DtiLanded:
    """A file whose reading (or writing) did not complete: rejected, traceback kept."""
    log.error("%s: %s (%s)", task.source, failure.code, failure.detail)
    problem = DtiProblem("FILE_UNREADABLE", params={"detail": f"{failure.code}: {failure.detail}"})
    o = DtiFileOutcome(
        task.source, task.sha, FileStatus.REJECTED, problems=[problem], error_code=failure.code
    )
    pub_row: dict[str, object] = {
        "sha256": task.sha,
        "source_file": task.source,
        "error_codes": "FILE_UNREADABLE",
        "message_vi": problem.message("vi"),
        "message_en": problem.message("en"),
        "batch_id": task.batch_id,
        "quarantined_at": task.now,
    }
    error: dict[str, object] = {
        "batch_id": task.batch_id,
        "loader": LOADER,
        "source_file": task.source,
        "sha256": task.sha,
        "code": failure.code,
        "detail": failure.detail,
        "traceback": failure.traceback,
        "recorded_at": task.now,
    }
    problems: dict[str, object] = {
        "sha256": task.sha,
        "source_file": task.source,
        "check_code": problem.code,
        "severity": problem.severity,
        "scope": problem.scope,
        "message_vi": problem.message("vi"),
        "message_en": problem.message("en"),
        "fix_vi": problem.fix("vi"),
        "fix_en": problem.fix("en"),
    }
    record = _file_load(o, None, task.archived, task.arrival_seq, task.batch_id, task.now)
    tables = {
        "quarantine.dti_files": [pub_row],
        "audit.dti_problems": [problems],
        "audit.file_errors": [error],
        "audit.dti_file_loads": [record],
    }
    return DtiLanded(o, {t: to_columns(r) for t, r in tables.items()})


@dataclass(frozen=True)
class _Candidate:
    task: DtiTask
    archived: Path
    sidecar: Path | None  # archived sidecar read with the file
    duplicate: bool


def _known(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str]], set[str], int]:
    """(source, sha) pairs recorded, hashes loaded (accepted or partial), last arrival_seq."""
    seen = set(con.execute("select source_file, sha256 from audit.dti_file_loads").fetchall())
    loaded = {
        s
        for (s,) in con.execute(
            # a rejected file may come back under a new name once its sidecar is added
            "select sha256 from audit.dti_file_loads where status in ('accepted', 'partial')"
        ).fetchall()
    }
    last = con.execute("select coalesce(max(arrival_seq), 0) from audit.dti_file_loads").fetchone()
    return seen, loaded, int(last[0]) if last else 0


def _archive_sidecar(f: InboxFile, archive_dir: Path, max_bytes: int) -> Path | None:
    """Archive the file's ``.meta.json`` sidecar (part of what is read) if it is a regular
    file; a broken or oversized one is archived too, for the reader to report (up to
    ``max_bytes``: past that it is not read at all)."""
    sidecar = sidecar_path(f.path)
    try:
        if sidecar.lstat().st_size > max_bytes:
            return None
        copied = archive(sidecar, None, archive_dir)
        return copied[1] if copied else None
    except OSError:  # none, a symlink or a special file: read as "no sidecar"
        return None


def _archive_new(
    con: duckdb.DuckDBPyConnection, settings: Settings, batch_id: str, now: dt.datetime
) -> tuple[int, list[_Candidate], list[tuple[str, str]]]:
    """New DTI files, archived with their sidecars before anything reads them."""
    scan = scan_inbox(settings.inbox_dti, _wanted, settings.inbox_settle_seconds)
    seen, loaded, seq = _known(con)
    candidates: list[_Candidate] = []
    skipped = list(scan.skipped)
    for f in scan.files:
        refusal = too_large(f, MAX_DTI_BYTES)
        if refusal is not None:  # refused on its stat: never read, never in the archive
            skipped.append((f.source, refusal))
            continue
        try:
            sha = sha256_of(f.path)
            if (f.source, sha) in seen:
                continue
            copied = archive(f.path, sha, settings.archive_dir, durable=False, scanned=f)
            sidecar = (
                _archive_sidecar(f, settings.archive_dir, settings.max_file_bytes)
                if copied
                else None
            )
        except OSError as exc:
            log.warning("DTI inbox file %s skipped: %s", f.source, exc)
            skipped.append((f.source, str(exc)))
            continue
        if copied is None:
            skipped.append((f.source, "changed while it was archived: left for the next run"))
            continue
        archived = copied[1]
        seq += 1
        task = DtiTask(archived, f.source, sha, str(archived), seq, batch_id, now)
        candidates.append(_Candidate(task, archived, sidecar, duplicate=sha in loaded))
        loaded.add(sha)
    if candidates:
        make_durable()
    return len(scan.files), candidates, skipped


def _duplicate(c: _Candidate) -> DtiLanded:
    t = c.task
    outcome = DtiFileOutcome(t.source, t.sha, FileStatus.DUPLICATE)
    record = _file_load(outcome, None, t.archived, t.arrival_seq, t.batch_id, t.now)
    return DtiLanded(outcome, {"audit.dti_file_loads": to_columns([record])})


def _append(con: duckdb.DuckDBPyConnection, files: list[DtiLanded]) -> None:
    blocks: dict[str, list[Columns]] = {}
    for landed in files:
        for table, columns in landed.rows.items():
            blocks.setdefault(table, []).append(columns)
    with transaction(con):
        for table, table_blocks in blocks.items():
            append_rows(con, table, concat_columns(table_blocks))


def _write(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[_Candidate, DtiLanded]]
) -> list[DtiLanded]:
    """Write every file in one transaction; if the database refuses it, file by file, and a
    file it still refuses is rejected with the error kept."""
    try:
        _append(con, [landed for _, landed in batch])
        return [landed for _, landed in batch]
    except duckdb.Error:
        if len(batch) == 1:
            failure = Failure(PARSER_FAILED, "write refused", traceback.format_exc())
            fallback = _failed(batch[0][0].task, failure)
            _append(con, [fallback])
            return [fallback]
    return [w for item in batch for w in _write(con, [item])]


def _staged_task(c: _Candidate, stage: Callable[[Path, str], Path]) -> DtiTask:
    """The task reading the archived copy under the file's own name, its sidecar beside it."""
    name = Path(c.task.source).name
    path = stage(c.archived, name)
    if c.sidecar is not None:
        shutil.copyfile(c.sidecar, sidecar_path(path))
    t = c.task
    return DtiTask(path, t.source, t.sha, t.archived, t.arrival_seq, t.batch_id, t.now)


def _land(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    candidates: list[_Candidate],
    *,
    limits: Limits,
    index: bool,
) -> list[DtiFileOutcome]:
    """Read the new files in contained workers and write them all in one transaction."""
    with staging(settings.archive_dir) as stage:
        tasks = [_staged_task(c, stage) for c in candidates if not c.duplicate]
        results = run_contained(
            _land_one, tasks, workers=1, limits=limits, preload=("ingest.dti.load",)
        )
        with closing(results):

            def in_order() -> Iterator[tuple[_Candidate, DtiLanded]]:
                by_task = iter(tasks)
                for c in candidates:
                    if c.duplicate:
                        yield c, _duplicate(c)
                        continue
                    task, result = next(by_task), next(results)
                    yield c, _failed(task, result) if isinstance(result, Failure) else result

            batch: list[tuple[_Candidate, DtiLanded]] = []
            for c, landed in in_order():
                batch.append((c, _checked_against_current(con, c, landed, batch)))
    written = _write(con, batch) if batch else []
    if index:
        append_index(
            settings.archive_dir,
            [_entry(c, w, settings) for (c, _), w in zip(batch, written, strict=True)],
        )
    return [w.outcome for w in written]


def _entry(c: _Candidate, w: DtiLanded, settings: Settings) -> ArchiveEntry:
    return ArchiveEntry(
        loader=LOADER,
        source_file=c.task.source,
        sha256=c.task.sha,
        archived=str(c.archived.relative_to(settings.archive_dir)),
        arrival_seq=c.task.arrival_seq,
        status=str(w.outcome.status),
        period_id=str(w.outcome.year) if w.outcome.year else None,
        sidecar=str(c.sidecar.relative_to(settings.archive_dir)) if c.sidecar else None,
    )


def _limits(settings: Settings) -> Limits:
    return Limits(seconds=settings.file_seconds_limit, memory_bytes=settings.worker_memory_mb << 20)


def ingest_dti(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    batch_id: str,
    *,
    limits: Limits | None = None,
) -> DtiBatchResult:
    """Refresh the province reference and load every new file of the DTI inbox.

    A re-run with the same ``batch_id`` after a failure starts cleanly: files committed by the
    failed run are recorded and skipped, the others land now.
    """
    ensure_landing_tables(con)
    remove_stale_work(settings.archive_dir)
    n_provinces, n_crosswalk = refresh_reference(con)
    now = dt.datetime.now(dt.UTC)
    files_seen, candidates, skipped = _archive_new(con, settings, batch_id, now)
    outcomes = _land(con, settings, candidates, limits=limits or _limits(settings), index=True)
    skipped_new = record_skips(con, "dti", batch_id, settings.inbox_dti, skipped)
    return DtiBatchResult(
        batch_id, files_seen, outcomes, n_provinces, n_crosswalk, skipped, skipped_new
    )


def rebuild_dti_from_archive(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    batch_id: str,
    *,
    limits: Limits | None = None,
) -> DtiBatchResult:
    """Land again, from the archive alone, every indexed DTI file the database lacks (same
    names, sidecars, arrival order); files already recorded are left alone."""
    ensure_landing_tables(con)
    n_provinces, n_crosswalk = refresh_reference(con)
    now = dt.datetime.now(dt.UTC)
    seen, loaded, _ = _known(con)
    entries = read_index(settings.archive_dir, LOADER)
    candidates: list[_Candidate] = []
    skipped: list[tuple[str, str]] = []
    for e in entries:
        archived = settings.archive_dir / e.archived
        if (e.source_file, e.sha256) in seen:
            continue
        if not archived.is_file():
            skipped.append((e.source_file, f"archived copy {e.archived} missing"))
            continue
        sidecar = settings.archive_dir / e.sidecar if e.sidecar else None
        task = DtiTask(
            archived, e.source_file, e.sha256, str(archived), e.arrival_seq, batch_id, now
        )
        candidates.append(_Candidate(task, archived, sidecar, e.sha256 in loaded))
        loaded.add(e.sha256)
    outcomes = _land(con, settings, candidates, limits=limits or _limits(settings), index=False)
    return DtiBatchResult(batch_id, len(entries), outcomes, n_provinces, n_crosswalk, skipped)
