"""Values are understood like headers: a clerk's wording of an allowed value is read as that
value, with a warning naming what was read and how; a value close to two is never guessed.
Each wording class is a real workbook, read and checked as the nightly load does."""

from __future__ import annotations

from pathlib import Path

import pytest
from submission_files import PEOPLE, UNIT, staff_grid, unit_grid, write_xlsx

from ingest.contract import SHEET_STAFF, SHEET_UNIT, UNIT_FIELDS
from ingest.registry import build_registry
from ingest.submissions.checks import CheckedSubmission, check_submission, index_registry
from ingest.submissions.reader import read_submission
from ingest.wordings import WORDINGS, read_choice, read_yes_no

REGISTRY = index_registry(build_registry())
COMMUNE = {
    **UNIT,
    "unit_code": "20341",
    "unit_name": "UBND Phường An Mỹ",
    "unit_type": "UBND cấp xã",
    "community_teams": 4,
    "community_team_members": 20,
    "community_team_members_trained": 12,
}
TRANG = {**PEOPLE[0], "full_name": "Đoàn Mỹ Trang"}


def _check(tmp_path: Path, people: list[dict[str, object]], **labels: str) -> CheckedSubmission:
    sheets = {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff_grid(people, labels)}
    path = write_xlsx(tmp_path / "f.xlsx", sheets)
    return check_submission(read_submission(path), REGISTRY)


def _understood(checked: CheckedSubmission) -> list[tuple[str | None, str | None, str]]:
    return [
        (p.value, p.params.get("choice"), p.fix("vi"))
        for p in checked.all_problems
        if p.code == "VALUE_UNDERSTOOD"
    ]


@pytest.mark.parametrize(
    ("field_id", "typed", "read_as"),
    [
        ("field_of_study", "Công nghệ thông tin", "CNTT"),
        ("field_of_study", "Tin học", "CNTT"),
        ("field_of_study", "cong nghe thong tin", "CNTT"),
        ("field_of_study", "Khoa học máy tính", "CNTT"),
        ("education_level", "Kỹ sư", "Đại học"),
        ("education_level", "Cử nhân", "Đại học"),
        ("education_level", "Kỹ sư xây dựng", "Đại học"),
        ("education_level", "ThS", "Thạc sĩ"),
        ("assignment", "Chuyên tráhc", "Chuyên trách"),
        ("assignment", "Kiêm nhiệm (Phó Chủ tịch)", "Kiêm nhiệm"),
        ("dx_network_member", "Đã tham gia", "Có"),
        ("platform_access", "Chưa được tiếp cận", "Không"),
    ],
)
def test_a_clerks_wording_of_a_value_is_read_and_warned(
    field_id: str, typed: str, read_as: str, tmp_path: Path
) -> None:
    checked = _check(tmp_path, [{**TRANG, field_id: typed}, PEOPLE[1]])

    (person, _) = checked.rows
    assert checked.accepted_whole, [p.message("vi") for p in checked.all_problems]
    expected = {"Có": True, "Không": False}.get(read_as, read_as)
    assert person.record[field_id] == expected
    # one warning naming what was read, how, the row and whose it is, and what to write
    (problem,) = [p for p in checked.all_problems if p.code == "VALUE_UNDERSTOOD"]
    assert problem.value == typed and problem.severity == "warning"
    message = problem.message("vi")
    assert f"được hiểu là '{read_as}'" in message
    assert "dòng 2 (Đoàn Mỹ Trang)" in message
    assert problem.fix("vi").startswith(f"{typed} → ghi {read_as}.")


def test_the_template_spelling_and_x_are_read_without_a_warning(tmp_path: Path) -> None:
    checked = _check(tmp_path, [{**TRANG, "platform_access": "x", "gender": "nu"}, PEOPLE[1]])

    assert checked.accepted_whole and _understood(checked) == []
    assert checked.rows[0].record["platform_access"] is True
    assert checked.rows[0].record["gender"] == "Nữ"


