"""Check a DTI publication: resolve provinces, parse values, and run the named checks.

File-level errors reject the publication (every row goes to quarantine); row-level errors
quarantine the row; warnings (formula residual, split tie) are recorded and the row is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.dti.fields import (
    LABELS,
    MAIN_INDICES,
    QD922_TOLERANCE,
    QD922_WEIGHTS,
    QD922_YEARS,
    RANK_FIELDS,
    SCORE_FIELDS,
    parse_rank,
    parse_score,
)
from ingest.dti.metadata import PublicationMeta, gather
from ingest.dti.problems import DtiProblem
from ingest.dti.provinces import Province, resolve_province
from ingest.dti.readers import RawFile, read_dti_file
from ingest.dti.table import Extracted, Record, extract, merge_into
from ingest.text import clean_text


@dataclass
class CheckedRow:
    record: Record
    province: Province | None = None
    candidates: tuple[str, ...] = ()
    scores: dict[str, float | None] = field(default_factory=dict)
    ranks: dict[str, int | None] = field(default_factory=dict)
    n_ranked: int | None = None
    problems: list[DtiProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def name(self) -> str:
        return self.province.province_name if self.province else self.record.printed_name

    def add(self, code: str, **kwargs: object) -> None:
        self.problems.append(
            DtiProblem(code, sheet=self.record.table, row=self.record.row_number, **kwargs)  # type: ignore[arg-type]
        )


@dataclass
class CheckedPublication:
    raw: RawFile
    meta: PublicationMeta
    rows: list[CheckedRow] = field(default_factory=list)
    file_problems: list[DtiProblem] = field(default_factory=list)

    @property
    def file_ok(self) -> bool:
        return not any(p.is_error for p in self.file_problems)

    @property
    def good_rows(self) -> list[CheckedRow]:
        return [r for r in self.rows if r.ok] if self.file_ok else []

    @property
    def bad_rows(self) -> list[CheckedRow]:
        return [r for r in self.rows if not r.ok] if self.file_ok else list(self.rows)

    @property
    def is_partial(self) -> bool:
        return self.meta.basis is not None and len(self.good_rows) < self.meta.basis

    @property
    def all_problems(self) -> list[DtiProblem]:
        return self.file_problems + [p for r in self.rows for p in r.problems]


def check_file(path: Path) -> CheckedPublication:
    """Read and check one publication file; never raises on bad content."""
    raw = read_dti_file(path)
    if raw.error:
        pub = CheckedPublication(raw, PublicationMeta())
        pub.file_problems.append(DtiProblem("FILE_UNREADABLE", params={"detail": raw.error}))
        return pub
    return check_publication(raw, extract(raw))


def check_publication(raw: RawFile, extracted: Extracted) -> CheckedPublication:
    meta = gather(raw, extracted)
    pub = CheckedPublication(raw, meta, file_problems=list(meta.problems))
    pub.file_problems += [DtiProblem("EXTRA_COLUMN", value=c) for c in extracted.extra_columns]
    if extracted.tables_found == 0:
        pub.file_problems.append(DtiProblem("TABLE_NOT_FOUND"))
        return pub
    basis = meta.basis
    rows = [_parse_row(record, basis) for record in extracted.records]
    if basis is not None:
        rows = _resolve_and_merge(rows, basis)
        _check_duplicates(rows, meta)
        _check_ranks(rows, basis)
        if meta.year is not None and meta.year in QD922_YEARS:
            _check_formula(rows, meta.year)
    pub.rows = rows
    if pub.file_ok and pub.is_partial:
        pub.file_problems.append(
            DtiProblem(
                "PARTIAL_TABLE",
                params={"n_rows": str(len(pub.good_rows)), "basis": str(basis)},
            )
        )
    return pub


def _parse_row(record: Record, basis: int | None) -> CheckedRow:
    row = CheckedRow(record)
    values = record.values
    for f in SCORE_FIELDS:
        try:
            score = parse_score(values.get(f))
        except ValueError:
            row.add("SCORE_INVALID", column=LABELS[f], value=clean_text(values.get(f)))
            continue
        if score is not None and not 0.0 <= score <= 1.0:
            row.add("SCORE_OUT_OF_RANGE", column=LABELS[f], value=f"{score:g}")
            continue
        row.scores[f] = score
    for f in RANK_FIELDS:
        try:
            rank, n = parse_rank(values.get(f))
        except ValueError:
            row.add("RANK_INVALID", column=LABELS[f], value=clean_text(values.get(f)))
            continue
        if rank is not None and basis is not None and not 1 <= rank <= basis:
            row.add(
                "RANK_OUT_OF_RANGE", column=LABELS[f], value=str(rank), params={"basis": str(basis)}
            )
            continue
        row.ranks[f] = rank
        if f == "rank" and n is not None:
            row.n_ranked = n
    if row.n_ranked is None:
        try:
            row.n_ranked = parse_rank(values.get("n_ranked"))[0]
        except ValueError:
            row.add(
                "RANK_INVALID", column=LABELS["n_ranked"], value=clean_text(values.get("n_ranked"))
            )
    if row.n_ranked is None:
        row.n_ranked = basis  # a table on the 63 basis ranks 63 provinces
    if not any(v is not None for v in (*row.scores.values(), *row.ranks.values())) and row.ok:
        row.add("ROW_NO_VALUES", value=record.printed_name)
    for f, first, second in record.conflicts:
        row.add(
            "VALUE_CONFLICT",
            column=LABELS[f],
            params={"province": record.printed_name, "detail": f"{first} ≠ {second}"},
        )
    return row


def _resolve_and_merge(rows: list[CheckedRow], basis: int) -> list[CheckedRow]:
    """Resolve each printed name; join a province's rows from different tables into one."""
    kept: list[CheckedRow] = []
    first_by_province: dict[str, CheckedRow] = {}
    for row in rows:
        printed = row.record.printed_name
        if not printed:
            row.add("PROVINCE_MISSING")
            kept.append(row)
            continue
        resolution = resolve_province(printed, basis)
        if resolution.province is None:
            row.candidates = resolution.candidates
            merged = resolution.merged_into
            row.add(
                "PROVINCE_UNRESOLVED",
                column=LABELS["province_name"],
                value=printed,
                params={
                    "basis": str(basis),
                    "candidates": ", ".join(resolution.candidates) or "-",
                    "first": resolution.candidates[0] if resolution.candidates else "",
                    "merged_vi": f" (đã nhập vào {merged} từ 01/07/2025)" if merged else "",
                    "merged_en": f" (merged into {merged} on 2025-07-01)" if merged else "",
                },
            )
            kept.append(row)
            continue
        row.province = resolution.province
        first = first_by_province.get(row.province.province_id)
        if first is not None and first.record.table != row.record.table:
            # the same province in the page's second table: one publication row
            merge_into(first.record, row.record)
            merged_row = _parse_row(first.record, basis)
            merged_row.province = first.province
            kept[kept.index(first)] = merged_row
            first_by_province[row.province.province_id] = merged_row
            continue
        first_by_province.setdefault(row.province.province_id, row)
        kept.append(row)
    return kept


