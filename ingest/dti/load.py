"""Load the DTI inbox into ``raw``, ``quarantine`` and ``audit``, one file per transaction.

Every file is archived by content hash before it is read; every data row ends in
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
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.db import ensure_landing_tables
from core.settings import Settings
from core.vocabulary import FileStatus
from ingest.dti.checks import CheckedPublication, CheckedRow, check_file
from ingest.dti.fields import PILLAR_RANKS, SCORE_FIELDS
from ingest.dti.problems import DtiProblem
from ingest.dti.provinces import REFERENCE_DIR, crosswalk_rows, province_rows
from ingest.dti.readers import DTI_SUFFIXES
from ingest.landing import archive, sha256_of
from ingest.text import clean_text


@dataclass
class DtiFileOutcome:
    source_file: str
    sha256: str
    status: str  # a FileStatus
    year: int | None = None
    basis: int | None = None
    is_partial: bool | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: list[DtiProblem] = field(default_factory=list)


@dataclass
class DtiBatchResult:
    batch_id: str
    files_seen: int
    outcomes: list[DtiFileOutcome]
    n_provinces: int = 0
    n_crosswalk: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)


def dti_inbox_files(inbox: Path) -> list[Path]:
    """DTI files in arrival order (modification time, then name); sidecars are not files."""
    files = [
        p
        for p in inbox.rglob("*")
        if p.is_file() and p.suffix.lower() in DTI_SUFFIXES and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def refresh_reference(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Replace provinces, crosswalk, methodology and national means (a full snapshot)."""
    provinces = province_rows()
    crosswalk = crosswalk_rows()
    con.execute("begin")
    for table in ("provinces", "province_crosswalk", "dti_methodology", "dti_national_means"):
        con.execute(f"delete from raw.{table}")
    con.executemany(
        "insert into raw.provinces values "
        "($province_id, $province_name, $basis, $valid_from, $valid_to)",
        provinces,
    )
    con.executemany(
        "insert into raw.province_crosswalk values ($legacy_province_id, $legacy_province_name, "
        "$province_id, $province_name, $effective_date)",
        crosswalk,
    )
    for table, name in (
        ("dti_methodology", "dti_methodology.csv"),
        ("dti_national_means", "dti_national_means.csv"),
    ):
        with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
            rows = [
                {k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(handle)
            ]
        columns = list(rows[0])
        con.executemany(
            f"insert into raw.{table} ({', '.join(columns)}) "
            f"values ({', '.join('$' + c for c in columns)})",
            rows,
        )
    con.execute("commit")
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


def _write(
    con: duckdb.DuckDBPyConnection,
    pub: CheckedPublication,
    *,
    sha: str,
    source: str,
    archived: Path,
    arrival_seq: int,
    batch_id: str,
    now: dt.datetime,
) -> DtiFileOutcome:
    """Write one checked publication in the caller's transaction."""
    good, bad = pub.good_rows, pub.bad_rows
    meta = pub.meta
    if not pub.file_ok:
        status = "rejected"
        errors = [p for p in pub.file_problems if p.is_error]
        con.execute(
            "insert into quarantine.dti_files values (?, ?, ?, ?, ?, ?, ?)",
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
    else:
        status = FileStatus.PARTIAL if bad else FileStatus.ACCEPTED
        con.execute(
            "insert into raw.dti_publications values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                source,
                pub.raw.file_format,
                meta.year,
                meta.basis,
                pub.is_partial,
                len(good),
                _publication_source(pub),
                arrival_seq,
                now,
                batch_id,
            ],
        )
        if good:
            con.executemany(
                "insert into raw.dti_scores values (" + ", ".join(["?"] * 29) + ")",
                [
                    [
                        sha,
                        number,
                        meta.year,
                        meta.basis,
                        r.record.printed_name,
                        r.province.province_id if r.province else None,
                        r.province.province_name if r.province else None,
                        r.ranks.get("rank"),
                        r.n_ranked,
                        *(r.scores.get(f) for f in SCORE_FIELDS[:9]),
                        r.scores.get("tru_cot_chinh_quyen_so"),
                        r.ranks.get(PILLAR_RANKS[0]),
                        r.scores.get("tru_cot_kinh_te_so"),
                        r.ranks.get(PILLAR_RANKS[1]),
                        r.scores.get("tru_cot_xa_hoi_so"),
                        r.ranks.get(PILLAR_RANKS[2]),
                        _row_source(r, pub),
                        now,
                        batch_id,
                        r.record.table,
                        r.record.row_number,
                    ]
                    # row_number orders the publication's rows; source_table/row locate them
                    for number, r in enumerate(good, start=1)
                ],
            )
    if bad:
        con.executemany(
            "insert into quarantine.dti_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    sha,
                    source,
                    r.record.table,
                    r.record.row_number,
                    r.record.printed_name or None,
                    _raw_values(r),
                    ",".join(sorted({p.code for p in r.problems if p.is_error})) or "FILE_REJECTED",
                    " | ".join(p.message("vi") for p in r.problems if p.is_error)
                    or "Tệp bị từ chối.",
                    " | ".join(p.message("en") for p in r.problems if p.is_error)
                    or "File rejected.",
                    "; ".join(r.candidates) or None,
                    batch_id,
                    now,
                ]
                for r in bad
            ],
        )
    province_of = {id(p): r.province for r in pub.rows for p in r.problems}
    problems = pub.all_problems
    if problems:
        con.executemany(
            "insert into audit.dti_problems values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    sha,
                    source,
                    p.code,
                    p.severity,
                    p.scope,
                    p.table,
                    p.row,
                    p.column,
                    p.value,
                    prov.province_id if (prov := province_of.get(id(p))) else None,
                    p.message("vi"),
                    p.message("en"),
                    p.fix("vi"),
                    p.fix("en"),
                ]
                for p in problems
            ],
        )
    outcome = DtiFileOutcome(
        source,
        sha,
        status,
        year=meta.year,
        basis=meta.basis,
        is_partial=pub.is_partial if pub.file_ok else None,
        rows_read=len(pub.rows),
        rows_loaded=len(good),
        rows_quarantined=len(bad),
        problems=problems,
    )
    _record(con, outcome, pub, archived, arrival_seq, batch_id, now)
    return outcome


