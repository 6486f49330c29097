"""A person is never dropped for a field; a row that names no one is never a person."""

from __future__ import annotations

import pytest

from ingest.submissions.checks import check_row
from ingest.submissions.reader import StaffRow

PERSON = {
    "row_no": 1,
    "full_name": "Đoàn Mỹ Trang",
    "birth_year": 1990,
    "gender": "Nữ",
    "assignment": "Kiêm nhiệm",
    "education_level": "Đại học",
    "field_of_study": "CNTT",
    "trainings_in_period": 1,
    "dx_network_member": "Có",
    "incident_response_member": "Không",
    "platform_access": "Có",
}


def _check(**change: object):  # type: ignore[no-untyped-def]
    return check_row(StaffRow(3, {**PERSON, **change}), "NhanLuc", "2024")


@pytest.mark.parametrize(
    "name",
    [
        "-",
        ".",
        "...",
        "--/--",
        "\u3164",  # Hangul filler
        "\u2800",  # blank Braille pattern
        "\u115f",  # Hangul choseong filler
        "\u180e",  # Mongolian vowel separator
        "\u0301",  # a combining mark with nothing to sit on
        "\u3164\u3164 \u2800",
    ],
)
def test_a_row_naming_no_one_is_not_a_person(name: str) -> None:
    row = _check(full_name=name)

    assert not row.loads
    assert [p.code for p in row.problems] == ["ROW_NAME_INVALID"]
    assert row.person == ""


def test_a_row_with_data_and_no_name_is_not_a_person() -> None:
    row = _check(full_name="")

    assert not row.loads
    assert [p.code for p in row.problems] == ["ROW_NAME_MISSING"]


@pytest.mark.parametrize("name", ["Đoàn Mỹ Trang", "Y Bhin Niê", "A", "Hồ Thị Ánh-Nguyệt"])
def test_a_name_with_letters_is_a_person(name: str) -> None:
    row = _check(full_name=name)

    assert row.loads and row.ok
    assert row.person == name


@pytest.mark.parametrize(
    ("change", "field_id", "code"),
    [
        ({"birth_year": 2019}, "birth_year", "BIRTH_YEAR_OUT_OF_RANGE"),
        ({"birth_year": 1890}, "birth_year", "BIRTH_YEAR_OUT_OF_RANGE"),
        ({"birth_year": ""}, "birth_year", "ROW_FIELD_MISSING"),
        ({"assignment": "Hợp đồng 68"}, "assignment", "ROW_FIELD_INVALID"),
        ({"assignment": ""}, "assignment", "ROW_FIELD_MISSING"),
        ({"education_level": "???"}, "education_level", "ROW_FIELD_INVALID"),
        ({"trainings_in_period": "nhiều"}, "trainings_in_period", "ROW_FIELD_INVALID"),
        ({"trainings_in_period": 999}, "trainings_in_period", "VALUE_OUT_OF_RANGE"),
        ({"platform_access": "thỉnh thoảng"}, "platform_access", "ROW_FIELD_INVALID"),
    ],
)
def test_a_field_error_leaves_the_field_unknown_and_keeps_the_person(
    change: dict[str, object], field_id: str, code: str
) -> None:
    row = _check(**change)

    assert row.loads, "the person still counts"
    assert not row.ok, "the value is still an error to fix"
    assert [p.code for p in row.problems] == [code]
    assert row.problems[0].scope == "field"
    assert row.record[field_id] is None
    assert row.record["full_name"] == "Đoàn Mỹ Trang"
    written = str(change[field_id])
    assert row.unread == ({field_id: written} if written else {})
