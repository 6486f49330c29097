"""Read a submission (.xlsx, .xls, .ods or flat CSV) into cells keyed by contract field.

Reading does not judge values; :mod:`ingest.submissions.checks` does. It does find the data as
clerks lay it out: title rows above the header, merged header cells over two rows, a row of
column numbers under the header, blank rows, a "Tổng cộng" row and signatures below, extra
and reordered columns, NFD text, and legacy-font text (TCVN3, VNI), which is converted to
Unicode. Workbooks are read with python-calamine; every sheet's text is NFC.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from ingest.contract import (
    FIELDS_BY_ID,
    SHEET_STAFF,
    SHEET_UNIT,
    STAFF_FIELDS,
    UNIT_FIELD_IDS,
    YES_NO,
    choice_for,
    staff_field_for,
    unit_field_for,
)
from ingest.encoding import Encoding, decode_text, file_encoding, repair
from ingest.problems import Problem
from ingest.submissions.sniff import check_limits, sniff_kind
from ingest.text import clean_text, match_key
from ingest.values import parse_period, parse_yes_no

Cell = object
Grid = list[list[Cell]]
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# Problems after which there is nothing to check; any other problem still lets the checks run,
# so the clerk learns every problem of the file at once.
BLOCKING_CODES = frozenset(
    {
        "FILE_UNREADABLE",
        "FILE_UNSUPPORTED_TYPE",
        "FILE_TOO_LARGE",
        "FILE_CONTENT_TOO_LARGE",
        "FILE_TOO_COMPLEX",
        "CELL_TOO_LONG",
        "SHEET_MISSING",
        "HEADER_NOT_FOUND",
    }
)
_HEADER_SCAN_ROWS = 30
_REQUIRED_STAFF = tuple(f.field_id for f in STAFF_FIELDS if f.required)
_TOTAL_KEYS = {"tongcong", "tong", "cong", "total", "tongso"}
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")
_YES_NO_FIELDS = {"has_dx_focal_point", "dx_network_member", "incident_response_member"} | {
    "platform_access"
}


@dataclass
class StaffRow:
    row_number: int  # 1-based, as the clerk sees it in Excel (or the line in a CSV file)
    values: dict[str, Cell]
    extras: dict[str, Cell] = field(default_factory=dict)


@dataclass
class ParsedFile:
    """What a file says, before checking: unit fields, staff rows, and reading problems."""

    path: Path
    file_format: str | None = None
    text_encoding: str | None = None  # CSV charset, or the legacy font found in the cells
    unit: dict[str, Cell] = field(default_factory=dict)
    unit_rows: dict[str, int] = field(default_factory=dict)
    unit_columns: dict[str, str] = field(default_factory=dict)
    staff: list[StaffRow] = field(default_factory=list)
    staff_sheet: str = SHEET_STAFF
    unit_sheet: str = SHEET_UNIT
    problems: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """Whether the unit fields and rows could be read (even if the file is then rejected)."""
        return not any(p.code in BLOCKING_CODES for p in self.problems)


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``: columns as Excel names them."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _find_sheet(names: list[str], wanted: str) -> str | None:
    key = match_key(wanted)
    for name in names:
        if match_key(name) == key:
            return name
    return None


def _is_blank(row: list[Cell]) -> bool:
    return all(clean_text(c) == "" for c in row)


def _is_total_row(row: list[Cell]) -> bool:
    return any(match_key(c) in _TOTAL_KEYS for c in row[:4])


def _is_column_number_row(row: list[Cell]) -> bool:
    """The "(1) (2) (3) …" row Vietnamese forms put under the header."""
    cells = [clean_text(c) for c in row if clean_text(c) != ""]
    if len(cells) < 3 or not all(_COLUMN_NUMBER.fullmatch(c) for c in cells):
        return False
    numbers = [int(c.strip("()")) for c in cells]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _choice_fields() -> dict[str, Callable[[object], bool]]:
    """For enumerated fields: does a value spell one of the allowed choices?"""
    tests: dict[str, Callable[[object], bool]] = {}
    for field_id, f in FIELDS_BY_ID.items():
        if field_id in _YES_NO_FIELDS or f.choices == YES_NO:
            tests[field_id] = lambda v: parse_yes_no(v) is not None
        elif f.choices:
            tests[field_id] = lambda v, c=f.choices: choice_for(v, c) is not None  # type: ignore[misc]
    tests["period"] = lambda v: parse_period(v) is not None
    return tests


_CHOICE_TESTS = _choice_fields()


class _Text:
    """NFC and legacy-font repair of a file's text cells, remembering what was typed."""

    def __init__(self, grids: list[Grid]) -> None:
        texts = [c for g in grids for row in g for c in row if isinstance(c, str) and c.strip()]
        self.encoding: Encoding | None = file_encoding(
            unicodedata.normalize("NFC", t) for t in texts
        )
        self.converted = 0

    def fix_grid(self, grid: Grid) -> tuple[Grid, Grid]:
        """(repaired grid, NFC grid as typed)."""
        typed = [[_nfc(c) for c in row] for row in grid]
        fixed = [[self._fix(c) for c in row] for row in typed]
        return fixed, typed

    def _fix(self, value: Cell) -> Cell:
        if not isinstance(value, str):
            return value
        repaired, encoding = repair(value, self.encoding)
        if encoding is not None:
            self.converted += 1
        return repaired


