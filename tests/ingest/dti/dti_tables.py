"""Write small DTI tables in each published form (HTML page, XLSX, CSV) for the tests."""

from __future__ import annotations

import csv
import html
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

Cells = Sequence[object]


def write_html(
    path: Path,
    tables: Sequence[tuple[str, Cells, Sequence[Cells]]],
    title: str = "",
    meta: dict[str, str] | None = None,
) -> Path:
    parts = ["<html><head><meta charset='utf-8'>"]
    if title:
        parts.append(f"<title>{html.escape(title)}</title>")
    for name, content in (meta or {}).items():
        parts.append(f"<meta name='{name}' content='{html.escape(content)}'>")
    parts.append("</head><body>")
    for caption, header, rows in tables:
        parts.append(f"<h2>{html.escape(caption)}</h2><table><tr>")
        parts += [f"<th>{html.escape(str(h))}</th>" for h in header]
        parts.append("</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def write_xlsx(
    path: Path, header: Cells, rows: Sequence[Cells], preamble: Sequence[Cells] = ()
) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Bang")
    all_rows = [*preamble, header, *rows]
    for i, row in enumerate(all_rows):
        for j, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(i, j, value)
    workbook.close()
    return path


def write_csv(
    path: Path,
    header: Cells,
    rows: Sequence[Cells],
    preamble: Sequence[Cells] = (),
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    if encoding == "cp1258":
        rows = [[to_cp1258_form(c) for c in row] for row in rows]
        header = [to_cp1258_form(c) for c in header]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerows([*preamble, header, *rows])
    return path


def to_cp1258_form(value: object) -> object:
    """Windows-1258 stores a vowel (with its circumflex, breve or horn) and the tone as a
    combining mark: the form Vietnamese Windows software writes."""
    if not isinstance(value, str):
        return value
    out = []
    for ch in value:
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i in range(len(marks), -1, -1):
            head = unicodedata.normalize("NFC", base + "".join(marks[:i]))
            try:
                (head + "".join(marks[i:])).encode("cp1258")
            except UnicodeEncodeError:
                continue
            out.append(head + "".join(marks[i:]))
            break
    return "".join(out)
