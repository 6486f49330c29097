"""Every problem code is raised by a real file, at the right place, with a message and a fix."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from submission_files import (
    PEOPLE,
    UNIT,
    flat_grid,
    staff_grid,
    standard_sheets,
    unit_grid,
    write_csv,
    write_xlsx,
)

from ingest.contract import SHEET_STAFF, SHEET_UNIT, STAFF_FIELDS
from ingest.encoding import unicode_to_tcvn3
from ingest.problems import LANDING_CODES, MAX_VALUE_CHARS, MESSAGES, Problem
from ingest.registry import build_registry
from ingest.submissions.checks import check_submission, index_registry
from ingest.submissions.reader import read_submission

REGISTRY = index_registry(build_registry())
COMMUNE = {
    **UNIT,
    "unit_code": "20341",
    "unit_name": "UBND Phường An Mỹ",
    "unit_type": "UBND cấp xã",
}

Build = Callable[[Path], Path]


def _unit(**change: object) -> Build:
    return lambda d: write_xlsx(d / "f.xlsx", standard_sheets({**UNIT, **change}))


def _person(**change: object) -> Build:
    return lambda d: write_xlsx(d / "f.xlsx", standard_sheets(UNIT, [{**PEOPLE[0], **change}]))


def _zip_bomb(d: Path) -> Path:
    path = d / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))  # 64 MB of zeros
    return path


def _no_header(d: Path) -> Path:
    staff = staff_grid(PEOPLE)
    staff[0] = ["STT", "Tên", "Năm", "Giới", "Chức vụ"]
    return write_xlsx(d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})


def _extra_column(d: Path) -> Path:
    staff = staff_grid(PEOPLE)
    staff[0].append("Email")
    return write_xlsx(d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})


def _csv_differs(d: Path) -> Path:
    grid = flat_grid(UNIT, PEOPLE)
    grid[2][0] = "503"
    return write_csv(d / "f.csv", grid, "utf-8")


def _legacy(d: Path) -> Path:
    sheets = {
        name: [[unicode_to_tcvn3(c) if isinstance(c, str) else c for c in row] for row in grid]
        for name, grid in standard_sheets().items()
    }
    return write_xlsx(d / "f.xlsx", sheets)


def _staff_labels(**labels: str) -> Build:
    return lambda d: write_xlsx(
        d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff_grid(PEOPLE, labels)}
    )


def _unit_labels(**labels: str) -> Build:
    return lambda d: write_xlsx(
        d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT, labels), SHEET_STAFF: staff_grid(PEOPLE)}
    )


def _two_name_columns(d: Path) -> Path:
    staff = staff_grid(PEOPLE)
    staff[0].append("HỌ VÀ TÊN")
    for row in staff[1:]:
        row.append("Một tên khác")
    return write_xlsx(d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})


def _unknown_unit_label(d: Path) -> Path:
    unit = [*unit_grid(UNIT), ["Số điện thoại liên hệ", "0235 3812 345"]]
    return write_xlsx(d / "f.xlsx", {SHEET_UNIT: unit, SHEET_STAFF: staff_grid(PEOPLE)})


def _no_trainings_column(d: Path) -> Path:
    order = [f.field_id for f in STAFF_FIELDS if f.field_id != "trainings_in_period"]
    return write_xlsx(
        d / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff_grid(PEOPLE, order=order)}
    )


def _nul_in_csv(d: Path) -> Path:
    people = [{**PEOPLE[0], "full_name": "Trần\x00 Thị Bình"}, PEOPLE[1]]
    return write_csv(d / "f.csv", flat_grid(UNIT, people), "utf-8")


_LONG = "A" * 300
_LONG_SHOWN = "A" * MAX_VALUE_CHARS + "… (300 ký tự / characters)"

# code -> (file, where the problem must point: (sheet, row, column), value found)
CASES: dict[str, tuple[Build, tuple[str | None, int | None, str | None], str | None]] = {
    "FILE_UNREADABLE": (
        lambda d: (d / "f.xlsx").write_bytes(b"PK\x03\x04 broken") and d / "f.xlsx",
        (None, None, None),
        None,
    ),
    "FILE_UNSUPPORTED_TYPE": (
        lambda d: (d / "f.pdf").write_bytes(b"%PDF-1.4\x00\x01") and d / "f.pdf",
        (None, None, None),
        None,
    ),
    "FILE_TOO_LARGE": (
        lambda d: (d / "f.csv").write_bytes(b"x" * (2 << 20)) and d / "f.csv",
        (None, None, None),
        None,
    ),
    "FILE_CONTENT_TOO_LARGE": (_zip_bomb, (None, None, None), None),
    "SHEET_MISSING": (
        lambda d: write_xlsx(d / "f.xlsx", {"Sheet1": [["Ghi chú"], ["Không có số liệu"]]}),
        ("DonVi", None, None),
        None,
    ),
    "SHEET_FOUND_BY_CONTENT": (
        lambda d: write_xlsx(
            d / "f.xlsx", {"Thông tin đơn vị": unit_grid(UNIT), SHEET_STAFF: staff_grid(PEOPLE)}
        ),
        ("Thông tin đơn vị", None, None),
        None,
    ),
    "SHEET_AMBIGUOUS": (
        lambda d: write_xlsx(
            d / "f.xlsx",
            {
                SHEET_UNIT: unit_grid(UNIT),
                "Danh sách 2023": staff_grid(PEOPLE),
                "Danh sách 2024": staff_grid(PEOPLE),
            },
        ),
        ("NhanLuc", None, None),
        None,
    ),
    "HEADER_NOT_FOUND": (_no_header, ("NhanLuc", 1, None), None),
    "REQUIRED_FIELD_MISSING": (_unit(unit_name=""), ("DonVi", 2, "B"), None),
    "UNIT_UNKNOWN": (_unit(unit_code="99999"), ("DonVi", 1, "B"), "99999"),
    "UNIT_TYPE_INVALID": (_unit(unit_type="Phòng"), ("DonVi", 3, "B"), "Phòng"),
    "UNIT_TYPE_MISMATCH": (_unit(unit_type="UBND cấp xã"), ("DonVi", 3, "B"), "UBND cấp xã"),
    "UNIT_NAME_MISMATCH": (_unit(unit_name="UBND Hội An"), ("DonVi", 2, "B"), "UBND Hội An"),
    "PERIOD_INVALID": (_unit(period="Quý 3/2023"), ("DonVi", 4, "B"), "Quý 3/2023"),
    # 2024 is collected by half-years; 2099 has not begun
    "PERIOD_NOT_COLLECTED": (_unit(period="Năm 2024"), ("DonVi", 4, "B"), "Năm 2024"),
    "PERIOD_NOT_BEGUN": (
        _unit(period="6 tháng đầu năm 2099"),
        ("DonVi", 4, "B"),
        "6 tháng đầu năm 2099",
    ),
    "UNIT_FIELD_INVALID": (_unit(has_dx_focal_point="Đang lập"), ("DonVi", 5, "B"), "Đang lập"),
    "UNIT_FIELDS_DIFFER": (_csv_differs, ("f.csv", 3, "Mã đơn vị"), "503"),
    "COMMUNITY_TEAMS_NOT_COMMUNE": (_unit(community_teams=3), ("DonVi", 7, "B"), "3"),
    "LEGACY_ENCODING": (_legacy, (None, None, None), "TCVN3 (.VnTime)"),
    "ROW_FIELD_MISSING": (_person(assignment=""), ("NhanLuc", 2, "Hình thức bố trí"), None),
    "ROW_FIELD_INVALID": (
        _person(trainings_in_period=-1),
        ("NhanLuc", 2, "Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ"),
        "-1",
    ),
    "BIRTH_YEAR_OUT_OF_RANGE": (_person(birth_year=2015), ("NhanLuc", 2, "Năm sinh"), "2015"),
    "EXTRA_COLUMN": (_extra_column, ("NhanLuc", None, "O"), "Email"),
    "HEADER_UNDERSTOOD": (
        _staff_labels(field_of_study="Chuyên ngành đào tạo"),
        ("NhanLuc", 1, "I"),
        "Chuyên ngành đào tạo",
    ),
    "HEADER_AMBIGUOUS": (
        _staff_labels(dx_network_member="Thành viên Mạng lưới CĐS / Đội ứng cứu"),
        ("NhanLuc", 1, "K"),
        "Thành viên Mạng lưới CĐS / Đội ứng cứu",
    ),
    "HEADER_DUPLICATE": (_two_name_columns, ("NhanLuc", 1, "B, O"), None),
    "UNIT_LABEL_UNKNOWN": (_unknown_unit_label, ("DonVi", 12, "A"), "Số điện thoại liên hệ"),
    "REQUIRED_LABEL_NOT_FOUND": (
        _unit_labels(unit_code="Mã đơn vị cấp"),
        ("DonVi", 1, "A"),
        "Mã đơn vị cấp",
    ),
    "OPTIONAL_COLUMN_MISSING": (_no_trainings_column, ("NhanLuc", None, None), None),
    "CONTROL_CHARACTERS_REMOVED": (_nul_in_csv, (None, None, None), None),
    "ROW_TEXT_TOO_LONG": (_person(position_title=_LONG), ("NhanLuc", 2, "Chức vụ"), _LONG_SHOWN),
    "VALUE_UNDERSTOOD": (
        _person(education_level="Kỹ sư"),
        ("NhanLuc", 2, "Trình độ chuyên môn"),
        "Kỹ sư",
    ),
    "ROW_NAME_MISSING": (_person(full_name=""), ("NhanLuc", 2, "Họ và tên"), None),
    "ROW_NAME_INVALID": (_person(full_name="-"), ("NhanLuc", 2, "Họ và tên"), "-"),
    "ROW_NAME_TOO_LONG": (_person(full_name=_LONG), ("NhanLuc", 2, "Họ và tên"), _LONG_SHOWN),
    "UNIT_TEXT_TOO_LONG": (_unit(unit_name=_LONG), ("DonVi", 2, "B"), _LONG_SHOWN),
    # also raised on landing (LANDING_CODES), but the check finds them first
    "VALUE_OUT_OF_RANGE": (
        _person(trainings_in_period=367),
        ("NhanLuc", 2, "Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ"),
        "367",
    ),
    "UNIT_VALUE_OUT_OF_RANGE": (_unit(community_teams=3e9), ("DonVi", 7, "B"), "3000000000"),
}


# Words of the readers' (English) errors and of the English messages, never in Vietnamese text
_ENGLISH = re.compile(
    r"\b(the|cannot|can't|is|not|file|format|detect|rows?|cells?|was|were|of|and)\b", re.I
)


def test_every_code_has_a_case() -> None:
    assert set(CASES) | LANDING_CODES == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_problem_code(code: str, tmp_path: Path) -> None:
    build, (sheet, row, column), value = CASES[code]
    path = build(tmp_path)

    checked = check_submission(read_submission(path, max_bytes=1 << 20), REGISTRY)

    found = [p for p in checked.all_problems if p.code == code]
    assert found, [p.code for p in checked.all_problems]
    problem: Problem = found[0]
    assert (problem.sheet, problem.row, problem.column) == (sheet, row, column)
    assert problem.value == value
    for lang in ("vi", "en"):
        assert problem.message(lang) and problem.fix(lang)
        assert "{" not in problem.message(lang) + problem.fix(lang)
    vietnamese = problem.message("vi") + " " + problem.fix("vi")
    assert not _ENGLISH.findall(vietnamese.replace(problem.value or "", "")), vietnamese
    assert "dxwh" not in vietnamese  # a clerk has no such command
    message = MESSAGES[code]
    if message.severity == "warning":
        assert checked.file_ok
    elif message.scope == "file":
        assert not checked.file_ok
    elif message.scope == "row":  # the row names no one: held back
        assert checked.file_ok and not checked.accepted_whole
        assert not checked.rows[0].loads
    else:  # a field of a person: the person still counts, that field unknown
        assert checked.file_ok and not checked.accepted_whole
        assert checked.rows[0].loads and not checked.rows[0].ok


@pytest.mark.parametrize(
    ("change", "hint"),
    [
        ({"community_team_members": 4, "community_team_members_trained": 5}, "(4)"),
        ({"submitted_on": "32/13/2024"}, "dd/mm/yyyy"),
        ({"community_teams": "một"}, "số nguyên"),
    ],
)
def test_commune_field_rules(change: dict[str, object], hint: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "xa.xlsx", standard_sheets({**COMMUNE, **change}))

    checked = check_submission(read_submission(path), REGISTRY)

    assert [p.code for p in checked.all_problems] == ["UNIT_FIELD_INVALID"]
    assert hint in checked.all_problems[0].fix("vi")


def test_commune_may_report_community_teams(tmp_path: Path) -> None:
    unit = {**COMMUNE, "community_teams": 2, "community_team_members": 9}
    path = write_xlsx(tmp_path / "xa.xlsx", standard_sheets(unit))

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole and not checked.all_problems
    assert checked.unit["community_teams"] == 2


@pytest.mark.parametrize(
    ("code", "unit_type", "unit_name", "expected"),
    [
        (1, "UBND cấp xã", "UBND Phường Phúc Xá", "00001"),
        (1, "UBND cấp huyện", "UBND Quận Ba Đình", "001"),
        ("1", "UBND cấp xã", "UBND Phường Phúc Xá", "00001"),
    ],
)
def test_unit_code_that_excel_turned_into_a_number(
    code: object, unit_type: str, unit_name: str, expected: str, tmp_path: Path
) -> None:
    registry = index_registry(build_registry("national"))
    unit = {**UNIT, "unit_code": code, "unit_type": unit_type, "unit_name": unit_name}
    path = write_xlsx(tmp_path / "hn.xlsx", standard_sheets(unit))

    checked = check_submission(read_submission(path), registry)

    assert checked.unit["unit_code"] == expected
    assert checked.accepted_whole and not checked.all_problems
