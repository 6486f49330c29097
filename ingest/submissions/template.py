"""Write template v1 ("Báo cáo nhân lực chuyển đổi số") as an .xlsx a clerk fills in.

Sheets: ``HuongDan`` (instructions), ``DonVi`` (the unit's key/value rows), ``NhanLuc`` (one row
per person) and a hidden ``DanhMuc`` with the allowed values. Every enumerated field has an Excel
dropdown (a list validation on ``DanhMuc``: several choices contain commas, which an inline list
would split); numbers and years have range checks; every header and label shows an input hint.
Labels and choices come from :mod:`ingest.contract`, so the template and the reader agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from core.periods import period_label, period_year
from core.reporting_calendar import as_of_today, load_calendar
from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    TEMPLATE_VERSION,
    UNIT_TYPES,
    YES_NO,
    birth_year_range,
)
from ingest.contract import (
    FIELDS_BY_ID,
    MIN_FORM_DATE,
    SHEET_STAFF,
    SHEET_UNIT,
    STAFF_FIELDS,
    UNIT_FIELDS,
    Field,
    hint_title,
)
from ingest.registry import ReportingUnit, build_registry
from ingest.values import parse_period

SHEET_HELP = "HuongDan"
SHEET_LISTS = "DanhMuc"
STAFF_ROWS = 500  # rows that carry the dropdowns below the header
# The dropdown offers the periods of this many past years and the current one: late reports
# and corrections come in for recent periods, rarely older ones (any period may still be typed).
PERIOD_YEARS_BACK = 2

# field id -> (input hint in Vietnamese, list of choices or None)
_HINTS: dict[str, str] = {
    "unit_code": "Mã đơn vị được cấp, ví dụ 502 (UBND TP Tam Kỳ) hoặc 49-STTTT.",
    "unit_name": "Tên đơn vị như trong danh mục, ví dụ UBND Thành phố Tam Kỳ.",
    "unit_type": "Chọn: Sở, ban, ngành · UBND cấp huyện · UBND cấp xã.",
    "period": "Chọn kỳ trong danh sách (các kỳ tỉnh thu báo cáo), ví dụ 6 tháng đầu năm 2026.",
    "has_dx_focal_point": "Đơn vị đã có bộ phận hoặc người đầu mối CĐS chưa? Chọn Có/Không.",
    "focal_point_decision_ref": "Số hiệu văn bản phân công, ví dụ 123/QĐ-UBND (nếu có).",
    "community_teams": "Chỉ UBND cấp xã ghi: số Tổ công nghệ số cộng đồng (số nguyên ≥ 0).",
    "community_team_members": "Chỉ UBND cấp xã: tổng số thành viên các Tổ (số nguyên ≥ 0).",
    "community_team_members_trained": "Số thành viên Tổ đã được tập huấn (≤ số thành viên).",
    "prepared_by": "Họ và tên người lập biểu.",
    "submitted_on": "Ngày lập biểu, dạng dd/mm/yyyy, ví dụ 15/01/2025.",
    "row_no": "Số thứ tự (không bắt buộc).",
    "full_name": "Họ và tên đầy đủ, có dấu (bắt buộc).",
    "birth_year": "Năm sinh 4 chữ số, ví dụ 1988 (bắt buộc).",
    "gender": "Chọn Nam hoặc Nữ.",
    "position_title": "Chức vụ, ví dụ Chuyên viên, Phó Giám đốc.",
    "job_position": "Vị trí việc làm (VTVL) theo đề án vị trí việc làm.",
    "assignment": "Chọn Chuyên trách hoặc Kiêm nhiệm (bắt buộc).",
    "education_level": "Chọn trình độ chuyên môn cao nhất (bắt buộc).",
    "field_of_study": "Chọn chuyên ngành đào tạo.",
    "trainings_in_period": "Số lớp bồi dưỡng, tập huấn về CĐS đã dự trong kỳ (số nguyên ≥ 0).",
    "dx_network_member": "Có tham gia Mạng lưới CĐS không? Chọn Có/Không.",
    "incident_response_member": "Có là thành viên Đội ứng cứu sự cố ATTT mạng không?",
    "platform_access": "Có được tiếp cận, sử dụng nền tảng số, bộ công cụ CĐS không?",
    "note": "Ghi chú (không bắt buộc).",
}

_LISTS: dict[str, tuple[str, ...]] = {
    "unit_type": UNIT_TYPES,
    "period": (),  # derived from today's date and the registry when the template is written
    "has_dx_focal_point": YES_NO,
    "gender": GENDERS,
    "assignment": ASSIGNMENTS,
    "education_level": EDUCATION_LEVELS,
    "field_of_study": FIELDS_OF_STUDY,
    "dx_network_member": YES_NO,
    "incident_response_member": YES_NO,
    "platform_access": YES_NO,
}
# A correctly filled-in example (``dxwh template --example``): UBND Thành phố Tam Kỳ.
EXAMPLE_UNIT: dict[str, object] = {
    "unit_code": "502",
    "unit_name": "UBND Thành phố Tam Kỳ",
    "unit_type": "UBND cấp huyện",
    # a period the province collects (half-years from 2024), due 15/01/2025
    "period": "6 tháng cuối năm 2024",
    "has_dx_focal_point": "Có",
    "focal_point_decision_ref": "123/QĐ-UBND",
    "prepared_by": "Nguyễn Thị Hoa",
    "submitted_on": dt.date(2025, 1, 15),
}
EXAMPLE_STAFF: tuple[dict[str, object], ...] = (
    {
        "row_no": 1,
        "full_name": "Trần Thị Bình",
        "birth_year": 1988,
        "gender": "Nữ",
        "position_title": "Chuyên viên",
        "job_position": "Quản trị hệ thống thông tin",
        "assignment": "Chuyên trách",
        "education_level": "Đại học",
        "field_of_study": "CNTT",
        "trainings_in_period": 2,
        "dx_network_member": "Có",
        "incident_response_member": "Không",
        "platform_access": "Có",
    },
    {
        "row_no": 2,
        "full_name": "Lê Văn Cường",
        "birth_year": 1979,
        "gender": "Nam",
        "position_title": "Phó Chánh Văn phòng",
        "assignment": "Kiêm nhiệm",
        "education_level": "Thạc sĩ",
        "field_of_study": "Điện tử - Viễn thông",
        "trainings_in_period": 1,
        "dx_network_member": "Có",
        "incident_response_member": "Có",
        "platform_access": "Có",
    },
)
_COUNTS = ("community_teams", "community_team_members", "community_team_members_trained")


def period_choices(today: dt.date, units: Iterable[ReportingUnit]) -> tuple[str, ...]:
    """Period ids a clerk may report, newest first: the periods of the province's reporting
    calendar that have begun by ``today``, of the last ``PERIOD_YEARS_BACK`` years and this
    one, for which the registry has units to report."""
    units = list(units)
    periods = []
    for period in reversed(load_calendar().begun(today)):
        if period.period_year < today.year - PERIOD_YEARS_BACK:
            continue
        on = min(period.end_date, today)
        if any(u.is_active(on) for u in units):
            periods.append(period.period_id)
    return tuple(periods)


def instructions(periods: Sequence[str]) -> tuple[str, ...]:
    """The lines of the instructions sheet; ``periods`` are the dropdown's period ids."""
    examples = ", ".join(period_label(p) for p in periods[:3]) or "6 tháng cuối năm 2024"
    return (
        f"BÁO CÁO NHÂN LỰC CHUYỂN ĐỔI SỐ — MẪU {TEMPLATE_VERSION}",
        "",
        "1. Trang DonVi: ghi thông tin đơn vị ở cột B, mỗi dòng một mục. Không đổi chữ ở cột A.",
        "2. Trang NhanLuc: mỗi dòng là một người làm công tác CNTT/CĐS của đơn vị (chuyên trách"
        " hoặc kiêm nhiệm). Giữ nguyên dòng tiêu đề; có thể đổi thứ tự cột nhưng không xóa cột.",
        "3. Các ô có mũi tên: chọn giá trị trong danh sách. Ô Có/Không: để trống được hiểu là"
        " Không. Nếu bỏ hẳn một cột, số liệu của cột đó được coi là chưa biết.",
        f"4. Kỳ báo cáo: chọn trong danh sách (ví dụ {examples}).",
        "5. Chỉ UBND cấp xã ghi số Tổ công nghệ số cộng đồng và thành viên của Tổ.",
        "6. Gõ chữ bằng bảng mã Unicode (phông Times New Roman, Arial). Không gộp ô, không thêm"
        " dòng tổng cộng vào giữa bảng.",
        "7. Sau khi gửi, đơn vị nhận kết quả kiểm tra: tệp có lỗi sẽ được chỉ rõ trang, dòng, cột"
        " và cách sửa.",
        "8. Gửi lại tệp đã sửa cho cùng kỳ: tệp gửi sau (theo Ngày lập) sẽ thay thế tệp trước.",
        "",
        "Cột bắt buộc ở trang NhanLuc: "
        + ", ".join(f.label_vi for f in STAFF_FIELDS if f.required)
        + ".",
    )


