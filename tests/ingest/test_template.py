"""Template v1: dropdowns for every enumerated field, hints on every header, instructions; a
correctly filled-in template passes ``dxwh check``; the blank one says what is missing; the
period dropdown follows today's date and the registry; the birth-year rule is the check's.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from core.settings import Settings
from ingest.contract import FIELDS_BY_ID, STAFF_FIELDS, UNIT_FIELDS, hint_title
from ingest.registry import build_registry, new_da_nang_registry
from ingest.submissions.checks import check_submission, index_registry
from ingest.submissions.reader import read_submission
from ingest.submissions.template import (
    _LISTS,
    EXAMPLE_STAFF,
    EXAMPLE_UNIT,
    SHEET_HELP,
    SHEET_LISTS,
    period_choices,
    write_template,
)
from ingest.text import fold
from pipeline.cli import main

DECEMBER_2026 = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "mau_v1.xlsx", today=DECEMBER_2026)


def _validations(path: Path, sheet_name: str) -> list[dict[str, str]]:
    """Each ``dataValidation`` of a sheet: its attributes and its formula."""
    book = CalamineWorkbook.from_path(str(path))
    index = book.sheet_names.index(sheet_name) + 1
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")
    found = []
    pattern = r"<dataValidation ([^>]*?)(?:/>|>(.*?)</dataValidation>)"
    for attrs, body in re.findall(pattern, xml):
        item = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        formula = re.search(r"<formula1>(.*?)</formula1>", body)
        item["formula1"] = formula.group(1) if formula else ""
        found.append(item)
    return found


def test_sheets_and_instructions(blank: Path) -> None:
    book = CalamineWorkbook.from_path(str(blank))
    assert book.sheet_names == [SHEET_HELP, SHEET_LISTS, "DonVi", "NhanLuc"]
    text = " ".join(r[0] for r in book.get_sheet_by_name(SHEET_HELP).to_python() if r)
    assert "Unicode" in text
    assert "dxwh" not in text  # a commune clerk has no such command
    staff = book.get_sheet_by_name("NhanLuc").to_python()
    assert staff[0] == [f.label_vi for f in STAFF_FIELDS]


def test_every_enumerated_field_has_a_dropdown_of_the_contract_choices(blank: Path) -> None:
    book = CalamineWorkbook.from_path(str(blank))
    lists = book.get_sheet_by_name(SHEET_LISTS).to_python()
    columns = {lists[0][c]: [r[c] for r in lists[1:] if r[c] != ""] for c in range(len(lists[0]))}
    enumerated = [f for f in UNIT_FIELDS + STAFF_FIELDS if f.choices]
    # headed in the clerk's words, never the English field ids
    assert enumerated and all(columns[f.label_vi] == list(f.choices) for f in enumerated)
    assert not {f.field_id for f in UNIT_FIELDS + STAFF_FIELDS} & set(lists[0])

    dropdowns = {
        v["promptTitle"]: v["formula1"]
        for sheet in ("DonVi", "NhanLuc")
        for v in _validations(blank, sheet)
        if v.get("type") == "list"
    }
    for f in enumerated:
        assert dropdowns[hint_title(f)].startswith(f"{SHEET_LISTS}!$"), f.field_id
    assert set(_LISTS) >= {f.field_id for f in enumerated}


def test_every_header_and_label_has_an_input_hint(blank: Path) -> None:
    staff_hints = {
        v["sqref"]: v["prompt"] for v in _validations(blank, "NhanLuc") if v.get("prompt")
    }
    headers = [f"{chr(65 + i)}1" for i in range(len(STAFF_FIELDS))]
    assert all(staff_hints.get(cell) for cell in headers)
    unit_hints = {v["sqref"]: v["prompt"] for v in _validations(blank, "DonVi")}
    assert all(unit_hints.get(f"A{row + 1}") for row in range(len(UNIT_FIELDS)))


def test_filled_in_template_passes_check(
    tmp_path: Path, data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_template(tmp_path / "filled.xlsx", EXAMPLE_UNIT, EXAMPLE_STAFF)

    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ĐƯỢC CHẤP NHẬN" in out and "2 người được tính" in out


def test_blank_template_is_explained(
    blank: Path, data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--lang", "en", str(blank)]) == 1
    out = capsys.readouterr().out
    assert "REJECTED" in out
    assert "sheet DonVi, row 1, column B" in out and "Unit code" not in out


def test_template_command(tmp_path: Path, data_home: Settings) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", "--example", str(out)]) == 0
    assert main(["check", str(out)]) == 0


def _list_column(path: Path, field_id: str) -> list[str]:
    lists = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET_LISTS).to_python()
    col = lists[0].index(FIELDS_BY_ID[field_id].label_vi)
    return [r[col] for r in lists[1:] if r[col] != ""]


def test_period_dropdown_follows_the_calendar_today_and_the_registry(blank: Path) -> None:
    # the province collects half-years from 2024: no "Năm 2024/2025/2026" to choose
    assert _list_column(blank, "period") == [
        "6 tháng cuối năm 2026",
        "6 tháng đầu năm 2026",
        "6 tháng cuối năm 2025",
        "6 tháng đầu năm 2025",
        "6 tháng cuối năm 2024",
        "6 tháng đầu năm 2024",
    ]


def test_period_choices_begin_by_today() -> None:
    # a half-year is offered once it has begun
    assert period_choices(dt.date(2026, 3, 1), build_registry()) == (
        "2026-H1", "2025-H2", "2025-H1", "2024-H2", "2024-H1",
    )  # fmt: skip


def test_period_choices_are_the_calendars_annual_years_too() -> None:
    # 2023 was collected as a year: offered as "Năm 2023" only, never as half-years
    assert period_choices(dt.date(2024, 3, 1), build_registry()) == ("2024-H1", "2023", "2022")


def test_period_choices_need_units_in_the_registry() -> None:
    # the new Đà Nẵng's units exist from 2025-07-01: nothing of theirs to report for 2025-H1
    assert period_choices(dt.date(2026, 3, 1), new_da_nang_registry()) == (
        "2026-H1", "2025-H2",
    )  # fmt: skip


def test_input_hint_titles_fit_excel_in_whole_words(blank: Path) -> None:
    titles = {
        v["promptTitle"] for sheet in ("DonVi", "NhanLuc") for v in _validations(blank, sheet)
    }
    for f in UNIT_FIELDS + STAFF_FIELDS:
        title = hint_title(f)
        assert title in titles and len(title) <= 32, title
        # made of the label's own words: nothing cut in the middle of a word
        words = set(re.findall(r"\w+", fold(f.label_vi)))
        assert set(re.findall(r"\w+", fold(title))) <= words, title


def _birth_year_range(path: Path) -> tuple[int, int]:
    """The bounds of the birth-year validation under the NhanLuc header."""
    index = CalamineWorkbook.from_path(str(path)).sheet_names.index("NhanLuc") + 1
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")
    pattern = (
        r'<dataValidation type="whole"[^>]*promptTitle="Năm sinh"[^>]*>'
        r"<formula1>(\d+)</formula1><formula2>(\d+)</formula2>"
    )
    ((low, high),) = re.findall(pattern, xml)
    return int(low), int(high)


@pytest.mark.parametrize("period", ["6 tháng cuối năm 2024", "6 tháng đầu năm 2026"])
def test_birth_year_dropdown_is_the_checks_rule(period: str, tmp_path: Path) -> None:
    unit = {**EXAMPLE_UNIT, "period": period}
    if period.endswith("2026"):
        unit |= {
            "unit_code": "20194",
            "unit_name": "UBND Phường Hải Vân",
            "unit_type": "UBND cấp xã",
        }
    path = write_template(tmp_path / "t.xlsx", unit, EXAMPLE_STAFF, today=DECEMBER_2026)
    low, high = _birth_year_range(path)
    assert (low, high) == (1940, int(period[-4:]) - 16)

    registry = index_registry(build_registry())
    for year, ok in ((low, True), (high, True), (low - 1, False), (high + 1, False)):
        staff = [{**EXAMPLE_STAFF[0], "birth_year": year}]
        filled = write_template(tmp_path / f"{year}.xlsx", unit, staff, today=DECEMBER_2026)
        checked = check_submission(read_submission(filled), registry, today=DECEMBER_2026)
        codes = [p.code for p in checked.all_problems if p.is_error]
        assert (codes == []) is ok, (year, codes)