def _nfc(value: Cell) -> Cell:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _pick(field_id: str, repaired: Cell, typed: Cell) -> Cell:
    """The repaired value, unless only the value as typed spells an allowed choice."""
    test = _CHOICE_TESTS.get(field_id)
    if test is not None and repaired != typed and not test(repaired) and test(typed):
        return typed
    return repaired


def read_unit_sheet(rows: Grid, typed: Grid, parsed: ParsedFile) -> None:
    """Key/value rows: a label (column A, or the first labelled cell) and the value after it."""
    for index, row in enumerate(rows):
        for col, cell in enumerate(row):
            field_id = unit_field_for(cell)
            if field_id is None:
                continue
            if field_id not in parsed.unit:
                value_col = next(
                    (i for i in range(col + 1, len(row)) if clean_text(row[i]) != ""), col + 1
                )
                value = row[value_col] if value_col < len(row) else None
                original = typed[index][value_col] if value_col < len(row) else None
                parsed.unit[field_id] = _pick(field_id, value, original)
                parsed.unit_rows[field_id] = index + 1
                parsed.unit_columns[field_id] = column_letter(value_col)
            break


def find_header(rows: Grid) -> tuple[int, dict[int, str], int] | None:
    """Index of the header row, its column → field map, and how many rows the header spans.

    A header is the first row, among the first rows of the sheet, naming every required column.
    Calamine gives a merged cell's value in its first cell only, so a label may sit in the row
    below a merged group title: the two rows are combined.
    """
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns = {i: f for i, c in enumerate(row) if (f := staff_field_for(c))}
        span = 1
        if index + 1 < len(rows):
            below = {i: f for i, c in enumerate(rows[index + 1]) if (f := staff_field_for(c))}
            for i, f in below.items():
                if i not in columns and f not in columns.values():
                    columns[i] = f
            if below:
                span = 2
        if all(f in columns.values() for f in _REQUIRED_STAFF):
            return index, columns, span
    return None


def _extras(rows: Grid, header_index: int, span: int, skip: set[int]) -> dict[int, str]:
    extras: dict[int, str] = {}
    width = max((len(r) for r in rows[header_index : header_index + span]), default=0)
    for i in range(width):
        if i in skip:
            continue
        labels = [clean_text(r[i]) for r in rows[header_index : header_index + span] if i < len(r)]
        label = " / ".join(lb for lb in labels if lb)
        if label:
            extras[i] = label
    return extras


def read_staff_sheet(rows: Grid, typed: Grid, parsed: ParsedFile, sheet: str) -> None:
    found = find_header(rows)
    if found is None:
        parsed.problems.append(
            Problem(
                "HEADER_NOT_FOUND",
                sheet=sheet,
                params={
                    "detail": ", ".join(FIELDS_BY_ID[f].label_vi for f in _REQUIRED_STAFF),
                },
            )
        )
        return
    header_index, columns, span = found
    unit_columns = {
        i: f
        for i, c in enumerate(rows[header_index])
        if (f := unit_field_for(c)) and i not in columns
    }
    extras = _extras(rows, header_index, span, set(columns) | set(unit_columns))
    for i, label in extras.items():
        parsed.problems.append(
            Problem("EXTRA_COLUMN", sheet=sheet, column=column_letter(i), value=label)
        )
    start = header_index + span
    if start < len(rows) and _is_column_number_row(rows[start]):
        start += 1
    if unit_columns:
        _read_flat_unit_fields(rows, typed, parsed, sheet, start, unit_columns)
    for index in range(start, len(rows)):
        row = rows[index]
        if _is_total_row(row):
            break  # below the total come signatures, not people
        if _is_blank(row):
            continue
        cell = _cell_getter(row, typed[index])
        values = {f: cell(i, f) for i, f in columns.items()}
        if all(clean_text(v) == "" for v in values.values()):
            continue  # only extra columns filled in: a note beside the table, not a person
        extra_values = {label: row[i] for i, label in extras.items() if i < len(row)}
        parsed.staff.append(StaffRow(index + 1, values, extra_values))


def _cell_getter(row: list[Cell], typed: list[Cell]) -> Callable[[int, str], Cell]:
    def cell(i: int, field_id: str) -> Cell:
        if i >= len(row):
            return None
        return _pick(field_id, row[i], typed[i])

    return cell


