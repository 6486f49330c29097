"""Read a template-v1 workbook into cells keyed by contract field, keeping where each came from.

Reading does not judge values; :mod:`ingest.submissions.checks` does. Workbooks are read with
python-calamine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from ingest.contract import (
    SHEET_STAFF,
    SHEET_UNIT,
    STAFF_FIELDS,
    staff_field_for,
    unit_field_for,
)
from ingest.problems import Problem
from ingest.text import clean_text, match_key

Cell = object
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_HEADER_SCAN_ROWS = 20
_REQUIRED_STAFF = tuple(f.field_id for f in STAFF_FIELDS if f.required)


@dataclass
class StaffRow:
    row_number: int  # 1-based, as the clerk sees it in Excel
    values: dict[str, Cell]
    extras: dict[str, Cell] = field(default_factory=dict)


@dataclass
class ParsedFile:
    """What a file says, before checking: unit fields, staff rows, and reading problems."""

    path: Path
    unit: dict[str, Cell] = field(default_factory=dict)
    unit_rows: dict[str, int] = field(default_factory=dict)
    staff: list[StaffRow] = field(default_factory=list)
    staff_sheet: str = SHEET_STAFF
    unit_sheet: str = SHEET_UNIT
    problems: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not any(p.is_error and p.scope == "file" for p in self.problems)


def _find_sheet(names: list[str], wanted: str) -> str | None:
    key = match_key(wanted)
    for name in names:
        if match_key(name) == key:
            return name
    return None


def _is_blank(row: list[Cell]) -> bool:
    return all(clean_text(c) == "" for c in row)


def _is_total_row(row: list[Cell]) -> bool:
    return any(match_key(c) in {"tongcong", "tong", "cong", "total"} for c in row[:3])


def read_unit_sheet(rows: list[list[Cell]], parsed: ParsedFile) -> None:
    for index, row in enumerate(rows, start=1):
        if len(row) < 2:
            continue
        field_id = unit_field_for(row[0])
        if field_id and field_id not in parsed.unit:
            parsed.unit[field_id] = row[1]
            parsed.unit_rows[field_id] = index


def find_header(rows: list[list[Cell]]) -> tuple[int, dict[int, str]] | None:
    """Index of the header row and its column → field map.

    A header is the first row, among the first rows of the sheet, naming every required column.
    Merged header cells repeat nothing in calamine, so a label may also sit in the row below a
    merged group title: the two rows are combined.
    """
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns = {i: f for i, c in enumerate(row) if (f := staff_field_for(c))}
        if index + 1 < len(rows):
            for i, c in enumerate(rows[index + 1]):
                f = staff_field_for(c)
                if f and i not in columns and f not in columns.values():
                    columns[i] = f
        if all(f in columns.values() for f in _REQUIRED_STAFF):
            return index, columns
    return None


def read_staff_sheet(rows: list[list[Cell]], parsed: ParsedFile, sheet: str) -> None:
    found = find_header(rows)
    if found is None:
        parsed.problems.append(
            Problem(
                "HEADER_NOT_FOUND",
                sheet=sheet,
                params={"detail": ", ".join(_REQUIRED_STAFF)},
            )
        )
        return
    header_index, columns = found
    header = rows[header_index]
    extras = {
        i: clean_text(c) for i, c in enumerate(header) if i not in columns and clean_text(c) != ""
    }
    for label in extras.values():
        parsed.problems.append(Problem("EXTRA_COLUMN", sheet=sheet, value=label))
    start = header_index + 1
    # A second header line (merged cells) is not data.
    if start < len(rows) and any(staff_field_for(c) for c in rows[start]):
        start += 1
    for index in range(start, len(rows)):
        row = rows[index]
        if _is_blank(row) or _is_total_row(row):
            continue
        values = {f: row[i] if i < len(row) else None for i, f in columns.items()}
        extra_values = {label: row[i] for i, label in extras.items() if i < len(row)}
        parsed.staff.append(StaffRow(index + 1, values, extra_values))


def read_workbook(path: Path) -> ParsedFile:
    """Read a template-v1 spreadsheet (.xlsx, .xls, .ods); problems are recorded, not raised."""
    parsed = ParsedFile(path=path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for broken files
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    names = list(workbook.sheet_names)
    unit_sheet = _find_sheet(names, SHEET_UNIT)
    staff_sheet = _find_sheet(names, SHEET_STAFF)
    for wanted, found in ((SHEET_UNIT, unit_sheet), (SHEET_STAFF, staff_sheet)):
        if found is None:
            parsed.problems.append(Problem("SHEET_MISSING", sheet=wanted))
    if unit_sheet is None or staff_sheet is None:
        return parsed
    parsed.unit_sheet, parsed.staff_sheet = unit_sheet, staff_sheet
    try:
        unit_rows = workbook.get_sheet_by_name(unit_sheet).to_python(skip_empty_area=False)
        staff_rows = workbook.get_sheet_by_name(staff_sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    read_unit_sheet(unit_rows, parsed)
    read_staff_sheet(staff_rows, parsed, staff_sheet)
    return parsed


def read_submission(path: Path) -> ParsedFile:
    """Read any supported submission file."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return read_workbook(path)
    parsed = ParsedFile(path=path)
    parsed.problems.append(Problem("FILE_UNSUPPORTED_TYPE", params={"detail": suffix or path.name}))
    return parsed
