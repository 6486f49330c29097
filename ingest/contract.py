"""Template v1 ("Báo cáo nhân lực chuyển đổi số"): sheets, fields, labels and enumerations.

This module is the single source of truth for the submission contract (DESIGN §3.1): the reader,
the validator, the template writer and the demo-data generator all take labels from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    UNIT_TYPES,
    YES_NO,
)
from ingest.text import match_key

SHEET_UNIT = "DonVi"
SHEET_STAFF = "NhanLuc"


@dataclass(frozen=True)
class Field:
    """One field of the contract: its id, its canonical Vietnamese label and English label."""

    field_id: str
    label_vi: str
    label_en: str
    required: bool = False
    choices: tuple[str, ...] = ()


UNIT_FIELDS: tuple[Field, ...] = (
    Field("unit_code", "Mã đơn vị", "Unit code", required=True),
    Field("unit_name", "Tên đơn vị", "Unit name", required=True),
    Field("unit_type", "Loại đơn vị", "Unit type", required=True, choices=UNIT_TYPES),
    Field("period", "Kỳ báo cáo", "Reporting period", required=True),
    Field(
        "has_dx_focal_point",
        "Có bộ phận/đầu mối CĐS",
        "Has a DX unit or focal point",
        required=True,
        choices=YES_NO,
    ),
    Field("focal_point_decision_ref", "Văn bản phân công đầu mối CĐS", "Focal point decision"),
    Field("community_teams", "Số Tổ công nghệ số cộng đồng", "Community digital teams"),
    Field("community_team_members", "Số thành viên Tổ CNSCĐ", "Community team members"),
    Field(
        "community_team_members_trained",
        "Số thành viên Tổ CNSCĐ đã được tập huấn",
        "Community team members trained",
    ),
    Field("prepared_by", "Người lập biểu", "Prepared by"),
    Field("submitted_on", "Ngày lập", "Date prepared"),
)

STAFF_FIELDS: tuple[Field, ...] = (
    Field("row_no", "STT", "No."),
    Field("full_name", "Họ và tên", "Full name", required=True),
    Field("birth_year", "Năm sinh", "Birth year", required=True),
    Field("gender", "Giới tính", "Gender", choices=GENDERS),
    Field("position_title", "Chức vụ", "Position"),
    Field("job_position", "Vị trí việc làm", "Job position"),
    Field("assignment", "Hình thức bố trí", "Assignment", required=True, choices=ASSIGNMENTS),
    Field(
        "education_level",
        "Trình độ chuyên môn",
        "Education level",
        required=True,
        choices=EDUCATION_LEVELS,
    ),
    Field("field_of_study", "Chuyên ngành", "Field of study", choices=FIELDS_OF_STUDY),
    Field(
        "trainings_in_period",
        "Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ",
        "DX trainings in period",
    ),
    Field("dx_network_member", "Thành viên Mạng lưới CĐS", "DX network member", choices=YES_NO),
    Field(
        "incident_response_member",
        "Thành viên Đội ứng cứu sự cố ATTT mạng",
        "Incident response team member",
        choices=YES_NO,
    ),
    Field(
        "platform_access",
        "Được tiếp cận, sử dụng nền tảng số, bộ công cụ CĐS",
        "Uses national platforms and toolkits",
        choices=YES_NO,
    ),
    Field("note", "Ghi chú", "Note"),
)

UNIT_FIELD_IDS = tuple(f.field_id for f in UNIT_FIELDS)
STAFF_FIELD_IDS = tuple(f.field_id for f in STAFF_FIELDS)
FIELDS_BY_ID: dict[str, Field] = {f.field_id: f for f in UNIT_FIELDS + STAFF_FIELDS}


def _label_index(fields: tuple[Field, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for label in (f.label_vi, f.label_en, f.field_id):
            index[match_key(label)] = f.field_id
    return index


_UNIT_LABELS = _label_index(UNIT_FIELDS)
_STAFF_LABELS = _label_index(STAFF_FIELDS)


def unit_field_for(label: object) -> str | None:
    """The ``DonVi`` field id a label names (any case, diacritics or not, NFC/NFD, English id)."""
    return _UNIT_LABELS.get(match_key(label))


def staff_field_for(label: object) -> str | None:
    """The ``NhanLuc`` field id a column header names, or ``None``."""
    return _STAFF_LABELS.get(match_key(label))


def choice_for(value: object, choices: tuple[str, ...]) -> str | None:
    """The canonical choice ``value`` spells (diacritics and case ignored), or ``None``."""
    key = match_key(value)
    for choice in choices:
        if match_key(choice) == key:
            return choice
    return None


def unit_level_for_type(unit_type: str) -> str:
    """``province`` (departments), ``district`` or ``commune``."""
    return {
        "Sở, ban, ngành": "province",
        "UBND cấp huyện": "district",
        "UBND cấp xã": "commune",
    }[unit_type]
