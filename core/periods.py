"""The one period grammar: ids ``YYYY`` (a year) and ``YYYY-H1`` / ``YYYY-H2`` (half-years).

How clerks write a period ("6 tháng đầu năm 2024") is parsed in ``ingest.values``; everything
after that speaks in these ids.
"""

from __future__ import annotations

import datetime as dt
import re

# for JSON schemas, Airflow params and GX expectations, which take the pattern as text
PERIOD_ID_PATTERN = r"^[0-9]{4}(?:-H[12])?$"
_PERIOD_ID = re.compile(PERIOD_ID_PATTERN)


def is_period_id(text: str) -> bool:
    """Whether ``text`` is a canonical period id."""
    return bool(_PERIOD_ID.match(text))


def period_year(period_id: str) -> int:
    """The calendar year of a period: ``2024-H1`` → 2024."""
    return int(period_id[:4])


def period_start_date(period_id: str) -> dt.date:
    """First day of a period: ``2023`` → 2023-01-01, ``2024-H2`` → 2024-07-01."""
    return dt.date(period_year(period_id), 7 if period_id.endswith("-H2") else 1, 1)


def period_end_date(period_id: str) -> dt.date:
    """Last day of a period: ``2023`` → 2023-12-31, ``2024-H1`` → 2024-06-30."""
    year = period_year(period_id)
    if period_id.endswith("-H1"):
        return dt.date(year, 6, 30)
    return dt.date(year, 12, 31)


def period_label(period_id: str) -> str:
    """How the template writes a period: ``2023`` → "Năm 2023", ``2026-H1`` → "6 tháng đầu
    năm 2026" (``ingest.values.parse_period`` reads each back)."""
    year = period_year(period_id)
    if period_id.endswith("-H1"):
        return f"6 tháng đầu năm {year}"
    if period_id.endswith("-H2"):
        return f"6 tháng cuối năm {year}"
    return f"Năm {year}"