def _validation(
    field: Field, lists: Mapping[str, str], birth_years: tuple[int, int]
) -> dict[str, Any]:
    base: dict[str, Any] = dict(_hint(field))
    if field.field_id in lists:
        strict = field.field_id != "period"  # other spellings of a period are also read
        return {
            **base,
            "validate": "list",
            "source": lists[field.field_id],
            "error_type": "stop" if strict else "information",
            "error_title": "Giá trị không hợp lệ",
            "error_message": "Chọn một giá trị trong danh sách.",
        }
    if field.field_id in _COUNTS or field.field_id == "trainings_in_period":
        return {
            **base,
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": field.max_value,
            "error_message": f"Ghi một số nguyên từ 0 đến {field.max_value}.",
        }
    if field.field_id == "birth_year":
        return {
            **base,
            "validate": "integer",
            "criteria": "between",
            "minimum": birth_years[0],
            "maximum": birth_years[1],
            "error_message": f"Ghi năm sinh 4 chữ số, từ {birth_years[0]} đến {birth_years[1]}.",
        }
    if field.field_id == "submitted_on":
        return {
            **base,
            "validate": "date",
            "criteria": "between",
            "minimum": MIN_FORM_DATE,
            "maximum": "=TODAY()",
            "error_type": "information",  # dd/mm/yyyy typed as text is also accepted
            "error_message": "Ghi ngày dạng dd/mm/yyyy, từ 01/01/2000 đến hôm nay.",
        }
    return {**base, "validate": "any"}


