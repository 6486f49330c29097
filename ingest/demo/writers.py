"""Write laid-out submissions as .xlsx (XlsxWriter), .xls (xlwt), .ods (odfpy) or flat CSV.

Every writer is deterministic: the same grids give the same bytes. XlsxWriter takes a fixed
creation date; odfpy stamps its zip entries with the current time, so its archive is rewritten
with a fixed one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ingest.demo.layout import Cell, Grid

FIXED_TIME = dt.datetime(2024, 1, 1)
CsvEncoding = Literal["utf-8-sig", "utf-16", "cp1258"]
DATE_FORMAT = "dd/mm/yyyy"


def write_xlsx(path: Path, sheets: Mapping[str, Grid]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"created": FIXED_TIME})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "vcenter"})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    for name, grid in sheets.items():
        sheet = workbook.add_worksheet(name)
        merged = {(r, c) for r, c, _, _ in grid.merges}
        for r0, c0, r1, c1 in grid.merges:
            value = grid.rows[r0][c0]
            sheet.merge_range(r0, c0, r1, c1, "" if value is None else value, bold)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 30, 16)
    workbook.close()


def write_xls(path: Path, sheets: Mapping[str, Grid]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date = xlwt.easyxf(num_format_str=DATE_FORMAT)
    for name, grid in sheets.items():
        sheet = book.add_sheet(name)
        merged = set()
        for r0, c0, r1, c1 in grid.merges:
            value = grid.rows[r0][c0]
            sheet.write_merge(r0, r1, c0, c1, "" if value is None else value)
            merged |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, dt.datetime.combine(value, dt.time()), date)
                else:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


_XMLNS = re.compile(rb' xmlns:([\w.-]+)="[^"]*"')


def _canonical_namespaces(xml: bytes) -> bytes:
    """odfpy declares every namespace the process has met so far, in set order: keep the ones
    the document uses, sorted, so the bytes depend on the content alone."""
    start = xml.find(b"<", xml.find(b"?>") + 2)
    end = xml.find(b">", start)
    root = xml[start:end]
    body = _XMLNS.sub(b"", root) + xml[end:]
    used = sorted(
        m.group(0)
        for m in _XMLNS.finditer(root)
        if re.search(rb"[<\s/]" + re.escape(m.group(1)) + rb":", body)
    )
    stripped = _XMLNS.sub(b"", root)
    name_end = stripped.find(b" ") if b" " in stripped else len(stripped)
    rebuilt = stripped[:name_end] + b"".join(used) + stripped[name_end:]
    return xml[:start] + rebuilt + xml[end:]


def _fixed_zip(data: bytes) -> bytes:
    """The same archive, byte-identical for the same content: every entry stamped at
    ``FIXED_TIME``, namespace declarations in a fixed order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename.endswith(".xml"):
                content = _canonical_namespaces(content)
            dst.writestr(fixed, content)
    return out.getvalue()


def write_ods(path: Path, sheets: Mapping[str, Grid]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, grid in sheets.items():
        table = Table(name=name)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in grid.merges}
        covered = {
            (r, c)
            for r0, c0, r1, c1 in grid.merges
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        for r, row in enumerate(grid.rows):
            tr = TableRow()
            for c, value in enumerate(row):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs: dict[str, object] = {}
                if (r, c) in spans:
                    rows, cols = spans[(r, c)]
                    attrs = {"numberrowsspanned": rows, "numbercolumnsspanned": cols}
                tr.addElement(_ods_cell(TableCell, P, value, attrs))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _ods_cell(table_cell: type, paragraph: type, value: Cell, attrs: dict[str, object]) -> object:
    if value is None:
        return table_cell(**attrs)
    if isinstance(value, dt.date):
        cell = table_cell(valuetype="date", datevalue=value.isoformat(), **attrs)
        cell.addElement(paragraph(text=value.strftime("%d/%m/%Y")))
    elif isinstance(value, str):
        cell = table_cell(valuetype="string", **attrs)
        cell.addElement(paragraph(text=value))
    else:
        cell = table_cell(valuetype="float", value=value, **attrs)
        cell.addElement(paragraph(text=str(value)))
    return cell


def write_csv(
    path: Path, rows: list[list[Cell]], encoding: CsvEncoding, line_end: str = "\r\n"
) -> None:
    """A flat CSV as exporting systems write it; Windows-1258 keeps tone marks as combining
    characters, as Windows does. Old Mac and Excel exports end lines with a lone ``\r``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    for row in rows:
        writer.writerow(
            [
                "" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v
                for v in row
            ]
        )
    text = buffer.getvalue()
    if encoding == "cp1258":
        path.write_bytes(to_cp1258(text))
    else:
        path.write_bytes(text.encode(encoding))


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with a tone mark are written as base letter + combining tone
    (the code page has no precomposed form for most of them)."""
    import unicodedata

    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_MARKS))
        out.append(base + "".join(p for p in parts if p in _TONE_MARKS))
    return "".join(out).encode("cp1258")
