"""The one zone the published warehouse tells time in, and how a column says so.

BI drivers reflect ``timestamptz`` as a naive timestamp and show it in the BI server's own zone,
so a filter on "07/01 from 00:00" would depend on where the server runs. Every published time
is therefore Vietnam's local time as a plain ``TIMESTAMP``, its comment naming the zone.
"""

from __future__ import annotations

LOCAL_TIME_ZONE = "Asia/Ho_Chi_Minh"
LOCAL_TIME_NOTE = "(giờ Việt Nam / Vietnam time, Asia/Ho_Chi_Minh, UTC+7)"


def local_time_sql(expression: str) -> str:
    """SQL turning the ``timestamptz`` ``expression`` into Vietnam's local time."""
    return f"timezone('{LOCAL_TIME_ZONE}', {expression})"
