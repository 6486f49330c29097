"""What a submission file really is, and whether it is safe to open.

The format is read from the file's first bytes, not from its name: clerks rename files, and an
``.xls`` saved as ``.xlsx`` is common. Size limits are checked before anything is read into
memory: the file size on disk, and for zipped spreadsheets (.xlsx, .ods) the uncompressed sizes
the zip directory declares, so a zip bomb is refused without being inflated. An .xlsx sheet's
extent is read from its cell references before any reader builds the sheet: python-calamine
allocates the whole rectangle up to the farthest cell (one cell at XFD1048576 asks for 512 GiB
and aborts the process), so a far-away cell is refused here, in a streaming scan.

Nothing here follows a symlink or opens anything but a regular file: ``dxwh check`` on a FIFO
must not block.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

FileKind = Literal["xlsx", "ods", "xls", "csv"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Spreadsheet XML compresses well (x10–x30); beyond this ratio a member is not a workbook.
MAX_COMPRESSION_RATIO = 200
# The uncompressed content may be this many times the size limit for files on disk.
UNCOMPRESSED_FACTOR = 10


# The farthest cell a sheet may have. A unit's staffing sheet has tens to a few thousand rows;
# calamine stores every cell of the rectangle (16-32 bytes each), so the area is bounded too.
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 1_024
MAX_SHEET_CELLS = 4_000_000
# A cell reference in sheet XML: <c r="XFD1048576" ...> or <c r="xfd1048576"> (any namespace
# prefix, any attribute order, attributes of any length); a row's: <row r="1048576">. A cell
# without r= sits right of the cell before it, in the row its <row> names: calamine places it
# there, so the scan counts such cells one by one (Excel always writes r=; only such files pay).
_TAG_START = rb"<(?:[A-Za-z_][\w.-]*:)?"
_CELL_REF = re.compile(_TAG_START + rb"c\b[^>]*?\sr\s*=\s*[\"']([A-Za-z]{1,4})([0-9]{1,9})[\"']")
_ROW_REF = re.compile(_TAG_START + rb"row\b[^>]*?\sr\s*=\s*[\"']([0-9]{1,9})[\"']")
_CELL_WITHOUT_REF = re.compile(_TAG_START + rb"c\b(?![^>]*?\sr\s*=)[^>]*>")
_ROW_OR_CELL = re.compile(_TAG_START + rb"(row|c)\b([^>]*)>")
_REF_VALUE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{0,4})([0-9]{1,9})[\"']")
_SCAN_CHUNK = 1 << 20
# No real tag is this long: a sheet hiding a reference behind megabytes of attributes is refused.
MAX_TAG_BYTES = 64 * 1024


# What zipfile raises for a damaged, encrypted or oddly compressed archive: the workbook reader
# then reports the file as unreadable.
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError, zlib.error)


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened: a problem code and a detail for the message."""

    code: str
    detail: str


def ensure_regular(path: Path) -> None:
    """Raise ``OSError`` unless ``path`` itself (not a symlink's target) is a regular file."""
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):
        kind = "symlink" if stat.S_ISLNK(mode) else "FIFO, device or socket"
        raise OSError(f"{path.name}: not a regular file ({kind})")


class Inspection(NamedTuple):
    """What a file is (``kind``), why it is not opened (``refusal``), and its bytes, read once
    (``None`` when it is refused before being read)."""

    kind: FileKind | None
    refusal: Refusal | None
    data: bytes | None


