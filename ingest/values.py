"""Parsing of cell values as clerks type them: periods, yes/no, integers, dates."""

from __future__ import annotations

import datetime as dt
import re

from ingest.text import clean_text, fold

_YES = {"co", "x", "✓", "✔", "1", "yes", "y", "true", "c", "dung", "da", "co tham gia"}
_NO = {"", "khong", "0", "no", "n", "false", "k", "-", "khong co", "chua", "sai"}

_PERIOD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:nam\s*)?(\d{4})$"), "{0}"),
    (re.compile(r"^(\d{4})\s*-?\s*h([12])$"), "{0}-H{1}"),
    (re.compile(r"^6 thang dau nam (\d{4})$"), "{0}-H1"),
    (re.compile(r"^6 thang cuoi nam (\d{4})$"), "{0}-H2"),
)

EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_period(value: object) -> str | None:
    """Canonical period id (``2023``, ``2024-H1``) from the forms the template allows."""
    text = fold(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    for pattern, template in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            return template.format(*match.groups())
    return None


def parse_yes_no(value: object) -> bool | None:
    """``True``/``False`` for Có/Không and their variants (blank = Không); ``None`` if neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = fold(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def parse_int(value: object) -> int | None:
    """An integer from a number, or text such as ``"12"``, ``" 1.234 "``, ``"1,234"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = clean_text(value).replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(float(text))
    return None


def parse_date(value: object) -> dt.date | None:
    """A date from an Excel date, an Excel serial, ``dd/mm/yyyy``, ``d/m/yy`` or ISO text.

    Whether the date is plausible (not before 2000, not in the future) is the check's rule.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = clean_text(value)
    # "Ngày 15 tháng 01 năm 2024", as dates are written at the foot of official forms
    written = re.fullmatch(r"(?:.*,\s*)?ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", fold(text))
    if written:
        text = "/".join(written.groups())
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            # two digits are this century: forms date from 2000 on ("5/1/24" is 2024); a
            # four-digit year is taken as written, so 01/01/0001 stays year 1 (and is refused)
            year += 2000
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    return None