def test_one_warning_per_wording_however_many_rows_use_it(tmp_path: Path) -> None:
    people = [
        {**PEOPLE[0], "full_name": f"Người {i}", "education_level": "Kỹ sư"} for i in range(8)
    ]

    checked = _check(tmp_path, people)

    (problem,) = [p for p in checked.all_problems if p.code == "VALUE_UNDERSTOOD"]
    assert "dòng 2 (Người 0), dòng 3 (Người 1)" in problem.message("vi")
    assert "và 3 dòng khác" in problem.message("vi")
    assert all(r.record["education_level"] == "Đại học" for r in checked.rows)


@pytest.mark.parametrize(
    ("field_id", "typed"),
    [
        ("assignment", "Chuyên trách và kiêm nhiệm"),  # both: never guessed
        ("assignment", "Hợp đồng 68"),
        ("assignment", "Bán thời gian"),  # part time: not "Toàn thời gian" mistyped
        ("education_level", "Phổ thông"),
        ("dx_network_member", "Không là thành viên nhưng có tham gia"),
    ],
)
def test_a_value_that_is_not_one_value_is_not_guessed(
    field_id: str, typed: str, tmp_path: Path
) -> None:
    checked = _check(tmp_path, [{**TRANG, field_id: typed}])

    (row,) = checked.rows
    assert row.loads and not row.ok, "the person counts; the value is to fix"
    assert row.record[field_id] is None
    assert [p.code for p in row.problems] == ["ROW_FIELD_INVALID"]


def test_a_value_close_to_two_names_both(tmp_path: Path) -> None:
    checked = _check(tmp_path, [{**TRANG, "assignment": "Chuyên trách và kiêm nhiệm"}])

    (problem,) = checked.rows[0].problems
    assert "có thể là 'Chuyên trách' hoặc 'Kiêm nhiệm'" in problem.fix("vi")


def test_a_reworded_training_column_is_read(tmp_path: Path) -> None:
    checked = _check(
        tmp_path,
        [TRANG, PEOPLE[1]],
        trainings_in_period="Số lần tham gia bồi dưỡng về chuyển đổi số",
    )

    assert checked.accepted_whole
    assert [r.record["trainings_in_period"] for r in checked.rows] == [2, 1]
    assert [p.code for p in checked.all_problems] == ["HEADER_UNDERSTOOD"]


def test_abbreviated_donvi_labels_are_read(tmp_path: Path) -> None:
    labels = {
        "community_teams": "Số Tổ CNS cộng đồng",
        "community_team_members": "Số thành viên Tổ CNS cộng đồng",
        "unit_code": "Mã ĐV",
        "period": "Kỳ BC",
        "has_dx_focal_point": "Có bộ phận/đầu mối chuyển đổi số",
    }
    sheets = {SHEET_UNIT: unit_grid(COMMUNE, labels), SHEET_STAFF: staff_grid([TRANG])}
    path = write_xlsx(tmp_path / "xa.xlsx", sheets)

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole, [p.message("vi") for p in checked.all_problems]
    assert checked.unit["community_teams"] == 4
    assert checked.unit["community_team_members"] == 20
    understood = {p.value for p in checked.all_problems if p.code == "HEADER_UNDERSTOOD"}
    assert understood == {labels[f.field_id] for f in UNIT_FIELDS if f.field_id in labels} - {
        "Có bộ phận/đầu mối chuyển đổi số"  # the template's label with CĐS spelled out
    } or understood == set(labels.values())


def test_a_unit_type_in_a_clerks_words_is_read_and_warned(tmp_path: Path) -> None:
    sheets = {
        SHEET_UNIT: unit_grid({**UNIT, "unit_type": "UBND huyện"}),
        SHEET_STAFF: staff_grid([TRANG]),
    }
    path = write_xlsx(tmp_path / "f.xlsx", sheets)

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole
    assert checked.unit["unit_type"] == "UBND cấp huyện"
    assert [(p.code, p.row) for p in checked.all_problems] == [("VALUE_UNDERSTOOD", 3)]


def test_every_wording_reads_as_its_value() -> None:
    for field_id, values in WORDINGS.items():
        for value, wordings in values.items():
            for typed in wordings:
                if field_id == "yes_no":
                    flag, reading = read_yes_no(typed)
                    assert flag == (value == "Có"), typed
                else:
                    reading = read_choice(field_id, typed)
                    assert reading.choice == value, (field_id, typed)
                assert reading.how == "wording", typed
