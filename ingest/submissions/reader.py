"""Read a submission (.xlsx, .xls, .ods or flat CSV) into cells keyed by contract field.

Reading does not judge values; :mod:`ingest.submissions.checks` does. It does find the data as
clerks lay it out: title rows above the header, merged header cells over two rows, a row of
column numbers under the header, blank rows, a "Tổng cộng" row and signatures below, extra
and reordered columns, NFD text, and legacy-font text (TCVN3, VNI), which is converted to
Unicode. Workbooks are read with python-calamine; every sheet's text is NFC.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from core.vocabulary import YES_NO
from ingest.contract import (
    FIELDS_BY_ID,
    HEADER_LABELS,
    SHEET_STAFF,
    SHEET_UNIT,
    STAFF_FIELD_IDS,
    STAFF_FIELDS,
    STAFF_LABELS,
    UNIT_FIELD_IDS,
    UNIT_LABELS,
)
from ingest.encoding import Encoding, decode_text, file_encoding, repair
from ingest.problems import Problem
from ingest.submissions.sniff import inspect
from ingest.text import MEMO_CHARS, clean_text, match_key
from ingest.values import parse_period
from ingest.wordings import CLOSEST_SCORE, Reading, read_choice, read_yes_no

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
        "SHEET_AMBIGUOUS",
        "HEADER_NOT_FOUND",
    }
)
_HEADER_SCAN_ROWS = 30
# Similarity is only tried on the first columns: a header wider than this is not template v1,
# and comparing every cell of a very wide row would cost seconds for nothing.
_SIMILAR_COLUMNS = 64
# DonVi has a dozen items; below this many rows only the template's labels and known wordings
# are read, so a sheet of a million rows costs no similarity scoring and no warning per row.
_UNIT_SIMILAR_ROWS = 100
# Invisible characters that no clerk types on purpose: C0/C1 controls (tab and line breaks are
# white space, kept for clean_text to collapse), zero-width and bidirectional formatting marks,
# and stray byte-order marks. U+00AD is not among them: TCVN3 text uses it for "ư".
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
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
    # the DonVi fields whose label was found, and the NhanLuc fields whose column was found:
    # a field that is not among them is unknown (None), never 0 or "Không"
    unit_found: set[str] = field(default_factory=set)
    staff_found: set[str] = field(default_factory=set)
    staff_header_row: int | None = None
    # DonVi rows whose label was not recognised: (row number, how the label was read)
    unit_unmatched: list[tuple[int, Reading]] = field(default_factory=list)

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
    # only a short cell can say "Tổng cộng": a long one is not even folded
    return any(len(str(c)) <= 40 and match_key(c) in _TOTAL_KEYS for c in row[:4])


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
            tests[field_id] = lambda v: read_yes_no(v)[0] is not None
        elif f.choices:
            tests[field_id] = lambda v, f=field_id: read_choice(f, v).choice is not None  # type: ignore[misc]
    tests["period"] = lambda v: parse_period(v) is not None
    return tests


_CHOICE_TESTS = _choice_fields()


# Only short cells are remembered (see ingest.text.MEMO_CHARS).
def _nfc(value: str) -> str:
    return _nfc_memo(value) if len(value) <= MEMO_CHARS else unicodedata.normalize("NFC", value)


@functools.lru_cache(maxsize=1 << 15)  # the same labels and choices recur in every file
def _nfc_memo(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _typed_text(value: str) -> tuple[str, bool]:
    """``value`` in NFC without control characters, and whether any were removed."""
    return _typed_memo(value) if len(value) <= MEMO_CHARS else _typed(value)


def _typed(value: str) -> tuple[str, bool]:
    text = unicodedata.normalize("NFC", value)
    stripped = _CONTROL.sub("", text)
    return stripped, stripped != text


_typed_memo = functools.lru_cache(maxsize=1 << 15)(_typed)


class _Text:
    """NFC and legacy-font repair of a file's text cells, remembering what was typed."""

    def __init__(self, grids: list[Grid]) -> None:
        texts = [c for g in grids for row in g for c in row if isinstance(c, str) and c.strip()]
        self.encoding: Encoding | None = file_encoding(_nfc(t) for t in texts)
        self.converted = 0
        self.controls = 0  # cells that held control characters
        self.first_control: str | None = None

    def fix_grid(self, grid: Grid, sheet: str) -> tuple[Grid, Grid]:
        """(repaired grid, NFC grid as typed, without control characters)."""
        typed = [
            [self._clean(c, sheet, r, i) for i, c in enumerate(row)] for r, row in enumerate(grid)
        ]
        fixed = [[self._fix(c) for c in row] for row in typed]
        return fixed, typed

    def _clean(self, value: Cell, sheet: str, row: int, col: int) -> Cell:
        if not isinstance(value, str):
            return value
        stripped, removed = _typed_text(value)
        if removed:
            self.controls += 1
            if self.first_control is None:
                self.first_control = f"{sheet} {column_letter(col)}{row + 1}"
        return stripped

    def _fix(self, value: Cell) -> Cell:
        if not isinstance(value, str):
            return value
        repaired, encoding = repair(value, self.encoding)
        if encoding is not None:
            self.converted += 1
        return repaired


