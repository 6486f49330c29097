"""Build real submission files for the tests: .xlsx (xlsxwriter), .xls (xlwt), .ods (odfpy)
and CSV in several charsets, from plain grids of cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.contract import SHEET_STAFF, SHEET_UNIT, STAFF_FIELDS, UNIT_FIELDS

Grid = list[list[object]]
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

UNIT = {
    "unit_code": "502",
    "unit_name": "UBND Thành phố Tam Kỳ",
    "unit_type": "UBND cấp huyện",
    "period": "Năm 2023",
    "has_dx_focal_point": "Có",
    "focal_point_decision_ref": "123/QĐ-UBND",
    "prepared_by": "Nguyễn Thị Hoa",
    "submitted_on": "15/01/2024",
}
PEOPLE = [
    {
        "row_no": 1,
        "full_name": "Trần Thị Bình",
        "birth_year": 1988,
        "gender": "Nữ",
        "position_title": "Chuyên viên",
        "job_position": "Quản trị hệ thống",
        "assignment": "Chuyên trách",
        "education_level": "Đại học",
        "field_of_study": "CNTT",
        "trainings_in_period": 2,
        "dx_network_member": "Có",
        "incident_response_member": "Không",
        "platform_access": "x",
        "note": "",
    },
    {
        "row_no": 2,
        "full_name": "Lê Văn Cường",
        "birth_year": 1979,
        "gender": "Nam",
        "position_title": "Phó Chánh Văn phòng",
        "job_position": "Lãnh đạo",
        "assignment": "Kiêm nhiệm",
        "education_level": "Thạc sĩ",
        "field_of_study": "Điện tử - Viễn thông",
        "trainings_in_period": 1,
        "dx_network_member": "Có",
        "incident_response_member": "Có",
        "platform_access": "Có",
        "note": "Phụ trách Cổng thông tin",
    },
]


def unit_grid(unit: Mapping[str, object], labels: Mapping[str, str] | None = None) -> Grid:
    labels = labels or {}
    return [[labels.get(f.field_id, f.label_vi), unit.get(f.field_id, "")] for f in UNIT_FIELDS]


def staff_grid(
    people: Sequence[Mapping[str, object]],
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> Grid:
    labels = labels or {}
    ids = list(order or [f.field_id for f in STAFF_FIELDS])
    by_id = {f.field_id: f for f in STAFF_FIELDS}
    header: list[object] = [labels.get(i, by_id[i].label_vi) for i in ids]
    return [header] + [[p.get(i, "") for i in ids] for p in people]


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Grid],
    merges: Mapping[str, Sequence[tuple[int, int, int, int, str]]] | None = None,
) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2024, 1, 1)})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, grid in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)  # keep "1.234" and "0502" as text
                elif value is not None:
                    sheet.write(r, c, value)
        for first_row, first_col, last_row, last_col, text in (merges or {}).get(name, ()):
            sheet.merge_range(first_row, first_col, last_row, last_col, text)
    workbook.close()
    return path


def write_xls(path: Path, sheets: Mapping[str, Grid]) -> Path:
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    for name, grid in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: Mapping[str, Grid]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = OpenDocumentSpreadsheet()
    for name, grid in sheets.items():
        table = Table(name=name)
        for row in grid:
            tr = TableRow()
            for value in row:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string")
                    if value not in (None, ""):
                        cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def flat_grid(unit: Mapping[str, object], people: Sequence[Mapping[str, object]]) -> Grid:
    """The flat CSV form: the ``DonVi`` fields repeated as leading columns on every row."""
    header: list[object] = [f.label_vi for f in UNIT_FIELDS] + [f.label_vi for f in STAFF_FIELDS]
    rows = [
        [unit.get(f.field_id, "") for f in UNIT_FIELDS]
        + [p.get(f.field_id, "") for f in STAFF_FIELDS]
        for p in people
    ]
    return [header, *rows]


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: precomposed where the code page has the letter, else base + tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in decomposed if m in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONE_MARKS))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def write_csv(path: Path, grid: Grid, encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        ["" if v is None else str(v) for v in row] for row in grid
    )
    text = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if encoding == "cp1258":
        path.write_bytes(encode_cp1258(text))
    else:
        path.write_bytes(text.encode(encoding))
    return path


def standard_sheets(
    unit: Mapping[str, object] = UNIT, people: Sequence[Mapping[str, object]] = PEOPLE
) -> dict[str, Grid]:
    return {SHEET_UNIT: unit_grid(unit), SHEET_STAFF: staff_grid(people)}