def _check_duplicates(rows: list[CheckedRow], meta: PublicationMeta) -> None:
    by_province: dict[str, list[CheckedRow]] = {}
    for row in rows:
        if row.province is not None:
            by_province.setdefault(row.province.province_id, []).append(row)
    for same in by_province.values():
        if len(same) > 1:
            for row in same:  # which one is right is for a person to say
                row.add(
                    "PROVINCE_DUPLICATE",
                    column=LABELS["province_name"],
                    value=row.record.printed_name,
                    params={
                        "province": row.name,
                        "count": str(len(same)),
                        "year": str(meta.year),
                        "basis": str(meta.basis),
                    },
                )


def _check_ranks(rows: list[CheckedRow], basis: int) -> None:
    """Competition ranking (1, 2, 2, 4): ranks agree with scores, and tie gaps are kept."""
    ranked = [r for r in rows if r.ok and r.ranks.get("rank") is not None]
    is_full = len(ranked) == basis
    if is_full:
        for row in ranked:
            rank = int(row.ranks["rank"] or 0)
            ahead = sum(1 for o in ranked if int(o.ranks["rank"] or 0) < rank)
            if rank != ahead + 1:
                row.add(
                    "RANK_SEQUENCE",
                    column=LABELS["rank"],
                    value=str(rank),
                    params={"count": str(ahead), "expected": str(ahead + 1)},
                )
    scored = [r for r in ranked if r.scores.get("dti") is not None]
    for i, a in enumerate(scored):
        for b in scored[i + 1 :]:
            sa, sb = a.scores["dti"], b.scores["dti"]
            ra, rb = a.ranks["rank"], b.ranks["rank"]
            assert sa is not None and sb is not None and ra is not None and rb is not None
            params = {
                "province": a.name,
                "score": f"{sa:.4f}",
                "rank": str(ra),
                "other": b.name,
                "other_score": f"{sb:.4f}",
                "other_rank": str(rb),
            }
            if sa == sb and ra != rb:
                a.add("RANK_TIE_SPLIT", column=LABELS["rank"], params=params)
            elif (sa > sb and ra >= rb) or (sa < sb and ra <= rb):
                a.add("RANK_SCORE_DISORDER", column=LABELS["rank"], value=str(ra), params=params)
                swapped = {
                    **params,
                    "province": b.name,
                    "score": f"{sb:.4f}",
                    "rank": str(rb),
                    "other": a.name,
                    "other_score": f"{sa:.4f}",
                    "other_rank": str(ra),
                }
                b.add("RANK_SCORE_DISORDER", column=LABELS["rank"], value=str(rb), params=swapped)


def formula_value(scores: dict[str, float | None]) -> float | None:
    """QĐ 922 weighted sum of the 8 main indices, or ``None`` if any is missing."""
    total = 0.0
    for f in MAIN_INDICES:
        value = scores.get(f)
        if value is None:
            return None
        total += QD922_WEIGHTS[f] * value
    return total


def _check_formula(rows: list[CheckedRow], year: int) -> None:
    for row in rows:
        dti = row.scores.get("dti")
        expected = formula_value(row.scores)
        if dti is None or expected is None:
            continue
        residual = dti - expected
        # the tiny slack absorbs binary floating point, not data error
        if abs(residual) > QD922_TOLERANCE + 1e-9:
            row.add(
                "FORMULA_RESIDUAL",
                column=LABELS["dti"],
                value=f"{dti:.4f}",
                params={
                    "year": str(year),
                    "province": row.name,
                    "dti": f"{dti:.4f}",
                    "expected": f"{expected:.6f}",
                    "residual": f"{residual:+.6f}",
                },
            )