def _pick(field_id: str, repaired: Cell, typed: Cell) -> Cell:
    """The repaired value, unless only the value as typed spells an allowed choice."""
    test = _CHOICE_TESTS.get(field_id)
    if test is not None and repaired != typed and not test(repaired) and test(typed):
        return typed
    return repaired


def read_unit_sheet(rows: Grid, typed: Grid, parsed: ParsedFile, sheet: str = SHEET_UNIT) -> None:
    """Key/value rows: a label (column A, or the first labelled cell) and the value after it.

    A label in the template's words (any spelling) may sit in any cell of the row; otherwise the
    row's first text cell is read as a label, by known clerk wordings and then by similarity,
    with a warning saying how it was understood. A row whose label is not recognised is
    reported with the closest known label when it carries a value.
    """
    for index, row in enumerate(rows):
        hit = _strict_label(row)
        if hit is None:
            first = next((c for c, cell in enumerate(row) if clean_text(cell) != ""), None)
            if first is None or not isinstance(row[first], str) or index >= _UNIT_SIMILAR_ROWS:
                continue
            match = UNIT_LABELS.match(row[first])
            if match.field_id is None:
                _unit_label_unmatched(parsed, sheet, index, first, row, match)
                continue
            hit = (first, match)
        col, match = hit
        field_id = str(match.field_id)
        value_col = next((i for i in range(col + 1, len(row)) if clean_text(row[i]) != ""), col + 1)
        value = row[value_col] if value_col < len(row) else None
        original = typed[index][value_col] if value_col < len(row) else None
        if field_id in parsed.unit_found:
            _unit_label_repeated(parsed, sheet, field_id, index, value)
            continue
        parsed.unit[field_id] = _pick(field_id, value, original)
        parsed.unit_rows[field_id] = index + 1
        parsed.unit_columns[field_id] = column_letter(value_col)
        parsed.unit_found.add(field_id)
        if match.understood:
            parsed.problems.append(
                _understood(sheet, index + 1, column_letter(col), match, is_column=False)
            )


def _strict_label(row: list[Cell]) -> tuple[int, Reading] | None:
    """The first cell of a DonVi row naming an item in the template's words or a known
    wording (a label may sit after a number or a blank cell), with how it was read."""
    for col, cell in enumerate(row):
        match = UNIT_LABELS.match(cell, similar=False)
        if match.field_id is not None:
            return col, match
    return None


def _understood(
    sheet: str, row: int | None, column: str, match: Reading, *, is_column: bool
) -> Problem:
    """HEADER_UNDERSTOOD: a label read as a field although not written as the template does."""
    assert match.field_id is not None
    return Problem(
        "HEADER_UNDERSTOOD",
        sheet=sheet,
        row=row,
        column=column,
        value=match.typed,
        params={"label": FIELDS_BY_ID[match.field_id].label_vi, **_what(is_column)},
    )


def _what(is_column: bool) -> dict[str, str]:
    """How a clerk calls the thing a label heads: a column (NhanLuc) or an item (DonVi)."""
    if is_column:
        return {
            "what_vi": "Cột",
            "what_lower_vi": "cột",
            "what_en": "Column",
            "what_lower_en": "column",
        }
    return {"what_vi": "Mục", "what_lower_vi": "mục", "what_en": "Item", "what_lower_en": "item"}


