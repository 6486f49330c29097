"""Hostile submission files, built in the tests from raw bytes, zipfile, xlsxwriter and xlwt.

Every builder takes a folder and returns the file it wrote there. Each file's content is
distinct (a person named after the case), so no two cases are duplicates of each other.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
from submission_files import (
    PEOPLE,
    UNIT,
    flat_grid,
    standard_sheets,
    write_csv,
    write_xlsx,
)

from ingest.contract import SHEET_STAFF, SHEET_UNIT

Build = Callable[[Path], Path]

COMMUNE = {
    **UNIT,
    "unit_code": "20341",
    "unit_name": "UBND Phường An Mỹ",
    "unit_type": "UBND cấp xã",
}
# Columns that name the run (batch, clock, data home) rather than the data.
VOLATILE = {"loaded_at", "batch_id", "quarantined_at", "archived_path", "recorded_at"}
LANDING_TABLES = (
    "raw.submissions",
    "raw.staff_rows",
    "quarantine.files",
    "quarantine.rows",
    "audit.file_loads",
    "audit.problems",
    "audit.file_errors",
)


def person(case: str, **change: object) -> dict[str, object]:
    return {**PEOPLE[0], "full_name": f"Người Thử {case}", **change}


def good_xlsx(case: str, unit: dict[str, object] | None = None) -> Build:
    return lambda d: write_xlsx(
        d / f"{case}.xlsx", standard_sheets(unit or UNIT, [person(case), PEOPLE[1]])
    )


def staff_value(case: str, **change: object) -> Build:
    """A workbook whose first person row has ``change``; the second row is good."""
    return lambda d: write_xlsx(
        d / f"{case}.xlsx", standard_sheets(UNIT, [person(case, **change), PEOPLE[1]])
    )


def unit_value(case: str, **change: object) -> Build:
    unit = {**COMMUNE, **change}
    return lambda d: write_xlsx(d / f"{case}.xlsx", standard_sheets(unit, [person(case)]))


def far_cell(case: str, sheet: str, row: int, col: int) -> Build:
    """A valid workbook plus one cell far away (xlsxwriter writes the sparse cell only)."""

    def build(d: Path) -> Path:
        import xlsxwriter

        path = d / f"{case}.xlsx"
        workbook = xlsxwriter.Workbook(str(path))
        for name, grid in standard_sheets(UNIT, [person(case)]).items():
            ws = workbook.add_worksheet(name)
            for r, values in enumerate(grid):
                for c, value in enumerate(values):
                    ws.write(r, c, value)
            if name == sheet:
                ws.write_string(row, col, "x")
        workbook.close()
        return path

    return build


def far_cell_xls(case: str) -> Build:
    """An .xls whose last cell is IV65536: calamine allocates the whole 65536 × 256 range
    while opening it, which fails (and aborts the process) under the worker's memory limit."""

    def build_far(d: Path) -> Path:
        import xlwt

        path = d / f"{case}.xls"
        book = xlwt.Workbook(encoding="utf-8")
        for name, grid in standard_sheets(UNIT, [person(case)]).items():
            sheet = book.add_sheet(name)
            for r, values in enumerate(grid):
                for c, value in enumerate(values):
                    if value not in (None, ""):
                        sheet.write(r, c, value)
            if name == SHEET_STAFF:
                sheet.write(65535, 255, "x")
        book.save(str(path))
        return path

    return build_far


def csv_with(case: str, name: str, mutate: Callable[[list[list[object]]], None]) -> Build:
    def build(d: Path) -> Path:
        grid = flat_grid(UNIT, [person(case), PEOPLE[1]])
        mutate(grid)
        return write_csv(d / name, grid, "utf-8")

    return build


def long_field_csv(case: str) -> Build:
    def mutate(grid: list[list[object]]) -> None:
        grid[1][-1] = "x" * 140_000  # the note column, past csv's 131,072-character limit

    return csv_with(case, f"{case}.csv", mutate)


def raw_bytes(name: str, data: bytes) -> Build:
    def build(d: Path) -> Path:
        path = d / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return build


