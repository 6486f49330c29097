"""Lay a submission out as a clerk's workbook would: cells, merges, the variations of real files.

A :class:`Style` names one way a real file departs from the canonical template (DESIGN §3.1):
title rows, merged header cells, a blank and a "Tổng cộng" row, NFD text, headers without
diacritics or in capitals, legacy font encodings, dates as text or serials, numbers as text.
The writers turn the resulting grids into .xlsx, .xls, .ods or flat CSV.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ingest.contract import SHEET_STAFF, SHEET_UNIT, STAFF_FIELDS, UNIT_FIELDS

Cell = str | int | float | dt.date | None
HeaderStyle = Literal["canonical", "ascii", "upper"]
TextEncoding = Literal["unicode", "nfd", "tcvn3", "vni"]
DateStyle = Literal["date", "text", "serial"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Style:
    title_rows: bool = False
    merged_header: bool = False
    total_row: bool = False
    headers: HeaderStyle = "canonical"
    text: TextEncoding = "unicode"
    dates: DateStyle = "date"
    numbers_as_text: bool = False
    # a clerk's own wording of some labels (field id, label) and names of the two sheets
    labels: tuple[tuple[str, str], ...] = ()
    sheet_names: tuple[str, str] = (SHEET_UNIT, SHEET_STAFF)

    def label(self, field_id: str, template_label: str) -> str:
        """The label as this file words it."""
        return dict(self.labels).get(field_id, template_label)


@dataclass
class Grid:
    """One sheet: rows of cells and merged ranges (first row, first col, last row, last col)."""

    rows: list[list[Cell]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def _legacy_encoder(name: TextEncoding) -> Callable[[str], str]:
    # The TCVN3 and VNI-Windows tables live with the reader that repairs them.
    from ingest.encoding import unicode_to_tcvn3, unicode_to_vni

    return unicode_to_tcvn3 if name == "tcvn3" else unicode_to_vni


def text_transform(style: Style) -> Callable[[str], str]:
    if style.text == "nfd":
        return lambda s: unicodedata.normalize("NFD", s)
    if style.text in ("tcvn3", "vni"):
        return _legacy_encoder(style.text)
    return lambda s: s


def header_label(label: str, style: Style) -> str:
    if style.headers == "ascii":
        return _strip_marks(label)  # "Họ và tên" -> "Ho va ten"
    if style.headers == "upper":
        return label.upper()
    return label


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("Đ", "D").replace("đ", "d")


def _date_cell(value: dt.date, style: Style) -> Cell:
    if style.dates == "text":
        return value.strftime("%d/%m/%Y")
    if style.dates == "serial":
        return (value - EXCEL_EPOCH).days
    return value


def _value(value: object, style: Style, encode: Callable[[str], str]) -> Cell:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return _date_cell(value, style)
    if isinstance(value, bool):
        raise TypeError("write Có/Không, not booleans")
    if isinstance(value, int | float):
        return str(value) if style.numbers_as_text else value
    return encode(str(value))


def unit_grid(unit: Mapping[str, object], style: Style, province_name: str = "") -> Grid:
    """Sheet ``DonVi``: label in column A, value in column B."""
    encode = text_transform(style)
    grid = Grid()
    for f in UNIT_FIELDS:
        label = encode(header_label(style.label(f.field_id, f.label_vi), style))
        grid.rows.append([label, _value(unit.get(f.field_id), style, encode)])
    return grid


# Groups a clerk merges over the person columns: (title, first field, last field).
_HEADER_GROUPS = (
    ("Thông tin cá nhân", "full_name", "gender"),
    ("Trình độ đào tạo", "education_level", "field_of_study"),
    ("Tham gia mạng lưới, đội ứng cứu và nền tảng số", "dx_network_member", "platform_access"),
)


def staff_grid(
    unit: Mapping[str, object],
    staff: Sequence[Mapping[str, object]],
    style: Style,
) -> Grid:
    """Sheet ``NhanLuc``: optional title rows, the header (one or two rows), one row per person."""
    encode = text_transform(style)
    grid = Grid()
    ids = [f.field_id for f in STAFF_FIELDS]
    labels = [
        encode(header_label(style.label(f.field_id, f.label_vi), style)) for f in STAFF_FIELDS
    ]
    width = len(ids)
    if style.title_rows:
        titles = (
            f"{unit.get('province_title', '')}".upper(),
            "BÁO CÁO NHÂN LỰC CHUYỂN ĐỔI SỐ",
            f"Đơn vị: {unit.get('unit_name', '')} - Kỳ báo cáo: {unit.get('period', '')}",
        )
        for title in titles:
            grid.rows.append([encode(title)] + [None] * (width - 1))
            grid.merges.append((len(grid.rows) - 1, 0, len(grid.rows) - 1, width - 1))
        grid.rows.append([None] * width)
    if style.merged_header:
        top: list[Cell] = [None] * width
        bottom: list[Cell] = [None] * width
        grouped: set[int] = set()
        first = len(grid.rows)
        for title, start, end in _HEADER_GROUPS:
            a, b = ids.index(start), ids.index(end)
            top[a] = encode(title)
            grid.merges.append((first, a, first, b))
            for col in range(a, b + 1):
                bottom[col] = labels[col]
                grouped.add(col)
        for col in range(width):
            if col not in grouped:
                top[col] = labels[col]
                grid.merges.append((first, col, first + 1, col))
        grid.rows += [top, bottom]
    else:
        grid.rows.append(list(labels))
    for person in staff:
        grid.rows.append([_value(person.get(i), style, encode) for i in ids])
    if style.total_row:
        grid.rows.append([None] * width)
        total: list[Cell] = [None] * width
        total[0] = encode("Tổng cộng")
        total[ids.index("full_name")] = _value(f"{len(staff)} người", style, encode)
        grid.rows.append(total)
    return grid


def workbook_grids(
    unit: Mapping[str, object], staff: Sequence[Mapping[str, object]], style: Style
) -> dict[str, Grid]:
    unit_sheet, staff_sheet = style.sheet_names
    return {unit_sheet: unit_grid(unit, style), staff_sheet: staff_grid(unit, staff, style)}


def flat_rows(
    unit: Mapping[str, object], staff: Sequence[Mapping[str, object]], style: Style
) -> list[list[Cell]]:
    """The flat CSV form: the ``DonVi`` fields repeated as leading columns of every person row."""
    encode = text_transform(style)
    header: list[Cell] = [
        encode(header_label(style.label(f.field_id, f.label_vi), style))
        for f in UNIT_FIELDS + STAFF_FIELDS
    ]
    unit_values = [_value(unit.get(f.field_id), style, encode) for f in UNIT_FIELDS]
    rows: list[list[Cell]] = [header]
    for person in staff:
        rows.append(
            unit_values + [_value(person.get(f.field_id), style, encode) for f in STAFF_FIELDS]
        )
    return rows
