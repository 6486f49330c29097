"""Sheets are found by what they hold when a clerk renamed them; CSV rows end at any of \\n,
\\r\\n or a lone \\r."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from submission_files import PEOPLE, UNIT, flat_grid, staff_grid, unit_grid, write_xlsx

from ingest.contract import SHEET_STAFF, SHEET_UNIT
from ingest.registry import build_registry
from ingest.submissions.checks import check_submission, index_registry
from ingest.submissions.reader import read_submission

REGISTRY = index_registry(build_registry())


def test_renamed_sheets_are_found_by_their_content(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "Hướng dẫn": [["Điền số liệu vào hai trang sau."]],
            "Thông tin đơn vị": unit_grid(UNIT),
            "Danh sách cán bộ": staff_grid(PEOPLE),
        },
    )

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole
    assert [r.record["full_name"] for r in checked.rows] == ["Trần Thị Bình", "Lê Văn Cường"]
    assert checked.unit["unit_code"] == "502"
    found = [(p.code, p.sheet) for p in checked.all_problems]
    assert found == [
        ("SHEET_FOUND_BY_CONTENT", "Thông tin đơn vị"),
        ("SHEET_FOUND_BY_CONTENT", "Danh sách cán bộ"),
    ]
    assert all(p.severity == "warning" for p in checked.all_problems)
    assert "trang 'Danh sách cán bộ' có nội dung là danh sách nhân lực" in (
        checked.all_problems[1].message("vi")
    )
    # the rows' places name the sheet the clerk sees
    assert checked.rows[0].row_number == 2 and checked.parsed.staff_sheet == "Danh sách cán bộ"


def test_two_sheets_that_could_be_the_staff_list_are_not_guessed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            SHEET_UNIT: unit_grid(UNIT),
            "Danh sách 2023": staff_grid(PEOPLE),
            "Danh sách 2024": staff_grid(PEOPLE),
        },
    )

    checked = check_submission(read_submission(path), REGISTRY)

    assert not checked.file_ok
    (problem,) = [p for p in checked.all_problems if p.is_error]
    assert problem.code == "SHEET_AMBIGUOUS"
    assert "'Danh sách 2023', 'Danh sách 2024'" in problem.message("vi")


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_csv_rows_end_at_any_line_end(line_end: str, tmp_path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(
        ["" if v is None else str(v) for v in row] for row in flat_grid(UNIT, PEOPLE)
    )
    path = tmp_path / "f.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole, [p.message("vi") for p in checked.all_problems]
    assert [r.record["full_name"] for r in checked.rows] == ["Trần Thị Bình", "Lê Văn Cường"]


def test_a_line_break_inside_a_quoted_csv_cell_stays_in_the_cell(tmp_path: Path) -> None:
    people = [{**PEOPLE[0], "note": "Dòng một\rDòng hai"}, PEOPLE[1]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r").writerows(
        ["" if v is None else str(v) for v in row] for row in flat_grid(UNIT, people)
    )
    path = tmp_path / "f.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    checked = check_submission(read_submission(path), REGISTRY)

    assert len(checked.rows) == 2 and checked.accepted_whole
    assert checked.rows[0].record["note"] == "Dòng một Dòng hai"


def test_sheets_named_as_the_template_are_used_as_they_are(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff_grid(PEOPLE), "Khác": staff_grid(PEOPLE)},
    )

    checked = check_submission(read_submission(path), REGISTRY)

    assert checked.accepted_whole and not checked.all_problems
