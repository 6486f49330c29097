"""The night the session's demo warehouse is built for (its as-of date).

2026-H1 is then the last period due and 2026-H2 is in progress (due 15/01/2027), whatever day
the tests run.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEMO_NIGHT = dt.datetime(2026, 12, 7, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DEMO_AS_OF = DEMO_NIGHT.date()
