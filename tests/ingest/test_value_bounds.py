"""Every value is bounded before it reaches a typed column: an overflow or an odd value is a
row (or DonVi) error with a fix, and what ``dxwh check`` accepts is what ingest loads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from submission_files import PEOPLE, UNIT, flat_grid, standard_sheets, write_csv, write_xlsx

from core.db import session
from core.settings import Settings
from ingest.contract import (
    MAX_COMMUNITY_MEMBERS,
    MAX_COMMUNITY_TEAMS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_ROW_NO,
    MAX_TRAININGS,
)
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
}
NAN = float("nan")
INF = float("inf")


def _check(path: Path) -> CheckedSubmission:
    return check_submission(read_submission(path), REGISTRY, today=TODAY)


def _row_file(tmp_path: Path, **change: object) -> Path:
    """A workbook whose first person has ``change``; numbers stay numbers, text stays text."""
    return write_xlsx(tmp_path / "f.xlsx", standard_sheets(UNIT, [{**PEOPLE[0], **change}]))


def _too_large(top: int) -> str:
    return f"Ghi đúng số thật, là số nguyên không âm, không quá {top}."


def _whole(top: int) -> str:
    return f"Ghi một số nguyên từ 0 đến {top}."


# (field, value as written in the cell) -> (code, fix in Vietnamese)
ROW_CASES = [
    ("row_no", 1e10, "VALUE_OUT_OF_RANGE", _too_large(MAX_ROW_NO)),
    ("row_no", "99999999999", "VALUE_OUT_OF_RANGE", _too_large(MAX_ROW_NO)),
    ("row_no", 1e308, "VALUE_OUT_OF_RANGE", _too_large(MAX_ROW_NO)),
    ("trainings_in_period", 99999999999, "VALUE_OUT_OF_RANGE", _too_large(MAX_TRAININGS)),
    ("trainings_in_period", 1e308, "VALUE_OUT_OF_RANGE", _too_large(MAX_TRAININGS)),
    ("trainings_in_period", MAX_TRAININGS + 1, "VALUE_OUT_OF_RANGE", _too_large(MAX_TRAININGS)),
    ("trainings_in_period", "1e10", "ROW_FIELD_INVALID", _whole(MAX_TRAININGS)),
    ("trainings_in_period", "inf", "ROW_FIELD_INVALID", _whole(MAX_TRAININGS)),
    ("trainings_in_period", "nan", "ROW_FIELD_INVALID", _whole(MAX_TRAININGS)),
    ("trainings_in_period", 2.5, "ROW_FIELD_INVALID", _whole(MAX_TRAININGS)),
    ("trainings_in_period", -1, "ROW_FIELD_INVALID", _whole(MAX_TRAININGS)),
    ("birth_year", 1e10, "BIRTH_YEAR_OUT_OF_RANGE", "Ghi năm sinh 4 chữ số, từ 1940 đến 2007."),
    ("birth_year", "99999999999", "BIRTH_YEAR_OUT_OF_RANGE",
     "Ghi năm sinh 4 chữ số, từ 1940 đến 2007."),
    ("full_name", "A" * (MAX_NAME_CHARS + 1), "ROW_NAME_TOO_LONG",
     f"Ghi họ và tên của một người, không quá {MAX_NAME_CHARS} ký tự."),
    ("job_position", "B" * 30000, "ROW_TEXT_TOO_LONG",
     f"Ghi 'Vị trí việc làm' ngắn gọn, không quá {MAX_NAME_CHARS} ký tự."),
    ("note", "C" * (MAX_NOTE_CHARS + 1), "ROW_TEXT_TOO_LONG",
     f"Ghi 'Ghi chú' ngắn gọn, không quá {MAX_NOTE_CHARS} ký tự."),
]  # fmt: skip


@pytest.mark.parametrize(("field_id", "value", "code", "fix"), ROW_CASES)
def test_an_odd_value_is_a_row_error_with_a_fix(
    field_id: str, value: object, code: str, fix: str, tmp_path: Path
) -> None:
    checked = _check(_row_file(tmp_path, **{field_id: value}))

    assert checked.file_ok and not checked.accepted_whole
    (problem,) = checked.all_problems
    assert (problem.code, problem.sheet, problem.row, problem.fix("vi")) == (
        code,
        "NhanLuc",
        2,
        fix,
    )
    assert len(problem.message("vi")) < 400  # a long value is quoted, not repeated


@pytest.mark.parametrize(
    ("field_id", "value"),
    [
        ("row_no", MAX_ROW_NO),
        ("trainings_in_period", MAX_TRAININGS),
        ("trainings_in_period", 0),
        ("trainings_in_period", "3"),
        ("full_name", "Â" * MAX_NAME_CHARS),
        ("note", "Ghi chú " * (MAX_NOTE_CHARS // 8)),
        ("row_no", "1a"),  # an STT that is not a number is not used, not an error
    ],
)
def test_values_at_the_bounds_are_accepted(field_id: str, value: object, tmp_path: Path) -> None:
    checked = _check(_row_file(tmp_path, **{field_id: value}))

    assert checked.accepted_whole and not checked.all_problems


@pytest.mark.parametrize("value", [INF, NAN])
def test_infinite_and_nan_numbers_in_a_csv(value: float, tmp_path: Path) -> None:
    people = [{**PEOPLE[0], "trainings_in_period": value}]
    path = write_csv(tmp_path / "f.csv", flat_grid(UNIT, people), "utf-8")

    checked = _check(path)

    assert [p.code for p in checked.all_problems] == ["ROW_FIELD_INVALID"]
    assert checked.rows[0].record["trainings_in_period"] is None


# DonVi field -> (value, code, the field's bound)
UNIT_CASES = [
    ("community_teams", 3e9, "UNIT_VALUE_OUT_OF_RANGE", MAX_COMMUNITY_TEAMS),
    ("community_teams", "99999999999", "UNIT_VALUE_OUT_OF_RANGE", MAX_COMMUNITY_TEAMS),
    ("community_team_members", MAX_COMMUNITY_MEMBERS + 1, "UNIT_VALUE_OUT_OF_RANGE",
     MAX_COMMUNITY_MEMBERS),
    ("community_team_members_trained", 1e308, "UNIT_VALUE_OUT_OF_RANGE", MAX_COMMUNITY_MEMBERS),
    ("community_teams", "1e10", "UNIT_FIELD_INVALID", MAX_COMMUNITY_TEAMS),
    ("community_team_members", -3, "UNIT_FIELD_INVALID", MAX_COMMUNITY_MEMBERS),
]  # fmt: skip


@pytest.mark.parametrize(("field_id", "value", "code", "top"), UNIT_CASES)
def test_an_odd_donvi_count_is_a_file_error_with_a_fix(
    field_id: str, value: object, code: str, top: int, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "xa.xlsx", standard_sheets({**COMMUNE, field_id: value}))

    checked = _check(path)

    (problem,) = checked.all_problems
    fix = (
        f"Ghi số thật của đơn vị, là số nguyên không âm, không quá {top}."
        if code == "UNIT_VALUE_OUT_OF_RANGE"
        else _whole(top)
    )
    assert (problem.code, problem.sheet, problem.column, problem.fix("vi")) == (
        code,
        "DonVi",
        "B",
        fix,
    )
    assert checked.unit[field_id] is None


@pytest.mark.parametrize(
    ("field_id", "value", "limit"),
    [
        ("unit_name", "UBND " * 1000, MAX_NAME_CHARS),
        ("prepared_by", "X" * 30000, MAX_NAME_CHARS),
    ],
)
def test_an_oversized_donvi_text_is_a_file_error(
    field_id: str, value: str, limit: int, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", standard_sheets({**UNIT, field_id: value}))

    checked = _check(path)

    assert not checked.file_ok
    problem = next(p for p in checked.all_problems if p.code == "UNIT_TEXT_TOO_LONG")
    assert problem.fix("vi").endswith(f"không quá {limit} ký tự.")
    assert problem.value is not None and len(problem.value) < 200


@pytest.mark.parametrize("code", ["5" * 21, "502" * 1000, "50 2"])
def test_a_code_no_unit_can_have_is_unknown_and_names_no_folder(code: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", standard_sheets({**UNIT, "unit_code": code}))

    checked = _check(path)

    assert [p.code for p in checked.all_problems] == ["UNIT_UNKNOWN"]
    assert checked.unit["unit_code"] is None  # not a name for a feedback folder
    assert len(checked.all_problems[0].message("vi")) < 300


# Ngày lập (submitted_on): text or an Excel date -> accepted?
DATE_CASES = [
    ("15/01/2024", True),
    ("5/1/24", True),  # two digits: this century
    ("01/12/2026", True),  # today
    ("02/12/2026", False),  # tomorrow
    ("5/1/99", False),  # 2099
    ("01/01/0001", False),  # not 2001
    ("0001-01-01", False),
    ("31/12/1999", False),
    ("01/01/2000", True),
    (dt.date(1900, 1, 1), False),  # an Excel date cell left at its epoch
    (dt.date(2031, 5, 1), False),
]


@pytest.mark.parametrize(("value", "accepted"), DATE_CASES)
def test_form_dates_from_2000_to_today(value: object, accepted: bool, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", standard_sheets({**UNIT, "submitted_on": value}))

    checked = _check(path)

    if accepted:
        assert checked.accepted_whole and not checked.all_problems
        assert isinstance(checked.unit["submitted_on"], dt.date)
    else:
        (problem,) = checked.all_problems
        assert (problem.code, problem.row, problem.column) == ("UNIT_FIELD_INVALID", 11, "B")
        assert problem.fix("vi") == (
            "Ghi ngày theo dạng dd/mm/yyyy, từ 01/01/2000 đến hôm nay (01/12/2026),"
            " ví dụ 15/01/2024."
        )
        assert checked.unit["submitted_on"] is None


def test_check_and_ingest_agree_on_odd_values(data_home: Settings, tmp_path: Path) -> None:
    """Every odd value of this file would have overflowed a column: check and load agree."""
    odd = [
        {**PEOPLE[0], "full_name": f"Người {i}", field_id: value}
        for i, (field_id, value, _, _) in enumerate(ROW_CASES)
    ]
    good = [{**PEOPLE[1], "full_name": "Lê Văn Cường"}]
    path = write_xlsx(
        data_home.inbox_submissions / "502.xlsx", standard_sheets(UNIT, [*odd, *good])
    )
    checked = check_submission(read_submission(path), REGISTRY)

    with session(data_home.build_db) as con:
        result = ingest_submissions(con, data_home, build_registry(), "bounds")
    con = duckdb.connect(str(data_home.build_db), read_only=True)

    (outcome,) = result.outcomes
    assert outcome.status == "partial"
    # a person with an odd value still counts (that value unknown); only the overlong name,
    # which names no one, is held back
    assert (
        (outcome.rows_loaded, outcome.rows_quarantined)
        == (
            sum(r.loads for r in checked.rows),
            sum(not r.loads for r in checked.rows),
        )
        == (len(ROW_CASES), 1)
    )
    assert sum(not r.ok for r in checked.rows) == len(ROW_CASES)
    assert con.execute("select count(*) from raw.staff_rows").fetchone() == (len(ROW_CASES),)
    assert con.execute("select count(*) from quarantine.rows").fetchone() == (1,)
