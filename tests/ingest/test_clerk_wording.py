"""A clerk's own wording: headers and labels read with a warning, never guessed, never zeroed.

The files are built here as clerks write them; each case asserts the exact outcome: which
field a column became, the warning and its words, and the values read (``None`` for unknown).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from submission_files import (
    PEOPLE,
    UNIT,
    flat_grid,
    staff_grid,
    unit_grid,
    write_csv,
    write_xlsx,
)

from core.db import session
from core.settings import Settings
from ingest.contract import (
    HEADER_LABELS,
    SHEET_STAFF,
    SHEET_UNIT,
    STAFF_FIELDS,
    UNIT_LABELS,
)
from ingest.problems import Problem
from ingest.registry import build_registry
from ingest.submissions.checks import CheckedSubmission, check_submission, index_registry
from ingest.submissions.load import ingest_submissions
from ingest.submissions.reader import read_submission

REGISTRY = index_registry(build_registry())
TODAY = dt.date(2026, 12, 1)
COMMUNE = {
    **UNIT,
    "unit_code": "20341",
    "unit_name": "UBND Phường An Mỹ",
    "unit_type": "UBND cấp xã",
    "community_teams": 2,
    "community_team_members": 9,
    "community_team_members_trained": 5,
}
# The commune workbook of issue 12, as a clerk headed it
CLERK_STAFF_LABELS = {
    "field_of_study": "Chuyên ngành đào tạo",
    "trainings_in_period": "Số lớp tập huấn CĐS trong kỳ",
    "platform_access": "Được tiếp cận nền tảng số",
}
CLERK_UNIT_LABELS = {
    "focal_point_decision_ref": "Văn bản phân công đầu mối",
    "community_team_members_trained": "Số thành viên Tổ đã được tập huấn",
}


def _check(path: Path) -> CheckedSubmission:
    return check_submission(read_submission(path), REGISTRY, today=TODAY)


def _workbook(
    path: Path,
    unit: dict[str, object] = COMMUNE,
    people: list[dict[str, object]] = PEOPLE,
    *,
    unit_labels: dict[str, str] | None = None,
    staff_labels: dict[str, str] | None = None,
    order: list[str] | None = None,
) -> Path:
    return write_xlsx(
        path,
        {
            SHEET_UNIT: unit_grid(unit, unit_labels),
            SHEET_STAFF: staff_grid(people, staff_labels, order),
        },
    )


def _codes(checked: CheckedSubmission) -> list[str]:
    return [p.code for p in checked.all_problems]


def _where(p: Problem) -> tuple[str | None, int | None, str | None]:
    return p.sheet, p.row, p.column


def test_the_commune_workbook_keeps_every_field(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "xa.xlsx",
        unit_labels=CLERK_UNIT_LABELS,
        staff_labels=CLERK_STAFF_LABELS,
    )

    checked = _check(path)

    assert checked.accepted_whole
    assert [(p.code, _where(p), p.message("vi")) for p in checked.all_problems] == [
        (
            "HEADER_UNDERSTOOD",
            ("DonVi", 6, "A"),
            "Mục 'Văn bản phân công đầu mối' được hiểu là 'Văn bản phân công đầu mối CĐS'.",
        ),
        (
            "HEADER_UNDERSTOOD",
            ("DonVi", 9, "A"),
            "Mục 'Số thành viên Tổ đã được tập huấn' được hiểu là"
            " 'Số thành viên Tổ CNSCĐ đã được tập huấn'.",
        ),
        (
            "HEADER_UNDERSTOOD",
            ("NhanLuc", 1, "I"),
            "Cột 'Chuyên ngành đào tạo' được hiểu là 'Chuyên ngành'.",
        ),
        (
            "HEADER_UNDERSTOOD",
            ("NhanLuc", 1, "J"),
            "Cột 'Số lớp tập huấn CĐS trong kỳ' được hiểu là"
            " 'Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ'.",
        ),
        (
            "HEADER_UNDERSTOOD",
            ("NhanLuc", 1, "M"),
            "Cột 'Được tiếp cận nền tảng số' được hiểu là"
            " 'Được tiếp cận, sử dụng nền tảng số, bộ công cụ CĐS'.",
        ),
    ]
    assert checked.unit["focal_point_decision_ref"] == "123/QĐ-UBND"
    assert checked.unit["community_team_members_trained"] == 5
    first = checked.rows[0].record
    assert (first["field_of_study"], first["trainings_in_period"], first["platform_access"]) == (
        "CNTT",
        2,
        True,
    )


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ("Họ tên", "full_name"),  # a known wording
        ("Ho va tne", "full_name"),  # a typo
        ("Chức vụ hiện nay", "position_title"),  # the label and a qualifier
        ("Vị trí việc làm hiện tại", "job_position"),
        ("Số lớp tập huấn năm 2024", "trainings_in_period"),  # reworded
        ("Thành viên mạng", "dx_network_member"),  # shortened
        ("Trình độ CM", "education_level"),
        ("Năm sinh (dương lịch)", "birth_year"),
        ("Số thành viên Tổ CNSCĐ đã tập huấn", "community_team_members_trained"),
    ],
)
def test_header_variants_map_with_a_warning(typed: str, field_id: str) -> None:
    match = HEADER_LABELS.match(typed)

    assert (match.field_id, match.understood) == (field_id, True)


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ("Đầu mối chuyển đổi số", "has_dx_focal_point"),  # CĐS spelled out
        ("Tên người lập", "prepared_by"),
        ("Số tổ CN số", "community_teams"),
        ("Kỳ báo cáo năm", "period"),
    ],
)
def test_unit_label_variants_map_with_a_warning(typed: str, field_id: str) -> None:
    match = UNIT_LABELS.match(typed)

    assert (match.field_id, match.understood) == (field_id, True)


def test_a_typo_in_a_required_header_is_read_and_warned(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "f.xlsx", UNIT, staff_labels={"full_name": "Ho va tne"})

    checked = _check(path)

    assert checked.accepted_whole
    (warning,) = checked.all_problems
    assert warning.message("vi") == "Cột 'Ho va tne' được hiểu là 'Họ và tên'."
    assert warning.message("en") == "Column 'Ho va tne' was read as 'Họ và tên'."
    assert checked.rows[0].record["full_name"] == "Trần Thị Bình"


@pytest.mark.parametrize(
    ("missing", "nulls", "targets"),
    [
        (
            "trainings_in_period",
            ["trainings_in_period"],
            ["'100% cán bộ làm CĐS được tập huấn hằng năm'"],
        ),
        (
            "dx_network_member",
            ["dx_network_member"],
            [
                "'100% thành viên Mạng lưới CĐS được tiếp cận, sử dụng nền tảng số'",
                "'Mạng lưới CĐS được hình thành ở mọi đơn vị'",
            ],
        ),
        (
            "platform_access",
            ["platform_access"],
            ["'100% thành viên Mạng lưới CĐS được tiếp cận, sử dụng nền tảng số'"],
        ),
    ],
)
def test_a_missing_optional_column_is_unknown_and_names_the_targets(
    missing: str, nulls: list[str], targets: list[str], tmp_path: Path
) -> None:
    order = [f.field_id for f in STAFF_FIELDS if f.field_id != missing]
    path = _workbook(tmp_path / "f.xlsx", UNIT, order=order)

    checked = _check(path)

    assert checked.accepted_whole
    assert _codes(checked) == ["OPTIONAL_COLUMN_MISSING"]
    (warning,) = checked.all_problems
    label = next(f.label_vi for f in STAFF_FIELDS if f.field_id == missing)
    assert warning.message("vi") == (
        f"Tệp không có cột '{label}' nên giá trị này được ghi là chưa biết (không tính là 0"
        f" hay Không). Vì vậy chưa đo được cho đơn vị chỉ tiêu: {'; '.join(targets)}."
    )
    assert warning.fix("vi") == (f"Thêm cột '{label}' như trong mẫu, điền đầy đủ rồi gửi lại tệp.")
    assert all(r.record[f] is None for r in checked.rows for f in nulls)


def test_a_blank_cell_in_a_present_column_is_no_and_zero(tmp_path: Path) -> None:
    person = {
        **PEOPLE[0],
        "dx_network_member": "",
        "platform_access": "",
        "trainings_in_period": "",
    }
    path = _workbook(tmp_path / "f.xlsx", UNIT, [person])

    checked = _check(path)

    assert checked.accepted_whole and not checked.all_problems
    record = checked.rows[0].record
    assert (record["dx_network_member"], record["platform_access"]) == (False, False)
    assert record["trainings_in_period"] == 0


def test_an_ambiguous_header_is_not_guessed(tmp_path: Path) -> None:
    typed = "Thành viên Mạng lưới CĐS / Đội ứng cứu"
    path = _workbook(tmp_path / "f.xlsx", UNIT, staff_labels={"dx_network_member": typed})

    checked = _check(path)

    assert _codes(checked) == ["HEADER_AMBIGUOUS", "OPTIONAL_COLUMN_MISSING"]
    ambiguous = checked.all_problems[0]
    assert _where(ambiguous) == ("NhanLuc", 1, "K")
    assert ambiguous.message("vi") == (
        f"Cột '{typed}' có thể là 'Thành viên Đội ứng cứu sự cố ATTT mạng' hoặc"
        " 'Thành viên Mạng lưới CĐS'; không tự đoán nên cột này không được dùng."
    )
    assert [r.record["dx_network_member"] for r in checked.rows] == [None, None]


@pytest.mark.parametrize(
    ("matcher", "typed", "candidates"),
    [
        (HEADER_LABELS, "Thành viên mạng lưới/đội ứng cứu", {"dx_network_member",
                                                             "incident_response_member"}),
        (UNIT_LABELS, "Mã đơn vị cấp", {"unit_code", "unit_type"}),
    ],
)  # fmt: skip
def test_ambiguous_labels(matcher: object, typed: str, candidates: set[str]) -> None:
    match = matcher.match(typed)  # type: ignore[attr-defined]

    assert (match.field_id, match.how, set(match.candidates)) == (None, "ambiguous", candidates)


@pytest.mark.parametrize("typed", ["Tên", "Năm", "Email", "Số điện thoại", "Đơn vị công tác"])
def test_short_or_foreign_headers_are_not_matched(typed: str) -> None:
    assert HEADER_LABELS.match(typed).field_id is None


def test_a_header_that_appears_twice_is_a_file_error(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    staff[0].append("Họ và tên")
    for row in staff[1:]:
        row.append("Ai khác")
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})

    checked = _check(path)

    assert not checked.file_ok
    (duplicate,) = [p for p in checked.all_problems if p.is_error]
    assert (duplicate.code, _where(duplicate)) == ("HEADER_DUPLICATE", ("NhanLuc", 1, "B, O"))
    assert duplicate.message("vi") == (
        "Cột 'Họ và tên' xuất hiện hai lần (cột B 'Họ và tên' và cột O 'Họ và tên'):"
        " không biết dùng giá trị nào."
    )
    assert duplicate.fix("vi") == "Giữ một cột 'Họ và tên', xóa hoặc đổi tên cột kia."


def test_a_duplicate_in_the_flat_csv_names_both_columns(tmp_path: Path) -> None:
    grid = flat_grid(UNIT, PEOPLE)
    grid[0].append("Unit code")  # the English label: the template's too
    for row in grid[1:]:
        row.append("502")
    path = write_csv(tmp_path / "f.csv", grid, "utf-8")

    checked = _check(path)

    duplicate = next(p for p in checked.all_problems if p.code == "HEADER_DUPLICATE")
    assert duplicate.column == "A, Z"
    assert "cột A 'Mã đơn vị' và cột Z 'Unit code'" in duplicate.message("vi")


def test_a_second_column_close_to_a_template_column_is_an_extra(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    staff[0].append("Chức vụ hiện nay")
    for row in staff[1:]:
        row.append("Trưởng phòng")
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})

    checked = _check(path)

    assert checked.accepted_whole
    (extra,) = checked.all_problems
    assert (extra.code, extra.column) == ("EXTRA_COLUMN", "O")
    assert extra.message("vi") == (
        "Cột 'Chức vụ hiện nay' không thuộc mẫu; dữ liệu được giữ lại nhưng không dùng."
        " Cột gần nhất trong mẫu: 'Chức vụ'."
    )
    assert checked.rows[0].record["position_title"] == "Chuyên viên"
    assert checked.rows[0].extras == {"Chức vụ hiện nay": "Trưởng phòng"}


def test_a_wording_in_the_second_row_of_a_merged_header_is_placed_there(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    top = ["" if i in (10, 11) else label for i, label in enumerate(staff[0])]
    top[10] = "Thành viên"
    second = [""] * len(top)
    second[10], second[11] = "Mạng lưới CĐS", "Đội ứng cứu sự cố"
    path = write_xlsx(
        tmp_path / "f.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: [top, second, *staff[1:]]}
    )

    checked = _check(path)

    assert checked.accepted_whole
    assert [(p.code, p.row, p.column, p.value) for p in checked.all_problems] == [
        ("HEADER_UNDERSTOOD", 2, "K", "Mạng lưới CĐS"),
        ("HEADER_UNDERSTOOD", 2, "L", "Đội ứng cứu sự cố"),
    ]
    assert [r.record["incident_response_member"] for r in checked.rows] == [False, True]


def test_a_repeated_donvi_item_with_another_value_is_an_error(tmp_path: Path) -> None:
    unit = [*unit_grid(UNIT), ["Mã đơn vị", "503"]]
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit, SHEET_STAFF: staff_grid(PEOPLE)})

    checked = _check(path)

    (duplicate,) = [p for p in checked.all_problems if p.is_error]
    assert (duplicate.code, _where(duplicate)) == ("HEADER_DUPLICATE", ("DonVi", 12, None))
    assert duplicate.message("vi") == (
        "Mục 'Mã đơn vị' xuất hiện hai lần (dòng 1 và dòng 12): không biết dùng giá trị nào."
    )


def test_a_repeated_donvi_item_with_the_same_value_is_harmless(tmp_path: Path) -> None:
    unit = [*unit_grid(UNIT), ["Mã đơn vị", "502"]]
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit, SHEET_STAFF: staff_grid(PEOPLE)})

    assert _check(path).accepted_whole


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("Số quyết định đầu mối", "Văn bản phân công đầu mối CĐS"),
        ("Loại hình cơ quan", "Loại đơn vị"),
        ("Người ký", "Người lập biểu"),
        ("Ngày ký", "Ngày lập"),
    ],
)
def test_an_unrecognised_donvi_label_names_the_closest_label(
    typed: str, closest: str, tmp_path: Path
) -> None:
    unit = [*unit_grid(UNIT), [typed, "một giá trị"]]
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit, SHEET_STAFF: staff_grid(PEOPLE)})

    checked = _check(path)

    (unknown,) = [p for p in checked.all_problems if p.code == "UNIT_LABEL_UNKNOWN"]
    assert (_where(unknown), unknown.value) == (("DonVi", 12, "A"), typed)
    assert unknown.message("vi") == (
        f"Mục '{typed}' ở trang DonVi không thuộc mẫu nên không được dùng."
        f" Mục gần nhất trong mẫu: '{closest}'."
    )
    assert unknown.fix("vi") == (
        f"Nếu đây là một mục của mẫu, hãy sửa chữ ở cột A cho đúng như mẫu (có thể là '{closest}')."
    )


def test_a_required_label_not_recognised_says_so(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "f.xlsx", UNIT, unit_labels={"unit_code": "Mã đơn vị cấp"})

    checked = _check(path)

    missing = next(p for p in checked.all_problems if p.code == "REQUIRED_LABEL_NOT_FOUND")
    assert (_where(missing), missing.value) == (("DonVi", 1, "A"), "Mã đơn vị cấp")
    assert missing.message("vi") == (
        "Không tìm thấy mục bắt buộc 'Mã đơn vị' ở trang DonVi. Dòng 1 ghi 'Mã đơn vị cấp':"
        " gần giống nhưng chưa đủ để tự hiểu."
    )
    assert missing.fix("vi") == (
        "Nếu dòng 1 là mục này, sửa chữ ở cột A thành 'Mã đơn vị'; nếu không, thêm một dòng"
        " 'Mã đơn vị' và ghi giá trị ở cột B."
    )
    assert "REQUIRED_FIELD_MISSING" not in _codes(checked)


def test_a_required_label_left_out_asks_for_the_row(tmp_path: Path) -> None:
    unit = [row for row in unit_grid(UNIT) if row[0] != "Kỳ báo cáo"]
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit, SHEET_STAFF: staff_grid(PEOPLE)})

    checked = _check(path)

    (missing,) = [p for p in checked.all_problems if p.is_error]
    assert (missing.code, _where(missing)) == ("REQUIRED_LABEL_NOT_FOUND", ("DonVi", None, None))
    assert missing.fix("vi") == "Thêm một dòng: cột A ghi 'Kỳ báo cáo', cột B ghi giá trị."


def test_header_not_found_names_the_missing_columns_and_the_closest_row(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    staff[0][1:3] = ["Tên", "Năm"]
    sheets = {
        SHEET_UNIT: unit_grid(UNIT),
        SHEET_STAFF: [["DANH SÁCH CÁN BỘ LÀM CĐS"], [], *staff],
    }
    path = write_xlsx(tmp_path / "f.xlsx", sheets)

    checked = _check(path)

    (problem,) = checked.all_problems
    assert (problem.code, _where(problem)) == ("HEADER_NOT_FOUND", ("NhanLuc", 3, None))
    assert problem.message("vi") == (
        "Trang 'NhanLuc' không có dòng tiêu đề đủ các cột bắt buộc: thiếu cột 'Họ và tên',"
        " 'Năm sinh'. Dòng 3 giống dòng tiêu đề nhất; ở đó có 'Tên' (gần với 'Họ và tên'),"
        " 'Năm' (gần với 'Năm sinh')."
    )
    assert (
        problem.fix("vi") == "Ghi tiêu đề các cột còn thiếu đúng như mẫu: 'Họ và tên', 'Năm sinh'."
    )


def test_a_rejected_file_still_names_its_unit(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    staff[0][1] = "Tên"
    path = write_xlsx(tmp_path / "f.xlsx", {SHEET_UNIT: unit_grid(COMMUNE), SHEET_STAFF: staff})

    checked = _check(path)

    assert _codes(checked) == ["HEADER_NOT_FOUND"]
    assert checked.unit == {
        "unit_code": "20341",
        "unit_name": "UBND Phường An Mỹ",
        "period_id": "2023",
    }


def test_unit_unknown_suggests_the_unit_named_in_the_file(tmp_path: Path) -> None:
    # two digits swapped into a code no unit has (20314 is Hòa Xuân of old Đà Nẵng, in the
    # province scope since the registry holds it)
    path = _workbook(tmp_path / "f.xlsx", {**COMMUNE, "unit_code": "23041"})

    checked = _check(path)

    (unknown,) = [p for p in checked.all_problems if p.code == "UNIT_UNKNOWN"]
    assert unknown.fix("vi").startswith(
        "Theo danh mục, 'UBND Phường An Mỹ' có mã 20341: nếu đúng là đơn vị này, hãy ghi"
        " Mã đơn vị 20341. "
    )
    assert checked.unit["unit_code"] == "23041"


def test_vietnamese_messages_do_not_quote_the_readers_english(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")

    checked = _check(path)

    (problem,) = checked.all_problems
    assert problem.message("vi") == (
        "Không đọc được tệp: tệp bị hỏng, có mật khẩu, hoặc không phải bảng tính Excel/CSV."
    )
    assert problem.message("en").startswith("The file cannot be read (")


def test_control_characters_are_stripped_with_one_warning(tmp_path: Path) -> None:
    people = [{**PEOPLE[0], "full_name": "Trần\x00 Thị\u200b Bình"}, PEOPLE[1]]
    path = write_csv(tmp_path / "f.csv", flat_grid(UNIT, people), "utf-8")

    checked = _check(path)

    assert checked.accepted_whole
    (warning,) = checked.all_problems
    assert warning.code == "CONTROL_CHARACTERS_REMOVED"
    assert warning.message("en") == (
        "Invisible control characters were removed from 1 cell (first: f.csv M2)."
    )
    assert checked.rows[0].record["full_name"] == "Trần Thị Bình"


def test_unknown_values_load_as_null(data_home: Settings) -> None:
    order = [
        f.field_id
        for f in STAFF_FIELDS
        if f.field_id not in ("trainings_in_period", "platform_access", "dx_network_member")
    ]
    _workbook(data_home.inbox_submissions / "502.xlsx", UNIT, order=order)

    with session(data_home.build_db) as con:
        result = ingest_submissions(con, data_home, build_registry(), "wording")
    con = duckdb.connect(str(data_home.build_db), read_only=True)

    assert [o.status for o in result.outcomes] == ["accepted"]
    assert con.execute(
        "select full_name, trainings_in_period, platform_access, dx_network_member,"
        " incident_response_member from raw.staff_rows order by row_number"
    ).fetchall() == [
        ("Trần Thị Bình", None, None, None, False),
        ("Lê Văn Cường", None, None, None, True),
    ]


def test_the_feedback_of_a_rejected_file_goes_to_its_unit(data_home: Settings) -> None:
    staff = staff_grid(PEOPLE)
    staff[0][1] = "Tên"
    write_xlsx(
        data_home.inbox_submissions / "xa.xlsx",
        {SHEET_UNIT: unit_grid(COMMUNE), SHEET_STAFF: staff},
    )

    with session(data_home.build_db) as con:
        result = ingest_submissions(con, data_home, build_registry(), "feedback")

    assert [(o.status, o.unit_code) for o in result.outcomes] == [("rejected", "20341")]
    assert [p.parent.name for p in data_home.feedback_dir.glob("*/*.html")] == ["20341"]
