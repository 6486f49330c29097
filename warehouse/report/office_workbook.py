"""The office's workbook of what to do: a summary sheet, then one sheet per plan target with its
projection to the deadline and the units that hold it back, Vietnamese headers, filters on.

Written each night beside the scorecard (``reports/scorecard/``) from the same rows the page
shows (warehouse/report/plan.py), so the office can send each unit its own lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from warehouse.report.labels import share_or_number

WORKBOOK_NAME = "can-lam-gi-chi-tieu.xlsx"

SUMMARY_SHEET = "Tổng hợp"
SUMMARY_HEADERS = (
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Kỳ",
    "Giá trị",
    "Ngưỡng",
    "Thời hạn",
    "Dự báo tại thời hạn",
    "Cận dưới",
    "Cận trên",
    "Còn thiếu",
    "Đánh giá",
    "Số đơn vị còn thiếu",
)
UNIT_HEADERS = (
    "Thứ tự ưu tiên",
    "Mã đơn vị",
    "Tên đơn vị",
    "Cấp",
    "Lý do",
    "Số lượng còn thiếu",
    "Chỉ tiêu tăng nếu khắc phục (điểm %)",
)

# characters Excel refuses in a sheet name, and its length limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31


def _sheet_name(target_id: str, used: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub("_", target_id)[:_SHEET_MAX]
    base, n = name, 2
    while name.lower() in used:
        suffix = f"_{n}"
        name, n = base[: _SHEET_MAX - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _cell(value: Any) -> Any:
    """A value xlsxwriter writes as it is: empty for missing, dates as dd/mm/yyyy text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    return value


def write_office_workbook(plan: list[dict[str, Any]], path: Path) -> Path:
    """Write the workbook of ``plan`` (plan_rows' entries) to ``path``."""
    book = xlsxwriter.Workbook(str(path))
    try:
        bold = book.add_format({"bold": True, "bg_color": "#EAF2F8", "text_wrap": True})
        title = book.add_format({"bold": True, "font_size": 12})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        summary = book.add_worksheet(SUMMARY_SHEET)
        summary.write_row(0, 0, SUMMARY_HEADERS, bold)
        for i, t in enumerate(plan, start=1):
            is_share = bool(t.get("is_share"))
            summary.write_row(
                i,
                0,
                [
                    t["target_id"],
                    _cell(t.get("target_vi")),
                    _cell(t.get("period_id")),
                    share_or_number(t.get("actual_value"), is_share),
                    share_or_number(t.get("threshold_value"), is_share),
                    _cell(t.get("deadline_date")),
                    share_or_number(t.get("projected_value"), is_share),
                    share_or_number(t.get("projected_low"), is_share),
                    share_or_number(t.get("projected_high"), is_share),
                    _cell(t.get("n_needed")),
                    t["status_vi"],
                    len(t["units"]) if t.get("is_unit_level") else "",
                ],
                wrap,
            )
        summary.autofilter(0, 0, max(len(plan), 1), len(SUMMARY_HEADERS) - 1)
        summary.freeze_panes(1, 0)
        summary.set_column(0, 0, 24)
        summary.set_column(1, 1, 48)
        summary.set_column(2, 9, 12)
        summary.set_column(10, 10, 70)
        summary.set_column(11, 11, 12)

        used = {SUMMARY_SHEET.lower()}
        for t in plan:
            sheet = book.add_worksheet(_sheet_name(str(t["target_id"]), used))
            sheet.write(0, 0, str(t.get("target_vi") or t["target_id"]), title)
            sheet.write(1, 0, t["status_vi"])
            if t.get("method_note"):
                sheet.write(2, 0, t["method_note"])
            header_row = 4
            sheet.write_row(header_row, 0, UNIT_HEADERS, bold)
            units = t.get("units") or []
            for j, u in enumerate(units, start=header_row + 1):
                sheet.write_row(
                    j,
                    0,
                    [
                        int(u["holdback_rank"]),
                        _cell(u.get("unit_id")),
                        _cell(u.get("unit_name")),
                        _cell(u.get("level_label")),
                        _cell(u.get("lack_vi")),
                        int(u["n_lacking"]),
                        round(float(u["share_of_target_moved"]) * 100, 2),
                    ],
                )
            if not units:
                note = (
                    f"Không còn đơn vị nào thiếu trong kỳ {t.get('period_id')}."
                    if t.get("is_unit_level")
                    else "Chỉ tiêu tính trên toàn tỉnh, không phân theo đơn vị."
                )
                sheet.write(header_row + 1, 0, note)
            sheet.autofilter(header_row, 0, header_row + max(len(units), 1), len(UNIT_HEADERS) - 1)
            sheet.freeze_panes(header_row + 1, 0)
            sheet.set_column(0, 1, 14)
            sheet.set_column(2, 2, 40)
            sheet.set_column(3, 3, 24)
            sheet.set_column(4, 4, 52)
            sheet.set_column(5, 6, 18)
    finally:
        book.close()
    return path