def _record(
    con: duckdb.DuckDBPyConnection,
    o: DtiFileOutcome,
    pub: CheckedPublication | None,
    archived: Path,
    arrival_seq: int,
    batch_id: str,
    now: dt.datetime,
) -> None:
    evidence = pub.meta.evidence if pub else {}
    con.execute(
        "insert into audit.dti_file_loads values "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            o.source_file,
            o.sha256,
            str(archived),
            arrival_seq,
            o.status,
            pub.raw.file_format if pub else Path(o.source_file).suffix.lower().lstrip("."),
            o.year,
            o.basis,
            o.is_partial,
            "; ".join(evidence.get("year", [])) or None,
            "; ".join(evidence.get("basis", [])) or None,
            o.rows_read,
            o.rows_loaded,
            o.rows_quarantined,
            sum(1 for p in o.problems if p.is_error),
            sum(1 for p in o.problems if p.severity == "warning"),
            now,
        ],
    )


def ingest_dti(con: duckdb.DuckDBPyConnection, settings: Settings, batch_id: str) -> DtiBatchResult:
    """Refresh the province reference and load every new file of the DTI inbox."""
    ensure_landing_tables(con)
    n_provinces, n_crosswalk = refresh_reference(con)
    seen = set(con.execute("select source_file, sha256 from audit.dti_file_loads").fetchall())
    loaded = {
        s
        for (s,) in con.execute(
            # a rejected file may come back under a new name once its sidecar is added
            "select sha256 from audit.dti_file_loads where status in ('accepted', 'partial')"
        ).fetchall()
    }
    last = con.execute("select coalesce(max(arrival_seq), 0) from audit.dti_file_loads").fetchone()
    seq = int(last[0]) if last else 0
    now = dt.datetime.now(dt.UTC)
    files = dti_inbox_files(settings.inbox_dti)
    outcomes: list[DtiFileOutcome] = []
    for path in files:
        source = str(path.relative_to(settings.inbox_dti))
        sha = sha256_of(path)
        if (source, sha) in seen:
            continue
        archived = archive(path, sha, settings.archive_dir)
        seq += 1
        con.execute("begin")
        try:
            if sha in loaded:
                outcome = DtiFileOutcome(source, sha, "duplicate")
                _record(con, outcome, None, archived, seq, batch_id, now)
            else:
                outcome = _write(
                    con,
                    check_file(path),
                    sha=sha,
                    source=source,
                    archived=archived,
                    arrival_seq=seq,
                    batch_id=batch_id,
                    now=now,
                )
                loaded.add(sha)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        outcomes.append(outcome)
    return DtiBatchResult(batch_id, len(files), outcomes, n_provinces, n_crosswalk)
