"""The office's "Cần làm gì": each target's projection and the units holding it back, read
from what the night published, and the night's workbook to send out."""

from __future__ import annotations

import re

import duckdb

from core.db import session
from core.settings import Settings
from tests.portal.portal_helpers import Portal, sign_in
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.report.render import write_scorecard


def _published(portal: Portal) -> Portal:
    settings: Settings = portal.settings
    build_sample_marts(settings)
    with session(settings.build_db) as con:  # the sample predates this column of the mart
        con.execute(
            "alter table marts.fct_reporting_compliance add column current_submission_id varchar"
        )
    publish(settings)
    return portal


def test_the_office_reads_each_targets_sentence_and_units(portal: Portal) -> None:
    office = _published(portal)
    with duckdb.connect(str(office.settings.published_db), read_only=True) as con:
        sentences = [
            s
            for (s,) in con.execute(
                "select status_vi from analyst.target_projections where is_restated"
            ).fetchall()
        ]
        units = [
            u
            for (u,) in con.execute(
                "select unit_id from analyst.target_holdbacks where scope like 'successor:%' "
                "order by holdback_rank"
            ).fetchall()
        ]
    client = office.client()
    sign_in(client, office.office_token)

    html = client.get("/office/can-lam-gi").text

    assert sentences and units
    for sentence in sentences:
        assert sentence in html
    assert re.findall(r'<tr data-unit="([^"]+)"', html) == units
    assert 'href="/office/can-lam-gi"' in html  # in the office's menu


def test_the_workbook_is_served_once_the_night_wrote_it(portal: Portal) -> None:
    office = _published(portal)
    client = office.client()
    sign_in(client, office.office_token)
    assert client.get("/office/can-lam-gi.xlsx").status_code == 404
    assert 'id="workbook"' not in client.get("/office/can-lam-gi").text

    write_scorecard(office.settings)  # the night writes the workbook beside the scorecard

    reply = client.get("/office/can-lam-gi.xlsx")
    assert reply.status_code == 200
    assert reply.content[:2] == b"PK"  # an .xlsx is a zip
    assert 'id="workbook"' in client.get("/office/can-lam-gi").text


def test_only_the_office_sees_it(portal: Portal) -> None:
    office = _published(portal)
    client = office.client()
    sign_in(client, office.unit_token)
    for path in ("/office/can-lam-gi", "/office/can-lam-gi.xlsx"):
        assert client.get(path, follow_redirects=False).status_code == 403


def test_before_the_first_publish_it_says_so(portal: Portal) -> None:
    client = portal.client()
    sign_in(client, portal.office_token)
    reply = client.get("/office/can-lam-gi")
    assert reply.status_code == 200
    assert "Chưa có dự báo chỉ tiêu" in reply.text
