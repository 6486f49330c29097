"""Read a DTI publication file (saved dti.gov.vn page, XLSX, CSV) into plain tables of cells.

Readers do not interpret the cells: :mod:`ingest.dti.table` finds headers and records, and
:mod:`ingest.dti.metadata` the year and basis. HTML is parsed with lxml, workbooks with
python-calamine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html as lxml_html
from python_calamine import CalamineWorkbook

from ingest.encoding import decode_text
from ingest.submissions.sniff import check_sheet_extent, file_size
from ingest.text import clean_text

Cell = object
HTML_SUFFIXES = {".html", ".htm"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv"}
DTI_SUFFIXES = HTML_SUFFIXES | XLSX_SUFFIXES | CSV_SUFFIXES
# A saved ranking page is a few hundred KB; a 300 MB page grew past 12 GB of memory in lxml.
MAX_DTI_BYTES = 30 * 1024 * 1024


@dataclass
class Table:
    """Rows of cells as they appear; ``name`` is the sheet name or the table's caption/heading."""

    name: str
    rows: list[list[Cell]]


@dataclass
class RawFile:
    path: Path
    file_format: str  # html | xlsx | csv
    tables: list[Table] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # page title, headings, captions
    meta: dict[str, str] = field(default_factory=dict)  # HTML <meta name=...> values
    error: str | None = None


def file_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    return None


def read_dti_file(path: Path, max_bytes: int = MAX_DTI_BYTES) -> RawFile:
    """Read ``path``; a file that cannot be read comes back with ``error`` set, never raises.

    Files over ``max_bytes``, symlinks, special files and .xlsx sheets reaching far beyond
    their data are refused before any parser sees them.
    """
    fmt = file_format(path)
    if fmt is None:
        return RawFile(path, path.suffix.lower().lstrip("."), error=f"type {path.suffix}")
    try:
        size = file_size(path)
    except OSError as exc:
        return RawFile(path, fmt, error=str(exc)[:200])
    if size > max_bytes:
        detail = f"{size / 1048576:.1f} MB > {max_bytes / 1048576:.0f} MB"
        return RawFile(path, fmt, error=f"tệp quá lớn / file too large: {detail}")
    try:
        if fmt == "html":
            return _read_html(path)
        if fmt == "xlsx":
            return _read_xlsx(path)
        return _read_csv(path)
    except Exception as exc:  # lxml, calamine and csv raise many types for broken input
        return RawFile(path, fmt, error=f"{type(exc).__name__}: {str(exc)[:200]}")


def _cell_text(element: lxml_html.HtmlElement) -> str:
    return clean_text(element.text_content())


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "caption"}


def _read_html(path: Path) -> RawFile:
    tree = lxml_html.fromstring(path.read_bytes())
    raw = RawFile(path, "html")
    raw.titles += [_cell_text(t) for t in tree.iter("title")]
    for meta in tree.iter("meta"):
        name = meta.get("name") or meta.get("property")
        if name and meta.get("content"):
            raw.meta[name.lower()] = clean_text(meta.get("content"))
    canonical = next(
        (link.get("href") for link in tree.iter("link") if link.get("rel") == "canonical"), None
    )
    if canonical:
        raw.meta.setdefault("canonical", canonical)
    heading = ""
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _HEADINGS:
            heading = _cell_text(element)
            raw.titles.append(heading)
        elif tag == "table":
            caption = element.find("caption")
            name = _cell_text(caption) if caption is not None else heading
            raw.tables.append(Table(name or f"bảng {len(raw.tables) + 1}", _html_rows(element)))
    return raw


def _html_rows(table: lxml_html.HtmlElement) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for tr in table.iter("tr"):
        if tr.getparent() is not None and _owning_table(tr) is not table:
            continue  # a row of a nested table belongs to that table
        row: list[Cell] = []
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            # a spanning header cell names every column under it
            span = int(cell.get("colspan", "1") or "1")
            row += [_cell_text(cell)] * max(span, 1)
        rows.append(row)
    return rows


def _owning_table(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _read_xlsx(path: Path) -> RawFile:
    refusal = check_sheet_extent(path)
    if refusal is not None:  # calamine would allocate the whole far-away rectangle
        return RawFile(path, "xlsx", error=f"{refusal.code}: {refusal.detail}")
    workbook = CalamineWorkbook.from_path(str(path))
    raw = RawFile(path, "xlsx")
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        raw.tables.append(Table(name, [list(r) for r in rows]))
    return raw


def _read_csv(path: Path) -> RawFile:
    # the submissions' CSV decoder: BOMs, UTF-16, UTF-8, Windows-1258 or a legacy font
    text, _ = decode_text(path.read_bytes())
    rows = max(
        (list(csv.reader(io.StringIO(text), delimiter=d)) for d in _DELIMITERS),
        key=_table_shape,
    )
    return RawFile(path, "csv", tables=[Table(path.name, [list(r) for r in rows])])


# Vietnamese exports use ";" when the decimal separator is a comma; csv.Sniffer is misled by
# commas inside labels ("Tỉnh, thành phố") and values ("0,5808"), so the delimiter is the one
# that gives the most rows of one common width.
_DELIMITERS = (",", ";", "\t")


def _table_shape(rows: list[list[str]]) -> tuple[int, int]:
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    if not widths:
        return (0, 0)
    common = max(set(widths), key=lambda w: (widths.count(w), w))
    return (widths.count(common) if common > 1 else 0, common)