def _read_flat_unit_fields(
    rows: Grid,
    typed: Grid,
    parsed: ParsedFile,
    sheet: str,
    start: int,
    unit_columns: dict[int, str],
) -> None:
    """Flat CSV: the ``DonVi`` fields lead every row and must be the same on every row."""
    parsed.unit_sheet = sheet
    for index in range(start, len(rows)):
        row = rows[index]
        if _is_blank(row) or _is_total_row(row):
            continue
        cell = _cell_getter(row, typed[index])
        for i, field_id in unit_columns.items():
            value = cell(i, field_id)
            if field_id not in parsed.unit:
                parsed.unit[field_id] = value
                parsed.unit_rows[field_id] = index + 1
                parsed.unit_columns[field_id] = FIELDS_BY_ID[field_id].label_vi
            elif clean_text(value) != clean_text(parsed.unit[field_id]):
                parsed.problems.append(
                    Problem(
                        "UNIT_FIELDS_DIFFER",
                        sheet=sheet,
                        row=index + 1,
                        column=FIELDS_BY_ID[field_id].label_vi,
                        value=clean_text(value),
                        params={
                            "label": FIELDS_BY_ID[field_id].label_vi,
                            "expected": clean_text(parsed.unit[field_id]),
                            "first_row": str(parsed.unit_rows[field_id]),
                        },
                    )
                )
    for field_id in UNIT_FIELD_IDS:
        parsed.unit.setdefault(field_id, None)


def _legacy_warning(parsed: ParsedFile, text: _Text) -> None:
    if text.converted:
        names = {"tcvn3": "TCVN3 (.VnTime)", "vni": "VNI-Windows"}
        parsed.text_encoding = text.encoding or parsed.text_encoding
        parsed.problems.append(
            Problem(
                "LEGACY_ENCODING",
                value=names.get(text.encoding or "", "TCVN3/VNI"),
                params={"count": str(text.converted)},
            )
        )


def read_workbook(path: Path, parsed: ParsedFile) -> ParsedFile:
    """Read a template-v1 spreadsheet (.xlsx, .xls, .ods); problems are recorded, not raised."""
    try:
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)  # sniffs the format itself
        names = list(workbook.sheet_names)
        unit_sheet = _find_sheet(names, SHEET_UNIT)
        staff_sheet = _find_sheet(names, SHEET_STAFF)
        for wanted, found in ((SHEET_UNIT, unit_sheet), (SHEET_STAFF, staff_sheet)):
            if found is None:
                parsed.problems.append(Problem("SHEET_MISSING", sheet=wanted))
        if unit_sheet is None or staff_sheet is None:
            return parsed
        parsed.unit_sheet, parsed.staff_sheet = unit_sheet, staff_sheet
        unit_grid: Grid = [
            list(r) for r in workbook.get_sheet_by_name(unit_sheet).to_python(skip_empty_area=False)
        ]
        staff_grid: Grid = [
            list(r)
            for r in workbook.get_sheet_by_name(staff_sheet).to_python(skip_empty_area=False)
        ]
    except Exception as exc:  # calamine raises several error types for broken files
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    text = _Text([unit_grid, staff_grid])
    unit_rows, unit_typed = text.fix_grid(unit_grid)
    staff_rows, staff_typed = text.fix_grid(staff_grid)
    read_unit_sheet(unit_rows, unit_typed, parsed)
    read_staff_sheet(staff_rows, staff_typed, parsed, staff_sheet)
    _legacy_warning(parsed, text)
    return parsed


def read_csv(path: Path, parsed: ParsedFile) -> ParsedFile:
    """Read the flat CSV form: one row per person, ``DonVi`` fields as leading columns."""
    content, charset = decode_text(path.read_bytes())
    parsed.text_encoding = charset
    sample = content[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        grid: Grid = [list(r) for r in csv.reader(io.StringIO(content), dialect)]
    except csv.Error as exc:  # a field past csv.field_size_limit(), usually an unclosed quote
        if "field larger than field limit" in str(exc):
            detail = f"{csv.field_size_limit():,}".replace(",", ".")
            parsed.problems.append(Problem("CELL_TOO_LONG", params={"detail": detail}))
        else:
            parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    text = _Text([grid])
    rows, typed = text.fix_grid(grid)
    sheet = path.name
    parsed.staff_sheet = parsed.unit_sheet = sheet
    read_staff_sheet(rows, typed, parsed, sheet)
    _legacy_warning(parsed, text)
    return parsed


def read_submission(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFile:
    """Read any supported submission file; problems are recorded, never raised."""
    parsed = ParsedFile(path=path)
    try:
        kind = sniff_kind(path)
        refusal = check_limits(path, kind, max_bytes)
    except OSError as exc:
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    parsed.file_format = kind
    if refusal is not None:
        parsed.problems.append(Problem(refusal.code, params={"detail": refusal.detail}))
        return parsed
    if kind is None:
        suffix = path.suffix.lower() or path.name
        if suffix in SPREADSHEET_SUFFIXES:
            # named like a workbook, but its bytes are not one (damaged, or another format)
            detail = f"{path.name}: không phải bảng tính / not a spreadsheet"
            parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": detail}))
        else:
            parsed.problems.append(Problem("FILE_UNSUPPORTED_TYPE", params={"detail": suffix}))
        return parsed
    if kind == "csv":
        return read_csv(path, parsed)
    return read_workbook(path, parsed)
