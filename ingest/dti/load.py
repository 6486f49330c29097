"""Load the DTI inbox into ``raw``, ``quarantine`` and ``audit``.

The loading itself is :mod:`ingest.loader`'s, shared with the submissions loader: every file
(and its ``.meta.json`` sidecar) is archived by content hash before it is read, the archived
copy is what is read, in a contained worker process (:mod:`ingest.workers`), and the rows of up
to ``BATCH_FILES`` files are appended in one transaction. A file that crashes, hangs or
exhausts the reader is rejected with its traceback kept in ``audit.file_errors``, and the other
files go on. Every data row ends in ``raw.dti_scores`` or ``quarantine.dti_rows``;
``audit.dti_file_loads`` reconciles rows read = rows loaded + rows quarantined. A file whose
identity (its bytes, with its sidecar's) was already loaded is recorded as a duplicate; the same
table re-sent with a corrected sidecar is a new publication.

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
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from core.db import Block, append_rows, block_frame, ensure_landing_tables, to_block, transaction
from core.settings import Settings
from core.vocabulary import FileStatus
from ingest import loader
from ingest.dti.checks import CheckedPublication, CheckedRow, check_file
from ingest.dti.current import RANKING_COLUMNS, contradictions, current_ranking, pending_rows
from ingest.dti.fields import PILLAR_RANKS, SCORE_FIELDS
from ingest.dti.metadata import PublicationMeta, sidecar_path
from ingest.dti.problems import DtiProblem
from ingest.dti.provinces import REFERENCE_DIR, crosswalk_rows, province_rows
from ingest.dti.readers import DTI_SUFFIXES, MAX_DTI_BYTES, RawFile
from ingest.landing import ArchiveEntry, staging
from ingest.loader import BatchContext, Candidate
from ingest.text import clean_text
from ingest.workers import Answered, Failure, Limits, run_contained

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
class DtiBatchResult(loader.BatchResult[DtiFileOutcome]):
    n_provinces: int = 0
    n_crosswalk: int = 0


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
    sidecar: str | None = None  # the archived sidecar read with it


@dataclass
class DtiLanded:
    """One file's outcome and the rows it adds to each table (``table -> block``)."""

    outcome: DtiFileOutcome
    rows: dict[str, Block]
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
            "table_name": p.sheet,
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
    o: DtiFileOutcome, pub: CheckedPublication | None, task: DtiTask
) -> dict[str, object]:
    evidence = pub.meta.evidence if pub else {}
    return {
        "batch_id": task.batch_id,
        "source_file": o.source_file,
        "sha256": o.sha256,
        "archived_path": task.archived,
        "archived_sidecar": task.sidecar,
        "arrival_seq": task.arrival_seq,
        "status": str(o.status),
        "file_format": pub.raw.file_format if pub else _file_format(o.source_file),
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
        "loaded_at": task.now,
    }


def _file_format(source: str) -> str:
    return Path(source).suffix.lower().lstrip(".")


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
    rows["audit.dti_file_loads"] = [_file_load(outcome, pub, task)]
    partial = (pub, task) if pub.file_ok and pub.is_partial else None
    return DtiLanded(outcome, {t: to_block(r) for t, r in rows.items() if r}, partial)


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
    new = block_frame(landed.rows["raw.dti_scores"])[list(RANKING_COLUMNS)]
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


def _land_one(task: DtiTask) -> DtiLanded:
    """Worker side: read, check and shape one archived file."""
    return landed_publication(check_file(task.path), task)


def _task(c: Candidate, ctx: BatchContext, path: Path | None = None) -> DtiTask:
    sidecar = str(c.sidecar) if c.sidecar else None
    archived = str(c.archived)
    return DtiTask(
        path or c.archived, c.source, c.sha, archived, c.arrival_seq, ctx.batch_id, ctx.now,
        sidecar,
    )  # fmt: skip


class Dti(loader.Source[DtiLanded]):
    """The DTI inbox: ranking tables (HTML, XLSX, CSV), each with an optional sidecar."""

    name = "dti"
    file_loads = "audit.dti_file_loads"
    # a rejected file may come back under a new name once its sidecar is added
    loaded_statuses = ("accepted", "partial")
    index_columns = "null, cast(year as varchar), archived_sidecar"
    max_bytes = MAX_DTI_BYTES

    @property
    def inbox(self) -> Path:
        return self.settings.inbox_dti

    def batch_key(self, batch_id: str) -> str:
        """Both loaders run under one batch id each night: DTI's run is recorded apart."""
        return f"{batch_id}:{self.name}"

    def wanted(self, name: str) -> bool:
        """DTI files by suffix; sidecars travel with their file, hidden files wait."""
        return Path(name).suffix.lower() in DTI_SUFFIXES and not name.startswith(".")

    def sidecar(self, path: Path) -> Path | None:
        return sidecar_path(path)

    def read(
        self, items: Iterable[Candidate | Answered], ctx: BatchContext, limits: Limits
    ) -> Generator[Any, None, None]:
        """Each archived copy read under its own name, its sidecar beside it."""
        with staging(self.settings.archive_dir) as stage:

            def staged(c: Candidate) -> DtiTask:
                path = stage(c.archived, Path(c.source).name)
                if c.sidecar is not None:
                    shutil.copyfile(c.sidecar, sidecar_path(path))
                return _task(c, ctx, path)

            tasks = (i if isinstance(i, Answered) else staged(i) for i in items)
            yield from run_contained(
                _land_one, tasks, workers=1, limits=limits, preload=("ingest.dti.load",)
            )

    def unread(self, c: Candidate, failure: Failure | None, ctx: BatchContext) -> DtiLanded:
        task = _task(c, ctx)
        if failure is None:
            outcome = DtiFileOutcome(c.source, c.sha, FileStatus.DUPLICATE)
            record = _file_load(outcome, None, task)
            return DtiLanded(outcome, {"audit.dti_file_loads": to_block([record])})
        detail = f"{failure.code}: {failure.detail}"
        problem = DtiProblem("FILE_UNREADABLE", params={"detail": detail})
        raw = RawFile(c.archived, _file_format(c.source), error=detail)
        return _shaped(CheckedPublication(raw, PublicationMeta(), file_problems=[problem]), task)

    def review(
        self,
        con: duckdb.DuckDBPyConnection,
        c: Candidate,
        landed: DtiLanded,
        earlier: list[DtiLanded],
    ) -> DtiLanded:
        return _against_current(con, landed, earlier)

    def entry(self, c: Candidate, landed: DtiLanded) -> ArchiveEntry:
        o = landed.outcome
        archive_dir = self.settings.archive_dir
        return ArchiveEntry(
            loader=self.name,
            source_file=c.source,
            sha256=c.sha,
            archived=str(c.archived.relative_to(archive_dir)),
            arrival_seq=c.arrival_seq,
            status=str(o.status),
            period_id=str(o.year) if o.year else None,
            sidecar=str(c.sidecar.relative_to(archive_dir)) if c.sidecar else None,
        )


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
    n_provinces, n_crosswalk = refresh_reference(con)
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC))
    result = loader.ingest(con, Dti(settings), ctx, limits=limits)
    return DtiBatchResult(**vars(result), n_provinces=n_provinces, n_crosswalk=n_crosswalk)


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
    ctx = BatchContext(batch_id, dt.datetime.now(dt.UTC))
    result = loader.rebuild(con, Dti(settings), ctx, limits=limits)
    return DtiBatchResult(**vars(result), n_provinces=n_provinces, n_crosswalk=n_crosswalk)