def inspect(path: Path, max_bytes: int) -> Inspection:
    """Open ``path`` once (never a symlink, FIFO or device) and decide what it is and whether it
    is safe to read; a file within the size limit is read into memory for the reader.

    Raises ``OSError`` for anything but a regular file.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        ensure_regular(path)  # says "symlink" or "FIFO" when that is why
        raise exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name}: not a regular file (FIFO, device or socket)")
        if info.st_size > max_bytes:
            size, limit = info.st_size / 1048576, max_bytes / 1048576
            refusal = Refusal("FILE_TOO_LARGE", f"{size:.1f} MB > {limit:.0f} MB")
            return Inspection(sniff_kind(path), refusal, None)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew since the fstat
        return Inspection(None, Refusal("FILE_TOO_LARGE", f"> {max_bytes / 1048576:.0f} MB"), None)
    if data.startswith(_ZIP_MAGIC):
        return _inspect_zip(data, max_bytes)
    if data[:8] == _OLE_MAGIC:
        return Inspection("xls", None, data)
    if path.suffix.lower() in {".csv", ".txt"} or _text_sample(data[:4096]):
        return Inspection("csv", None, data)
    return Inspection(None, None, data)


def _inspect_zip(data: bytes, max_bytes: int) -> Inspection:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            kind = _zip_kind(archive)
            refusal = _content_refusal(archive.infolist(), max_bytes)
            if refusal is None and kind == "xlsx":
                refusal = _extent_refusal(archive)
            return Inspection(kind, refusal, data)
    except _ZIP_ERRORS:
        return Inspection("xlsx", None, data)  # the workbook reader reports it as unreadable


def _zip_kind(archive: zipfile.ZipFile) -> FileKind:
    """A zipped spreadsheet is an OpenDocument one when its ``mimetype`` member says so."""
    if "mimetype" in archive.namelist():
        with archive.open("mimetype") as member:
            if member.read(len(_ODS_MIMETYPE) + 8).strip() == _ODS_MIMETYPE:
                return "ods"
    return "xlsx"


def sniff_kind(path: Path) -> FileKind | None:
    """The format the file's bytes show, or ``None`` when it is no supported format.

    Raises ``OSError`` for anything but a regular file (checked before opening).
    """
    ensure_regular(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                return _zip_kind(archive)
        except zipfile.BadZipFile:
            return "xlsx"  # let the workbook reader report it as unreadable
    if head == _OLE_MAGIC:
        return "xls"
    if path.suffix.lower() in {".csv", ".txt"} or _looks_like_text(path):
        return "csv"
    return None


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        return _text_sample(handle.read(4096))


def _text_sample(sample: bytes) -> bool:
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in sample and bool(sample) and (b"," in sample or b";" in sample)


def _content_refusal(members: list[zipfile.ZipInfo], max_bytes: int) -> Refusal | None:
    total = sum(m.file_size for m in members)
    limit = max_bytes * UNCOMPRESSED_FACTOR
    if total > limit:
        return Refusal(
            "FILE_CONTENT_TOO_LARGE", f"{total / 1048576:.0f} MB > {limit / 1048576:.0f} MB"
        )
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > MAX_COMPRESSION_RATIO:
            return Refusal(
                "FILE_CONTENT_TOO_LARGE",
                f"{m.filename}: {m.file_size / m.compress_size:.0f}x",
            )
    return None


def column_number(letters: bytes) -> int:
    """``b"A"`` → 1, ``b"XFD"`` → 16384 (``b"xfd"`` too: calamine reads either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def check_sheet_extent(path: Path) -> Refusal | None:
    """FILE_TOO_COMPLEX when a worksheet of the .xlsx reaches beyond the sheet bounds."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _extent_refusal(archive)
    except _ZIP_ERRORS:
        return None  # the workbook reader reports it as unreadable


_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b[^>]*>")
_REL_TYPE = re.compile(rb"\sType=[\"']([^\"']*)[\"']")
_REL_TARGET = re.compile(rb"\sTarget=[\"']([^\"']*)[\"']")
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


def _worksheet_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members the workbook's relationships name as worksheets (where calamine looks);
    every XML member when the relationships cannot be read."""
    by_name = {m.filename: m for m in archive.infolist()}
    xml = [m for m in by_name.values() if m.filename.lower().endswith(".xml")]
    rels = by_name.get(_WORKBOOK_RELS)
    if rels is None or rels.file_size > 1 << 20:
        return xml
    targets = []
    for tag in _RELATIONSHIP.findall(archive.read(rels)):
        kind, target = _REL_TYPE.search(tag), _REL_TARGET.search(tag)
        if kind and target and kind.group(1).endswith(b"/worksheet"):
            name = target.group(1).decode("utf-8", "replace")
            resolved = name.lstrip("/") if name.startswith("/") else f"xl/{name}"
            targets.append(posixpath.normpath(resolved))
    found = [by_name[t] for t in targets if t in by_name]
    return found if found and len(found) == len(targets) else xml


def _extent_refusal(archive: zipfile.ZipFile) -> Refusal | None:
    """Each worksheet's farthest cell, from its cell and row references, a chunk at a time."""
    for member in _worksheet_members(archive):
        try:
            rows, columns = _extent(archive, member)
        except _TagTooLong as exc:
            return Refusal("FILE_TOO_COMPLEX", f"{member.filename}: {exc}")
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > MAX_SHEET_CELLS:
            return Refusal("FILE_TOO_COMPLEX", f"{member.filename}: {rows} × {columns} ô/cells")
    return None


class _TagTooLong(Exception):
    pass


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's XML in pieces that each end at a tag's end: no tag is cut in two."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut == -1 or data.find(b">", cut) != -1:
                tail, data = b"", data
            else:
                tail, data = data[cut:], data[:cut]
            if len(tail) > MAX_TAG_BYTES:
                raise _TagTooLong(f"thẻ XML dài hơn {MAX_TAG_BYTES} byte / tag too long")
            if data:
                yield data
    if tail:
        yield tail


def _extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    rows = columns = 0
    for data in _chunks(archive, member):
        refs = _CELL_REF.findall(data)
        if refs:  # maxima without a Python step per cell: a sheet has few distinct columns
            letters, numbers = zip(*refs, strict=True)
            rows = max(rows, *map(int, numbers))
            columns = max(columns, *map(column_number, set(letters)))
        row_refs = _ROW_REF.findall(data)
        if row_refs:
            rows = max(rows, *map(int, row_refs))
        if _CELL_WITHOUT_REF.search(data):
            return _extent_cell_by_cell(archive, member)
    return rows, columns


def _extent_cell_by_cell(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """The extent as calamine places cells without references: after the cell before them,
    in the row the last ``<row>`` named (or the row after the last one)."""
    rows = columns = row = column = 0
    for data in _chunks(archive, member):
        for match in _ROW_OR_CELL.finditer(data):
            ref = _REF_VALUE.search(match.group(2))
            if match.group(1) == b"row":
                row = int(ref.group(2)) if ref else row + 1
                column = 0
            elif ref and ref.group(1):
                column = column_number(ref.group(1))
                row = int(ref.group(2))
            else:
                column += 1
            rows, columns = max(rows, row), max(columns, column)
    return rows, columns


def file_size(path: Path) -> int:
    """Size of a regular file, not following symlinks."""
    ensure_regular(path)
    return os.lstat(path).st_size