def _options(field_ids: tuple[str, ...]) -> dict[str, str]:
    labels = [f"'{FIELDS_BY_ID[f].label_vi}'" for f in field_ids]
    return {"options_vi": " hoặc ".join(labels), "options_en": " or ".join(labels)}


def _closest(field_ids: tuple[str, ...], *, is_column: bool = False) -> dict[str, str]:
    """Params naming the closest known label of an unrecognised one (empty when none is close)."""
    if not field_ids:
        return {}
    label = FIELDS_BY_ID[field_ids[0]].label_vi
    what = "Cột" if is_column else "Mục"
    return {
        "closest_vi": f" {what} gần nhất trong mẫu: '{label}'.",
        "closest_en": f" The closest template label is '{label}'.",
        "closest_fix_vi": f" (có thể là '{label}')",
        "closest_fix_en": f" (perhaps '{label}')",
        "closest": label,
    }


def _unit_label_unmatched(
    parsed: ParsedFile, sheet: str, index: int, col: int, row: list[Cell], match: Reading
) -> None:
    parsed.unit_unmatched.append((index + 1, match))
    if match.how == "ambiguous":
        parsed.problems.append(
            Problem(
                "HEADER_AMBIGUOUS",
                sheet=sheet,
                row=index + 1,
                column=column_letter(col),
                value=match.typed,
                params={**_what(False), **_options(match.candidates)},
            )
        )
    elif any(clean_text(c) != "" for c in row[col + 1 :]):
        # a row with a value: something the clerk meant to report, under a label not read
        parsed.problems.append(
            Problem(
                "UNIT_LABEL_UNKNOWN",
                sheet=sheet,
                row=index + 1,
                column=column_letter(col),
                value=match.typed,
                params=_closest(match.candidates),
            )
        )


def _unit_label_repeated(
    parsed: ParsedFile, sheet: str, field_id: str, index: int, value: Cell
) -> None:
    """A second row for the same DonVi item: harmless when it repeats the value, else an error."""
    if clean_text(value) == clean_text(parsed.unit.get(field_id)):
        return
    first = parsed.unit_rows[field_id]
    parsed.problems.append(
        Problem(
            "HEADER_DUPLICATE",
            sheet=sheet,
            row=index + 1,
            params={
                "label": FIELDS_BY_ID[field_id].label_vi,
                "places_vi": f"dòng {first} và dòng {index + 1}",
                "places_en": f"rows {first} and {index + 1}",
                **_what(False),
            },
        )
    )


@dataclass
class Header:
    """The NhanLuc header: its row, how many rows it spans, and how each labelled cell read."""

    index: int  # 0-based row of the header
    span: int
    columns: dict[int, str]  # column → field id, staff and (flat form) DonVi fields
    matches: dict[int, Reading]
    below: set[int] = field(default_factory=set)  # columns labelled in the second row

    def row_of(self, column: int) -> int:
        """The 1-based row where a column's label was read."""
        return self.index + (2 if column in self.below else 1)

    @property
    def found(self) -> set[str]:
        return set(self.columns.values())


def _header_at(rows: Grid, index: int) -> Header:
    """Read row ``index`` as a header (with the row below for merged two-row headers)."""
    matches: dict[int, Reading] = {}
    columns: dict[int, str] = {}
    for i, cell in enumerate(rows[index]):
        if clean_text(cell) == "":
            continue
        match = HEADER_LABELS.match(cell, similar=i < _SIMILAR_COLUMNS)
        matches[i] = match
        if match.field_id is not None:
            columns[i] = match.field_id
    span = 1
    below_cols: set[int] = set()
    if columns and index + 1 < len(rows):
        # (a row naming nothing itself is not a header, whatever the row below it names)
        # only the template's labels and known wordings below: a data row must never be
        # taken for the second row of a header because a value looks like a label
        below = {i: f for i, c in enumerate(rows[index + 1]) if (f := STAFF_LABELS.strict(c))}
        for i, f in below.items():
            if i not in columns and f not in columns.values():
                columns[i] = f
                matches[i] = STAFF_LABELS.match(rows[index + 1][i], similar=False)
                below_cols.add(i)
        if below:
            span = 2
    return Header(index, span, columns, matches, below_cols)