def zip_bomb(case: str, size: int, name: str = "xl/worksheets/sheet1.xml") -> Build:
    def build(d: Path) -> Path:
        path = d / f"{case}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr(name, b"\0" * size)
        return path

    return build


def _replace_in_member(source: Path, target: Path, member: str, edit: Callable[[str], str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
    target.write_bytes(buffer.getvalue())


def xml_doctype(case: str, doctype: str, entity_ref: str) -> Build:
    """A valid workbook whose shared strings declare ``doctype`` and use ``entity_ref`` in
    place of the first person's name."""

    def build(d: Path) -> Path:
        plain = write_xlsx(d / f".{case}.tmp.xlsx", standard_sheets(UNIT, [person(case)]))
        path = d / f"{case}.xlsx"

        def edit(xml: str) -> str:
            head, rest = xml.split("?>", 1)
            rest = rest.replace(f"Người Thử {case}", entity_ref, 1)
            return f"{head}?>{doctype}{rest}"

        _replace_in_member(plain, path, "xl/sharedStrings.xml", edit)
        plain.unlink()
        return path

    return build


BILLION_LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def truncated_xlsx(case: str) -> Build:
    def build(d: Path) -> Path:
        whole = good_xlsx(case)(d).read_bytes()
        path = d / f"{case}.xlsx"
        path.write_bytes(whole[: len(whole) // 2])
        return path

    return build


def ole_container(case: str) -> Build:
    """The OLE2 compound-file signature followed by no workbook: how a password-protected
    .xlsx is stored (an encrypted package inside an OLE container), unreadable without it."""
    return raw_bytes(f"{case}.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every landing table's rows, without the columns that name the run."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {}
        for table in LANDING_TABLES:
            columns = [
                c for (c,) in con.execute(f"select column_name from (describe {table})").fetchall()
            ]
            keep = ", ".join(c for c in columns if c not in VOLATILE)
            tables[table] = con.execute(f"select {keep} from {table} order by all").fetchall()
        return tables
    finally:
        con.close()


__all__ = [
    "BILLION_LAUGHS",
    "COMMUNE",
    "EXTERNAL_ENTITY",
    "LANDING_TABLES",
    "SHEET_STAFF",
    "SHEET_UNIT",
    "far_cell",
    "far_cell_xls",
    "good_xlsx",
    "long_field_csv",
    "ole_container",
    "person",
    "raw_bytes",
    "snapshot",
    "staff_value",
    "truncated_xlsx",
    "unit_value",
    "xml_doctype",
    "zip_bomb",
]


def far_cell_elsewhere(case: str) -> Build:
    """A far cell in a worksheet stored under an unusual name that the workbook's
    relationships point at (the reader follows them; so must the extent scan)."""

    def build(d: Path) -> Path:
        plain = far_cell(f".{case}", SHEET_STAFF, 1048575, 16383)(d)
        path = d / f"{case}.xlsx"
        moved = "xl/data/nhanluc.xml"
        buffer = io.BytesIO()
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(buffer, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                name = info.filename
                if name == "xl/worksheets/sheet2.xml":
                    name = moved
                if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                    data = data.replace(b"worksheets/sheet2.xml", b"data/nhanluc.xml")
                dst.writestr(name, data, zipfile.ZIP_DEFLATED)
        path.write_bytes(buffer.getvalue())
        plain.unlink()
        return path

    return build


def odd_compression(case: str) -> Build:
    """A workbook whose members claim a compression method zipfile does not implement."""

    def build(d: Path) -> Path:
        data = bytearray(good_xlsx(f".{case}")(d).read_bytes())
        (d / f".{case}.xlsx").unlink()
        for offset in range(len(data) - 4):
            if data[offset : offset + 4] in (b"PK\x03\x04", b"PK\x01\x02"):
                field = offset + (8 if data[offset + 2] == 3 else 10)
                data[field : field + 2] = (99).to_bytes(2, "little")
        path = d / f"{case}.xlsx"
        path.write_bytes(bytes(data))
        return path

    return build
