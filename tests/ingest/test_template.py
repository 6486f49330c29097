"""Template v1: dropdowns for every enumerated field, hints on every header, instructions; a
correctly filled-in template passes ``dxwh check``; the blank one says what is missing.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from core.settings import Settings
from ingest.contract import STAFF_FIELDS, UNIT_FIELDS
from ingest.submissions.template import (
    _LISTS,
    EXAMPLE_STAFF,
    EXAMPLE_UNIT,
    SHEET_HELP,
    SHEET_LISTS,
    write_template,
)
from pipeline.cli import main


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "mau_v1.xlsx")


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
    assert "dxwh check" in text and "Unicode" in text
    staff = book.get_sheet_by_name("NhanLuc").to_python()
    assert staff[0] == [f.label_vi for f in STAFF_FIELDS]


def test_every_enumerated_field_has_a_dropdown_of_the_contract_choices(blank: Path) -> None:
    book = CalamineWorkbook.from_path(str(blank))
    lists = book.get_sheet_by_name(SHEET_LISTS).to_python()
    columns = {lists[0][c]: [r[c] for r in lists[1:] if r[c] != ""] for c in range(len(lists[0]))}
    enumerated = [f for f in UNIT_FIELDS + STAFF_FIELDS if f.choices]
    assert enumerated and all(columns[f.field_id] == list(f.choices) for f in enumerated)

    dropdowns = {
        v["promptTitle"]: v["formula1"]
        for sheet in ("DonVi", "NhanLuc")
        for v in _validations(blank, sheet)
        if v.get("type") == "list"
    }
    for f in enumerated:
        assert dropdowns[f.label_vi[:32]].startswith(f"{SHEET_LISTS}!$"), f.field_id
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
    assert "ĐƯỢC CHẤP NHẬN" in out and "2 dòng hợp lệ" in out


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
