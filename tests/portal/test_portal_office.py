"""The office view on a published warehouse: who reported per period, and their last verdicts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.db import ensure_landing_tables, session
from core.intake_record import write_record
from core.settings import Settings
from tests.portal.portal_helpers import Portal, sign_in
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish

REJECTED_SHA = "ab" * 32


@pytest.fixture
def office(portal: Portal) -> Portal:
    """The sample marts published, and a rejected file of unit 20342 in the build audit."""
    settings: Settings = portal.settings
    build_sample_marts(settings)
    with session(settings.build_db) as con:
        # the sample predates this column of the mart
        con.execute(
            "alter table marts.fct_reporting_compliance add column current_submission_id varchar"
        )
        ensure_landing_tables(con)
        con.execute(
            "insert into audit.file_loads values ('b1', 'xa_cu.xlsx', ?, 'archive/x', 1, "
            "'rejected', '20342', '2023', 3, 0, 3, 2, 0, ?)",
            [REJECTED_SHA, dt.datetime(2024, 1, 20, tzinfo=dt.UTC)],
        )
        write_record(con, settings.home)  # as the night does after each load
    publish(settings)
    page = settings.feedback_dir / "20342" / f"xa_cu.xlsx.{REJECTED_SHA[:8]}.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!doctype html><p>BỊ TỪ CHỐI: thiếu Mã đơn vị</p>", encoding="utf-8")
    return portal


def _units(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', html)


def test_per_period_who_reported(office: Portal) -> None:
    client = office.client()
    sign_in(client, office.office_token)
    html = client.get("/office", params={"period": "2023"}).text
    summary = re.sub(r"\s+", " ", html.split('id="summary">')[1].split("</p>")[0])
    for text in ("4 đơn vị", "2 nộp đúng hạn", "1 nộp muộn", "1 chưa nộp", "1 chưa có đầu mối"):
        assert text in summary
    assert _units(html) == ["49-STTTT", "502", "20341", "20342"]
    # the nightly loader's last verdict, linked to its feedback page
    link = f"/office/feedback/20342/{REJECTED_SHA}"
    assert link in html
    assert "BỊ TỪ CHỐI" in client.get(link).text


@pytest.mark.parametrize(
    ("show", "units"),
    [("missing", ["20342"]), ("late", ["502"]), ("no_focal_point", ["20341"]),
     ("on_time", ["49-STTTT", "20341"])],
)  # fmt: skip
def test_filters(office: Portal, show: str, units: list[str]) -> None:
    client = office.client()
    sign_in(client, office.office_token)
    assert _units(client.get("/office", params={"period": "2023", "show": show}).text) == units


def test_feedback_pages_are_the_office_s_only(office: Portal) -> None:
    client = office.client()
    sign_in(client, office.office_token)
    assert client.get("/office/feedback/20342/" + "cd" * 32).status_code == 404
    assert client.get("/office/feedback/..%2F..%2Fetc/" + REJECTED_SHA).status_code == 404
    clerk = office.client()
    sign_in(clerk, office.unit_token)
    assert clerk.get(f"/office/feedback/20342/{REJECTED_SHA}").status_code == 403


def test_a_period_in_progress_has_no_missing_unit(portal: Portal) -> None:
    """Finding: five weeks before 2026-H2's deadline the office saw its silent units as
    "Chưa nộp"; until the deadline they are not yet due."""
    from tests.warehouse.test_scorecard import IN_PROGRESS_SQL

    settings: Settings = portal.settings
    build_sample_marts(settings)
    with session(settings.build_db) as con:
        con.execute(
            "alter table marts.fct_reporting_compliance add column current_submission_id varchar"
        )
        con.execute(IN_PROGRESS_SQL)
        ensure_landing_tables(con)
        write_record(con, settings.home)
    publish(settings)
    client = portal.client()
    sign_in(client, portal.office_token)

    html = client.get("/office", params={"period": "2026-H2"}).text
    summary = re.sub(r"\s+", " ", html.split('id="summary">')[1].split("</p>")[0])

    for text in ("3 đơn vị", "1 nộp đúng hạn", "0 nộp muộn", "0 chưa nộp", "2 chưa đến hạn"):
        assert text in summary, summary
    assert '<td class="missing">' not in html
    assert html.count('<td class="not_yet_due">Chưa đến hạn') == 2
