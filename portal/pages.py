"""How the portal's pages read: Jinja2 templates (autoescaped), dates in Vietnam time, labels.

Every page is a template of ``portal/templates``; no HTML is written in Python.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.templating import Jinja2Templates

from core.periods import period_label
from ingest.submissions.feedback import verdict_label
from portal.units import LEVEL_LABELS

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
# Vietnam keeps one offset all year (no daylight saving): no time-zone database is needed
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def local_time(value: str | None) -> str:
    """An ISO timestamp as people in Vietnam read it: ``01/12/2026 23:40``."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def local_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")


def templates() -> Jinja2Templates:
    """The portal's templates (autoescaped: Starlette turns it on for ``.html``)."""
    found = Jinja2Templates(directory=str(TEMPLATES_DIR))
    found.env.filters["localtime"] = local_time
    found.env.filters["localdate"] = local_date
    found.env.globals.update(
        verdict_label=verdict_label, level_label=LEVEL_LABELS, period_label=period_label
    )
    return found


def too_large_message(limit: int) -> str:
    return (
        f"Tệp quá lớn: giới hạn là {limit / 1048576:.0f} MB. Chỉ gửi hai trang tính DonVi và "
        "NhanLuc theo mẫu, không kèm hình ảnh. / The file is larger than the limit."
    )
