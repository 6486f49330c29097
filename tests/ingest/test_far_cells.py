"""The far-cell scan cannot be dodged: a row reference with cells carrying no ``r``, a
lowercase reference, or long attributes before ``r=`` are refused before calamine builds the
sheet (a 7 KB file of that kind cost 38.6 s of calamine)."""

from __future__ import annotations

import io
import secrets
import time
import zipfile
from pathlib import Path

import pytest
from hostile_files import good_xlsx

from ingest.submissions.sniff import inspect

LONG = " ".join(f'x{i}="{"v" * 40}"' for i in range(8))  # ~370 bytes of attributes
DODGES = {
    "row_without_cell_refs": '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>',
    "many_cells_without_refs": "<row>" + '<c t="n"><v>1</v></c>' * 5000 + "</row>",
    "lowercase_reference": '<row r="9"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "long_attributes_before_r": (
        f'<row r="9"><c {LONG} r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "long_attributes_before_row_r": (
        f'<row {LONG} r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'
    ),
}


def _with_rows(source: Path, target: Path, rows: str) -> Path:
    """``source`` with ``rows`` added at the end of every worksheet's data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            dst.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    target.write_bytes(buffer.getvalue())
    return target


@pytest.mark.parametrize("dodge", sorted(DODGES))
def test_a_far_sheet_is_refused_however_its_cells_are_written(tmp_path: Path, dodge: str) -> None:
    good = good_xlsx("base")(tmp_path)
    path = _with_rows(good, tmp_path / f"{dodge}.xlsx", DODGES[dodge])
    started = time.monotonic()
    found = inspect(path, 20 * 1024 * 1024)
    assert found.refusal is not None and found.refusal.code == "FILE_TOO_COMPLEX", found.refusal
    assert time.monotonic() - started < 60  # refused by the scan, not after building the sheet


def test_a_normal_workbook_passes_the_scan(tmp_path: Path) -> None:
    found = inspect(good_xlsx("base")(tmp_path), 20 * 1024 * 1024)
    assert found.kind == "xlsx" and found.refusal is None


def test_a_tag_of_megabytes_is_refused(tmp_path: Path) -> None:
    noise = secrets.token_hex(1_000_000)  # 2 MB that do not compress away
    huge = f'<row r="9"><c x="{noise}" r="A9"><v>1</v></c></row>'
    path = _with_rows(good_xlsx("base")(tmp_path), tmp_path / "huge.xlsx", huge)
    found = inspect(path, 20 * 1024 * 1024)
    assert found.refusal is not None and found.refusal.code == "FILE_TOO_COMPLEX"