def find_header(rows: Grid) -> Header | None:
    """The header: the first row, among the first rows of the sheet, naming every required column.

    Calamine gives a merged cell's value in its first cell only, so a label may sit in the row
    below a merged group title: the two rows are combined.
    """
    for index in range(min(len(rows), _HEADER_SCAN_ROWS)):
        header = _header_at(rows, index)
        if all(f in header.found for f in _REQUIRED_STAFF):
            return header
    return None


def _header_not_found(rows: Grid, sheet: str) -> Problem:
    """HEADER_NOT_FOUND naming the missing required columns, the row most like a header, and
    the labels seen there that come closest to each missing column."""
    best: Header | None = None
    for index in range(min(len(rows), _HEADER_SCAN_ROWS)):
        header = _header_at(rows, index)
        key = (sum(f in header.found for f in _REQUIRED_STAFF), len(header.found))
        if key > (0, 0) and (
            best is None or key > (sum(f in best.found for f in _REQUIRED_STAFF), len(best.found))
        ):
            best = header
    if best is None:
        missing = list(_REQUIRED_STAFF)
        params = {"missing": _labels(missing)}
        return Problem("HEADER_NOT_FOUND", sheet=sheet, params=params)
    missing = [f for f in _REQUIRED_STAFF if f not in best.found]
    seen: list[tuple[str, str]] = []
    for field_id in missing:
        near = [
            (HEADER_LABELS.scores(m.typed).get(field_id, 0.0), m.typed)
            for i, m in best.matches.items()
            if i not in best.columns and m.typed
        ]
        score, typed = max(near, default=(0.0, ""))
        if score >= CLOSEST_SCORE:
            seen.append((typed, FIELDS_BY_ID[field_id].label_vi))
    row = best.index + 1
    seen_vi = f" Dòng {row} giống dòng tiêu đề nhất" + (
        "; ở đó có " + ", ".join(f"'{t}' (gần với '{lb}')" for t, lb in seen) + "." if seen else "."
    )
    seen_en = f" Row {row} looks most like the header" + (
        "; it has " + ", ".join(f"'{t}' (close to '{lb}')" for t, lb in seen) + "." if seen else "."
    )
    return Problem(
        "HEADER_NOT_FOUND",
        sheet=sheet,
        row=row,
        params={"missing": _labels(missing), "seen_vi": seen_vi, "seen_en": seen_en},
    )


def _labels(field_ids: list[str]) -> str:
    return ", ".join(f"'{FIELDS_BY_ID[f].label_vi}'" for f in field_ids)


def _settle_header(header: Header, sheet: str) -> list[Problem]:
    """Columns read in other words than the template's, ambiguous ones, and repeated ones.

    A field headed twice is an error, unless exactly one of its columns has the template's
    label: the others ("Chức vụ hiện nay" beside "Chức vụ") are then extra columns, removed
    from ``header.columns`` here.
    """
    problems: list[Problem] = []
    row = header.index + 1
    by_field: dict[str, list[int]] = {}
    for i, field_id in sorted(header.columns.items()):
        by_field.setdefault(field_id, []).append(i)
    for field_id, cols in by_field.items():
        exact = [i for i in cols if header.matches[i].how == "exact"]
        if len(cols) > 1 and len(exact) == 1:
            for i in cols:
                if i != exact[0]:
                    del header.columns[i]
        elif len(cols) > 1:
            places = [f"{column_letter(i)} '{header.matches[i].typed}'" for i in cols]
            problems.append(
                Problem(
                    "HEADER_DUPLICATE",
                    sheet=sheet,
                    row=row,
                    column=", ".join(column_letter(i) for i in cols),
                    params={
                        "label": FIELDS_BY_ID[field_id].label_vi,
                        "places_vi": "cột " + " và cột ".join(places),
                        "places_en": "columns " + " and ".join(places),
                        **_what(True),
                    },
                )
            )
    for i, match in sorted(header.matches.items()):
        if match.understood and i in header.columns:
            problems.append(
                _understood(sheet, header.row_of(i), column_letter(i), match, is_column=True)
            )
        elif match.how == "ambiguous":
            problems.append(
                Problem(
                    "HEADER_AMBIGUOUS",
                    sheet=sheet,
                    row=row,
                    column=column_letter(i),
                    value=match.typed,
                    params={**_what(True), **_options(match.candidates)},
                )
            )
    return problems


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
    """The NhanLuc rows under the header: one person each, until a total row."""
    header = find_header(rows)
    if header is None:
        parsed.problems.append(_header_not_found(rows, sheet))
        return
    parsed.staff_header_row = header.index + 1
    parsed.problems.extend(_settle_header(header, sheet))
    # a field named twice is read from its first column (the file is rejected anyway)
    columns: dict[int, str] = {}
    for i, f in sorted(header.columns.items()):
        if f not in columns.values():
            columns[i] = f
    staff_columns = {i: f for i, f in columns.items() if f in STAFF_FIELD_IDS}
    unit_columns = {i: f for i, f in columns.items() if f not in STAFF_FIELD_IDS}
    parsed.staff_found = set(staff_columns.values())
    extras = _extras(rows, header.index, header.span, set(header.columns))
    for i, label in extras.items():
        match = header.matches.get(i)
        if match is not None and match.how == "ambiguous":
            continue  # already reported as HEADER_AMBIGUOUS
        # an unknown label's closest field, or the field a second column of it was close to
        closest = (
            ()
            if match is None
            else match.candidates or ((match.field_id,) if match.field_id else ())
        )
        parsed.problems.append(
            Problem(
                "EXTRA_COLUMN",
                sheet=sheet,
                column=column_letter(i),
                value=label,
                params=_closest(closest, is_column=True),
            )
        )
    start = header.index + header.span
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
        values = {f: cell(i, f) for i, f in staff_columns.items()}
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
                parsed.unit_found.add(field_id)
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
                params={"count": str(text.converted), "cells_en": _cells_en(text.converted)},
            )
        )
    if text.controls:
        parsed.problems.append(
            Problem(
                "CONTROL_CHARACTERS_REMOVED",
                params={
                    "count": str(text.controls),
                    "cells": f"{text.controls} cell" + ("" if text.controls == 1 else "s"),
                    "first": text.first_control or "",
                },
            )
        )


