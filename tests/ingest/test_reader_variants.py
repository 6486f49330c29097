"""Every way a real clerk's file differs from the template reads to the same data.

Each variant is a real file built here; its checked content must equal the clean template's.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from submission_files import (
    PEOPLE,
    UNIT,
    Grid,
    flat_grid,
    staff_grid,
    standard_sheets,
    unit_grid,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

from ingest.contract import SHEET_STAFF, SHEET_UNIT, STAFF_FIELDS, UNIT_FIELDS
from ingest.encoding import unicode_to_tcvn3, unicode_to_vni
from ingest.registry import build_registry
from ingest.submissions.checks import CheckedSubmission, check_submission, index_registry
from ingest.submissions.reader import read_submission

REGISTRY = index_registry(build_registry())


def _check(path: Path) -> CheckedSubmission:
    return check_submission(read_submission(path), REGISTRY)


def _content(checked: CheckedSubmission) -> tuple[object, ...]:
    return (checked.unit, [r.record for r in checked.rows])


def _codes(checked: CheckedSubmission) -> set[str]:
    return {p.code for p in checked.all_problems}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> CheckedSubmission:
    path = write_xlsx(tmp_path_factory.mktemp("base") / "clean.xlsx", standard_sheets())
    checked = _check(path)
    assert checked.accepted_whole and not checked.all_problems
    assert len(checked.rows) == 2
    return checked


def _title_rows(path: Path) -> Path:
    staff = staff_grid(PEOPLE)
    grid: Grid = [
        ["UBND THÀNH PHỐ TAM KỲ"],
        ["BÁO CÁO NHÂN LỰC CHUYỂN ĐỔI SỐ NĂM 2023"],
        [],
        *staff,
    ]
    unit: Grid = [["BÁO CÁO NHÂN LỰC CĐS"], [], *unit_grid(UNIT)]
    return write_xlsx(path, {SHEET_UNIT: unit, SHEET_STAFF: grid})


def _merged_header(path: Path) -> Path:
    # "Thành viên" merged over the three yes/no columns, their own labels on the row below
    staff = staff_grid(PEOPLE)
    header = staff[0]
    top: list[object] = [h if i < 10 or i > 12 else "" for i, h in enumerate(header)]
    below: list[object] = ["" if i < 10 or i > 12 else h for i, h in enumerate(header)]
    top[10] = ""
    merges = {SHEET_STAFF: [(0, 10, 0, 12, "Thành viên")]}
    grid = [top, below, *staff[1:]]
    return write_xlsx(path, {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: grid}, merges)


def _column_numbers_blank_rows_total(path: Path) -> Path:
    staff = staff_grid(PEOPLE)
    numbers: list[object] = [f"({i + 1})" for i in range(len(staff[0]))]
    total: list[object] = ["Tổng cộng", "", "", "", "", "", "", "", "", 3]
    grid = [staff[0], numbers, staff[1], [], staff[2], [], total, [], ["", "Người lập biểu"]]
    return write_xlsx(path, {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: grid})


def _reordered(path: Path) -> Path:
    order = [f.field_id for f in reversed(STAFF_FIELDS)]
    grid = staff_grid(PEOPLE, order=order)
    return write_xlsx(path, {SHEET_UNIT: list(reversed(unit_grid(UNIT))), SHEET_STAFF: grid})


def _header_spellings(path: Path) -> Path:
    # no diacritics and capitals, NFD, extra spaces, English ids: mixed in one file
    labels: dict[str, str] = {}
    for n, f in enumerate(STAFF_FIELDS):
        folded = unicodedata.normalize("NFD", f.label_vi)
        forms = [
            "".join(c for c in folded if unicodedata.category(c) != "Mn")
            .replace("đ", "d")
            .replace("Đ", "D")
            .upper(),
            folded,
            "  " + f.label_vi.replace(" ", "   ") + " ",
            f.field_id,
            f.label_en.lower(),
        ]
        labels[f.field_id] = forms[n % len(forms)]
    unit_labels = {f.field_id: f.label_vi.upper() for f in UNIT_FIELDS}
    sheets = {
        "donvi": unit_grid(UNIT, unit_labels),
        " NHANLUC ": staff_grid(PEOPLE, labels),
    }
    return write_xlsx(path, sheets)


def _nfd_values(path: Path) -> Path:
    def nfd(v: object) -> object:
        return unicodedata.normalize("NFD", v) + "  " if isinstance(v, str) and v else v

    unit = {k: nfd(v) for k, v in UNIT.items()}
    people = [{k: nfd(v) for k, v in p.items()} for p in PEOPLE]
    return write_xlsx(path, standard_sheets(unit, people))


def _values_as_clerks_type(path: Path) -> Path:
    unit = {**UNIT, "submitted_on": 45306, "period": 2023, "has_dx_focal_point": "co"}
    people = [
        {**PEOPLE[0], "birth_year": "1988", "trainings_in_period": "2", "platform_access": "✓"},
        {
            **PEOPLE[1],
            "birth_year": 1979.0,
            "trainings_in_period": " 1 ",
            "dx_network_member": "X",
            "incident_response_member": 1,
            "platform_access": "có",
            "row_no": "2",
        },
    ]
    return write_xlsx(path, standard_sheets(unit, people))


def _excel_date(path: Path) -> Path:
    return write_xlsx(path, standard_sheets({**UNIT, "submitted_on": dt.date(2024, 1, 15)}))


def _legacy(encode: Callable[[str], str]) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        sheets = standard_sheets()
        legacy = {
            name: [[encode(c) if isinstance(c, str) else c for c in row] for row in grid]
            for name, grid in sheets.items()
        }
        return write_xlsx(path, legacy)

    return build


def _xls(path: Path) -> Path:
    return write_xls(path.with_suffix(".xls"), standard_sheets())


def _ods(path: Path) -> Path:
    return write_ods(path.with_suffix(".ods"), standard_sheets())


def _csv(encoding: str, delimiter: str = ",") -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        return write_csv(path.with_suffix(".csv"), flat_grid(UNIT, PEOPLE), encoding, delimiter)

    return build


def _renamed_xls(path: Path) -> Path:
    # an .xls workbook saved under an .xlsx name: the bytes decide, not the name
    real = write_xls(path.with_suffix(".xls"), standard_sheets())
    return real.rename(path.with_suffix(".xlsx"))


VARIANTS: dict[str, tuple[Callable[[Path], Path], set[str]]] = {
    "title rows": (_title_rows, set()),
    "merged header": (_merged_header, set()),
    "column numbers, blank rows, total, signature": (_column_numbers_blank_rows_total, set()),
    "reordered columns and unit rows": (_reordered, set()),
    "header spellings": (_header_spellings, set()),
    "NFD values, trailing spaces": (_nfd_values, set()),
    "numbers as text, yes/no variants, serial date": (_values_as_clerks_type, set()),
    "Excel date": (_excel_date, set()),
    "TCVN3 (.VnTime)": (_legacy(unicode_to_tcvn3), {"LEGACY_ENCODING"}),
    "VNI-Windows": (_legacy(unicode_to_vni), {"LEGACY_ENCODING"}),
    "xls": (_xls, set()),
    "ods": (_ods, set()),
    "xls named xlsx": (_renamed_xls, set()),
    "csv utf-8": (_csv("utf-8"), set()),
    "csv utf-8 with BOM": (_csv("utf-8-sig"), set()),
    "csv utf-16": (_csv("utf-16"), set()),
    "csv utf-16-le without BOM, semicolons": (_csv("utf-16-le", ";"), set()),
    "csv windows-1258": (_csv("cp1258"), set()),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_reads_like_the_template(
    name: str, baseline: CheckedSubmission, tmp_path: Path
) -> None:
    build, expected_codes = VARIANTS[name]
    path = build(tmp_path / "variant.xlsx")

    checked = _check(path)

    assert _codes(checked) == expected_codes, [p.message("en") for p in checked.all_problems]
    assert _content(checked) == _content(baseline)


def test_extra_column_is_kept_and_warned(tmp_path: Path) -> None:
    staff = staff_grid(PEOPLE)
    staff[0].append("Số điện thoại")
    staff[1].append("0905 123 456")
    path = write_xlsx(tmp_path / "extra.xlsx", {SHEET_UNIT: unit_grid(UNIT), SHEET_STAFF: staff})

    checked = _check(path)

    assert [(p.code, p.column, p.value) for p in checked.all_problems] == [
        ("EXTRA_COLUMN", "O", "Số điện thoại")
    ]
    assert checked.accepted_whole
    assert checked.rows[0].extras == {"Số điện thoại": "0905 123 456"}


def test_legacy_file_keeps_unicode_dropdown_values(tmp_path: Path) -> None:
    # an old .VnTime workbook whose yes/no cells were picked from a Unicode dropdown
    sheets = standard_sheets()
    legacy = {
        name: [
            [unicode_to_tcvn3(c) if isinstance(c, str) and c not in ("Có", "Không") else c
             for c in row]
            for row in grid
        ]
        for name, grid in sheets.items()
    }  # fmt: skip
    checked = _check(write_xlsx(tmp_path / "mixed.xlsx", legacy))

    assert checked.accepted_whole
    assert [r.record["incident_response_member"] for r in checked.rows] == [False, True]
    assert checked.rows[0].record["full_name"] == "Trần Thị Bình"


def test_csv_unit_fields_must_agree_on_every_row(tmp_path: Path) -> None:
    grid = flat_grid(UNIT, PEOPLE)
    grid[2][3] = "2024"  # period on the second person's row
    checked = _check(write_csv(tmp_path / "flat.csv", grid, "utf-8"))

    [problem] = [p for p in checked.all_problems if p.code == "UNIT_FIELDS_DIFFER"]
    assert (problem.row, problem.column, problem.value) == (3, "Kỳ báo cáo", "2024")
    assert "Năm 2023" in problem.message("vi")
    assert not checked.file_ok
