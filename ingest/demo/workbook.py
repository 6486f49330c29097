"""Write a filled-in template-v1 workbook (.xlsx) for one unit and period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import xlsxwriter

from ingest.contract import SHEET_STAFF, SHEET_UNIT, STAFF_FIELDS, UNIT_FIELDS

_EPOCH = dt.datetime(2024, 1, 1)


def write_submission_xlsx(
    path: Path,
    unit: Mapping[str, object],
    staff: Sequence[Mapping[str, object]],
) -> None:
    """``unit`` and each ``staff`` row are keyed by contract field id; values are written as-is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fixed creation date keeps files byte-identical for the same input.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    workbook.set_properties({"created": _EPOCH})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(SHEET_UNIT)
    for row, f in enumerate(UNIT_FIELDS):
        sheet.write_string(row, 0, f.label_vi, bold)
        value = unit.get(f.field_id)
        if value is not None:
            sheet.write(row, 1, value)
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, 1, 36)
    staff_sheet = workbook.add_worksheet(SHEET_STAFF)
    for col, f in enumerate(STAFF_FIELDS):
        staff_sheet.write_string(0, col, f.label_vi, bold)
    for row, person in enumerate(staff, start=1):
        for col, f in enumerate(STAFF_FIELDS):
            value = person.get(f.field_id)
            if value is not None:
                staff_sheet.write(row, col, value)
    workbook.close()