def _cells_en(n: int) -> str:
    return f"{n} cell was" if n == 1 else f"{n} cells were"


def _grid(workbook: CalamineWorkbook, name: str) -> Grid:
    return [list(r) for r in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]


# A sheet is the DonVi block by its content when its rows name at least this many DonVi items
# (by the template's labels or known wordings), the unit code among them.
_UNIT_BLOCK_ITEMS = 3


def _is_unit_block(grid: Grid) -> bool:
    found = {
        f
        for row in grid[:_UNIT_SIMILAR_ROWS]
        for cell in row[:4]
        if (f := UNIT_LABELS.strict(cell)) is not None
    }
    return "unit_code" in found and len(found) >= _UNIT_BLOCK_ITEMS


def _sheets_by_content(
    workbook: CalamineWorkbook,
    names: list[str],
    unit_sheet: str | None,
    staff_sheet: str | None,
) -> tuple[str | None, str | None, dict[str, Grid], list[Problem]]:
    """The DonVi and NhanLuc sheets a clerk renamed ("Thông tin đơn vị", "Danh sách"), found
    by what they hold: the unit block (DonVi labels with the unit code) and the staff table (a
    header naming every required column). Used with a warning naming the sheet; refused when
    no sheet, or more than one, could be it."""
    grids: dict[str, Grid] = {}
    others = [n for n in names if n not in (unit_sheet, staff_sheet)]
    for name in others:
        grids[name] = _grid(workbook, name)
    staff_like = [n for n in others if find_header(grids[n]) is not None]
    unit_like = [n for n in others if n not in staff_like and _is_unit_block(grids[n])]
    problems: list[Problem] = []
    found: dict[str, str | None] = {SHEET_UNIT: unit_sheet, SHEET_STAFF: staff_sheet}
    for wanted, candidates, what_vi, what_en in (
        (SHEET_UNIT, unit_like, "thông tin đơn vị", "the unit's details"),
        (SHEET_STAFF, staff_like, "danh sách nhân lực", "the staff list"),
    ):
        if found[wanted] is not None:
            continue
        params = {"what_vi": what_vi, "what_en": what_en, "wanted": wanted}
        if len(candidates) == 1:
            found[wanted] = candidates[0]
            problems.append(Problem("SHEET_FOUND_BY_CONTENT", sheet=candidates[0], params=params))
        elif candidates:
            listed = ", ".join(f"'{c}'" for c in candidates)
            problems.append(
                Problem("SHEET_AMBIGUOUS", sheet=wanted, params={**params, "sheets": listed})
            )
        else:
            problems.append(Problem("SHEET_MISSING", sheet=wanted))
    return found[SHEET_UNIT], found[SHEET_STAFF], grids, problems