def write_template(
    path: Path,
    unit: Mapping[str, object] | None = None,
    staff: Sequence[Mapping[str, object]] = (),
    *,
    today: dt.date | None = None,
    units: Iterable[ReportingUnit] | None = None,
) -> Path:
    """Write template v1 to ``path``; ``unit`` and ``staff`` (by field id) pre-fill it.

    The period dropdown lists the periods :func:`period_choices` gives for ``today`` and the
    registry ``units`` (the province's registry by default). The birth-year range is the
    check's rule for the pre-filled period, else for the newest period offered.
    """
    today = today or as_of_today()
    periods = period_choices(today, build_registry() if units is None else units)
    stated = parse_period((unit or {}).get("period"))
    birth_years = birth_year_range(
        period_year(stated or (periods[0] if periods else str(today.year)))
    )
    choices = {**_LISTS, "period": tuple(period_label(p) for p in periods)}
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {"title": "Báo cáo nhân lực chuyển đổi số", "subject": f"template {TEMPLATE_VERSION}"}
    )
    bold = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})

    help_sheet = book.add_worksheet(SHEET_HELP)
    help_sheet.set_column(0, 0, 110, wrap)
    for row, line in enumerate(instructions(periods)):
        help_sheet.write_string(row, 0, line, bold if row == 0 else wrap)

    lists_sheet = book.add_worksheet(SHEET_LISTS)
    lists: dict[str, str] = {}
    for col, (field_id, values) in enumerate(choices.items()):
        # the column's heading in the clerk's words (the sheet is hidden, but can be shown)
        lists_sheet.write_string(0, col, FIELDS_BY_ID[field_id].label_vi)
        for row, choice in enumerate(values, start=1):
            lists_sheet.write_string(row, col, choice)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        lists[field_id] = f"={SHEET_LISTS}!${letter}$2:${letter}${max(len(values), 1) + 1}"
    lists_sheet.hide()

    unit_sheet = book.add_worksheet(SHEET_UNIT)
    unit_sheet.set_column(0, 0, 44, wrap)
    unit_sheet.set_column(1, 1, 40, text)
    for row, f in enumerate(UNIT_FIELDS):
        unit_sheet.write_string(row, 0, f.label_vi + (" (*)" if f.required else ""), bold)
        unit_sheet.data_validation(row, 0, row, 0, {"validate": "any", **_hint(f)})
        unit_sheet.data_validation(row, 1, row, 1, _validation(f, lists, birth_years))
        value = (unit or {}).get(f.field_id)
        if isinstance(value, dt.date):
            unit_sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), date)
        elif value is not None:
            unit_sheet.write(row, 1, value)

    staff_sheet = book.add_worksheet(SHEET_STAFF)
    staff_sheet.freeze_panes(1, 2)
    staff_sheet.set_row(0, 60)
    for col, f in enumerate(STAFF_FIELDS):
        staff_sheet.write_string(0, col, f.label_vi, bold)
        staff_sheet.set_column(col, col, 26 if f.field_id == "full_name" else 16)
        staff_sheet.data_validation(0, col, 0, col, {"validate": "any", **_hint(f)})
        staff_sheet.data_validation(1, col, STAFF_ROWS, col, _validation(f, lists, birth_years))
        for row, person in enumerate(staff, start=1):
            value = person.get(f.field_id)
            if value is not None:
                staff_sheet.write(row, col, value)
    help_sheet.activate()
    book.close()
    return path


def _hint(f: Field) -> dict[str, str]:
    """The input hint Excel shows on a cell: a title of at most 32 characters, in whole words,
    and a message of at most 255."""
    return {
        "input_title": hint_title(f),
        "input_message": _HINTS.get(f.field_id, f.label_en)[:255],
    }
