"""What a submission file really is, whether it is safe to open, and how its text is encoded.

The format is read from the file's first bytes, not from its name: clerks rename files, and an
``.xls`` saved as ``.xlsx`` is common. Size limits are checked before anything is read into
memory: the file size on disk, and for zipped spreadsheets (.xlsx, .ods) the uncompressed sizes
the zip directory declares, so a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.encoding import file_encoding, is_vietnamese_syllable, repair

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


_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def _vietnamese_score(text: str) -> int:
    """Words with non-ASCII letters that read as Vietnamese syllables, minus those that do not."""
    score = 0
    for word in _NON_ASCII_WORD.findall(text):
        score += 1 if is_vietnamese_syllable(word) else -1
    return score


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding it was read with (NFC).

    BOMs decide first; then UTF-16 without BOM (NUL bytes on one side); then strict UTF-8;
    otherwise the bytes are 8-bit: Windows-1258 (whose tone marks may be combining characters)
    or a legacy Vietnamese font saved as Windows-1252, whichever reads as Vietnamese.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace")), "utf-16"
    sample = data[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
            return _nfc(data.decode("utf-16-le", errors="replace")), "utf-16-le"
        if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
            return _nfc(data.decode("utf-16-be", errors="replace")), "utf-16-be"
    try:
        return _nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    as_1258 = _nfc(data.decode("cp1258", errors="replace"))
    as_1252 = data.decode("cp1252", errors="replace")
    legacy = file_encoding(as_1252.splitlines())
    if legacy is not None:
        repaired = "\n".join(repair(line, legacy)[0] for line in as_1252.splitlines())
        if _vietnamese_score(repaired) > _vietnamese_score(as_1258):
            return as_1252, "cp1252"  # the reader repairs the legacy font cell by cell
    return as_1258, "cp1258"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