def read_workbook(parsed: ParsedFile, data: bytes) -> ParsedFile:
    """Read a template-v1 spreadsheet (.xlsx, .xls, .ods) from its bytes; problems are
    recorded, not raised. The two sheets are found by name, else by what they hold."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))  # sniffs the format itself
        names = list(workbook.sheet_names)
        unit_sheet = _find_sheet(names, SHEET_UNIT)
        staff_sheet = _find_sheet(names, SHEET_STAFF)
        grids: dict[str, Grid] = {}
        if unit_sheet is None or staff_sheet is None:
            unit_sheet, staff_sheet, grids, problems = _sheets_by_content(
                workbook, names, unit_sheet, staff_sheet
            )
            parsed.problems.extend(problems)
        if unit_sheet is None or staff_sheet is None:
            return parsed
        parsed.unit_sheet, parsed.staff_sheet = unit_sheet, staff_sheet
        unit_grid = grids.get(unit_sheet) or _grid(workbook, unit_sheet)
        staff_grid = grids.get(staff_sheet) or _grid(workbook, staff_sheet)
    except Exception as exc:  # calamine raises several error types for broken files
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    text = _Text([unit_grid, staff_grid])
    unit_rows, unit_typed = text.fix_grid(unit_grid, unit_sheet)
    staff_rows, staff_typed = text.fix_grid(staff_grid, staff_sheet)
    read_unit_sheet(unit_rows, unit_typed, parsed, unit_sheet)
    read_staff_sheet(staff_rows, staff_typed, parsed, staff_sheet)
    _legacy_warning(parsed, text)
    return parsed


def read_csv(parsed: ParsedFile, data: bytes) -> ParsedFile:
    """Read the flat CSV form from its bytes: one row per person, ``DonVi`` fields as leading
    columns (the sheet is named after ``parsed.path``, the name the file arrived under)."""
    content, charset = decode_text(data)
    parsed.text_encoding = charset
    sample = content[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        # newline="": rows end at \n, \r\n or a lone \r (old Mac and Excel exports), and a
        # line break inside a quoted cell stays in the cell
        grid: Grid = [list(r) for r in csv.reader(io.StringIO(content, newline=""), dialect)]
    except csv.Error as exc:  # a field past csv.field_size_limit(), usually an unclosed quote
        if "field larger than field limit" in str(exc):
            detail = f"{csv.field_size_limit():,}".replace(",", ".")
            parsed.problems.append(Problem("CELL_TOO_LONG", params={"detail": detail}))
        else:
            parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    text = _Text([grid])
    sheet = parsed.path.name
    rows, typed = text.fix_grid(grid, sheet)
    parsed.staff_sheet = parsed.unit_sheet = sheet
    read_staff_sheet(rows, typed, parsed, sheet)
    _legacy_warning(parsed, text)
    return parsed


def read_submission(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None
) -> ParsedFile:
    """Read any supported submission file; problems are recorded, never raised.

    ``name`` is the name the file arrived under when ``path`` is its archived copy (named by
    its hash): messages and a CSV's sheet use it.
    """
    parsed = ParsedFile(path=path if name is None else path.with_name(name))
    try:
        kind, refusal, data = inspect(path, max_bytes)
    except OSError as exc:
        parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": str(exc)[:200]}))
        return parsed
    parsed.file_format = kind
    if refusal is not None:
        parsed.problems.append(Problem(refusal.code, params={"detail": refusal.detail}))
        return parsed
    if kind is None:
        shown = parsed.path
        suffix = shown.suffix.lower() or shown.name
        if suffix in SPREADSHEET_SUFFIXES:
            # named like a workbook, but its bytes are not one (damaged, or another format)
            detail = f"{shown.name}: not a spreadsheet"
            parsed.problems.append(Problem("FILE_UNREADABLE", params={"detail": detail}))
        else:
            parsed.problems.append(Problem("FILE_UNSUPPORTED_TYPE", params={"detail": suffix}))
        return parsed
    assert data is not None, "inspect reads every file it does not refuse"
    if kind == "csv":
        return read_csv(parsed, data)
    return read_workbook(parsed, data)
