"""What a submission file really is, and whether it is safe to open.

The format is read from the file's first bytes, not from its name: clerks rename files, and an
``.xls`` saved as ``.xlsx`` is common. Size limits are checked before anything is read into
memory: the file size on disk, and for zipped spreadsheets (.xlsx, .ods) the uncompressed sizes
the zip directory declares, so a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FileKind = Literal["xlsx", "ods", "xls", "csv"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Spreadsheet XML compresses well (x10–x30); beyond this ratio a member is not a workbook.
MAX_COMPRESSION_RATIO = 200
# The uncompressed content may be this many times the size limit for files on disk.
UNCOMPRESSED_FACTOR = 10


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened: a problem code and a detail for the message."""

    code: str
    detail: str


def sniff_kind(path: Path) -> FileKind | None:
    """The format the file's bytes show, or ``None`` when it is no supported format."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                if "mimetype" in archive.namelist():
                    with archive.open("mimetype") as member:
                        if member.read(len(_ODS_MIMETYPE) + 8).strip() == _ODS_MIMETYPE:
                            return "ods"
        except zipfile.BadZipFile:
            return "xlsx"  # let the workbook reader report it as unreadable
        return "xlsx"
    if head == _OLE_MAGIC:
        return "xls"
    if path.suffix.lower() in {".csv", ".txt"} or _looks_like_text(path):
        return "csv"
    return None


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in sample and bool(sample) and (b"," in sample or b";" in sample)


def check_limits(path: Path, kind: FileKind | None, max_bytes: int) -> Refusal | None:
    """A refusal when the file, or a zipped spreadsheet's declared content, is too large."""
    size = path.stat().st_size
    if size > max_bytes:
        return Refusal("FILE_TOO_LARGE", f"{size / 1048576:.1f} MB > {max_bytes / 1048576:.0f} MB")
    if kind not in ("xlsx", "ods"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return None
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
