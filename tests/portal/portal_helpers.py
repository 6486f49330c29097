"""Helpers of the portal tests: submission files written from the template (a correct one and
one with problems), the portal under test, and signing in through the form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest.registry import build_registry
from ingest.submissions.template import EXAMPLE_STAFF, write_template
from portal.config import PortalConfig
from portal.store import PortalStore
from portal.units import current_version, template_values

UNIT = "48-SKHCN"  # Sở Khoa học và Công nghệ, new Đà Nẵng (from 2025-07-01)
OTHER_UNIT = "48-SNV"  # Sở Nội vụ
PERIOD = "2026-H1"
TODAY = dt.date(2026, 12, 1)


def submission_values(unit_id: str, period: str = PERIOD) -> dict[str, object]:
    """The DonVi fields of a correct report: the template's pre-fill plus what the clerk adds."""
    units = [u for u in build_registry() if u.unit_id == unit_id]
    return {
        **template_values(current_version(units, TODAY), period),
        "has_dx_focal_point": "Có",
        "focal_point_decision_ref": "15/QĐ-SKHCN",
        "prepared_by": "Nguyễn Thị Hoa",
        "submitted_on": dt.date(2026, 7, 10),
    }


def write_good(path: Path, unit_id: str = UNIT, period: str = PERIOD) -> Path:
    return write_template(path, submission_values(unit_id, period), EXAMPLE_STAFF)


BAD_STAFF = (
    {**EXAMPLE_STAFF[0], "birth_year": 1890},  # out of range
    {**EXAMPLE_STAFF[1], "assignment": "Bán thời gian"},  # not a choice
)


def write_bad(path: Path, unit_id: str = UNIT) -> Path:
    values = {**submission_values(unit_id), "has_dx_focal_point": None}  # a required field
    return write_template(path, values, BAD_STAFF)


@dataclass
class Portal:
    """An app on a fresh data home, with tokens issued for two units and the office."""

    app: FastAPI
    settings: Settings
    config: PortalConfig
    store: PortalStore
    unit_token: str
    other_token: str
    office_token: str

    def client(self) -> TestClient:
        return TestClient(self.app)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form; returns the session's CSRF token for the next forms."""
    response = client.post(
        "/login", data={"token": token, "csrf_token": csrf_of(client.get("/login").text)}
    )
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
