"""Find the DTI table(s) in a file's cells: header row, title rows above it, and one record per row.

A header is the first row, among the first rows of a table, that names the province column and
at least one score or rank column. Rows above it are the preamble: a title line
("Xếp hạng DTI năm 2022 – 63 tỉnh, thành phố") or key/value rows ("Năm | 2022"). Several tables in
one file (the page's "Xếp hạng" and "Xếp hạng chi tiết") are one publication: their records are
merged once provinces are resolved (:func:`merge_into`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.dti.fields import (
    IGNORED_KEYS,
    META_FIELDS,
    RANK_FIELDS,
    SCORE_FIELDS,
    field_for,
    parse_rank,
    parse_score,
)
from ingest.dti.readers import Cell, RawFile
from ingest.encoding import file_encoding, repair
from ingest.text import clean_text, match_key

_HEADER_SCAN_ROWS = 25
_DATA_FIELDS = set(SCORE_FIELDS) | set(RANK_FIELDS)
_TOTAL_KEYS = {"trungbinh", "binhquan", "tong", "tongcong", "average", "mean", "total", "canuoc"}


@dataclass
class Record:
    """One province row as printed, with where each value came from."""

    table: str
    row_number: int  # 1-based, as a person sees it (sheet row, CSV line, n-th <tr>)
    values: dict[str, Cell] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # field -> table it came from
    conflicts: list[tuple[str, Cell, Cell]] = field(default_factory=list)

    @property
    def printed_name(self) -> str:
        return clean_text(self.values.get("province_name"))


@dataclass
class Extracted:
    records: list[Record] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    key_values: list[tuple[str, str, Cell]] = field(default_factory=list)  # (where, field, value)
    extra_columns: list[str] = field(default_factory=list)
    tables_found: int = 0


def find_header(rows: list[list[Cell]]) -> tuple[int, dict[int, str]] | None:
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns: dict[int, str] = {}
        for i, cell in enumerate(row):
            f = field_for(cell)
            if f and f not in columns.values():
                columns[i] = f
        if "province_name" in columns.values() and _DATA_FIELDS & set(columns.values()):
            return index, columns
    return None


def _preamble(rows: list[list[Cell]], table: str, out: Extracted) -> None:
    """Title lines and ``label | value`` rows above the header."""
    for row in rows:
        cells = [c for c in row if clean_text(c) != ""]
        if not cells:
            continue
        f = field_for(cells[0])
        if f in META_FIELDS and len(cells) >= 2:
            out.key_values.append((table, f, cells[1]))
            continue
        text = clean_text(cells[0])
        # "Năm: 2022" in one cell
        if ":" in text:
            label, _, value = text.partition(":")
            f = field_for(label)
            if f in META_FIELDS and value.strip():
                out.key_values.append((table, f, value.strip()))
                continue
        out.titles.append(" ".join(clean_text(c) for c in cells))


def _is_summary_row(name: Cell) -> bool:
    return match_key(name) in _TOTAL_KEYS


def extract(raw: RawFile) -> Extracted:
    """The records and metadata of every DTI table in the file, in file order."""
    out = Extracted(titles=list(raw.titles))
    for table in raw.tables:
        found = find_header(table.rows)
        if found is None:
            continue
        out.tables_found += 1
        header_index, columns = found
        _preamble(table.rows[:header_index], table.name, out)
        for i, label in enumerate(table.rows[header_index]):
            if i not in columns and match_key(label) not in IGNORED_KEYS:
                out.extra_columns.append(clean_text(label))
        for number, row in enumerate(table.rows[header_index + 1 :], start=header_index + 2):
            values = {f: row[i] for i, f in columns.items() if i < len(row)}
            if all(clean_text(v) == "" for v in values.values()):
                continue
            if _is_summary_row(values.get("province_name")):
                continue  # a national mean row is not a province
            out.records.append(
                Record(table.name, number, values, dict.fromkeys(values, table.name))
            )
    _repair_legacy_names(out.records)
    return out


def _repair_legacy_names(records: list[Record]) -> None:
    """Province names re-keyed with a pre-Unicode font (.VnTime, VNI) read as Unicode."""
    hint = file_encoding(r.printed_name for r in records)
    if hint is None:
        return
    for record in records:
        record.values["province_name"] = repair(record.printed_name, hint)[0]


def merge_into(into: Record, other: Record) -> None:
    """Join a province's row from a second table into its first row; disagreements are kept."""
    for f, value in other.values.items():
        if clean_text(value) == "":
            continue
        current = into.values.get(f)
        if clean_text(current) == "":
            into.values[f] = value
            into.origins[f] = other.table
        elif f != "province_name" and not _same(current, value):
            into.conflicts.append((f, current, value))


def _same(a: Cell, b: Cell) -> bool:
    for parse in (parse_score, _rank_only):
        try:
            return parse(a) == parse(b)
        except ValueError:
            continue
    return clean_text(a) == clean_text(b)


def _rank_only(value: Cell) -> int | None:
    return parse_rank(value)[0]
