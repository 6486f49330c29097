"""The data-quality page of a run: what passed and failed, readable from disk with no network."""

from __future__ import annotations

import re

import great_expectations.expectations as gxe

from core.db import ensure_landing_tables, session
from core.settings import Settings
from expectations.runner import run_validations
from expectations.spec import SuiteSpec, critical, warning
from tests.warehouse.browser import load_page

STAFFING = SuiteSpec(
    name="marts.fct_staffing",
    query="select * from marts.fct_staffing",
    build=lambda: [
        gxe.ExpectColumnValuesToBeBetween(
            column="n_staff", min_value=0, meta=critical("n_staff is not negative")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="n_staff", max_value=100, meta=warning("n_staff is at most 100")
        ),
    ],
)
MISSING = SuiteSpec(
    name="raw.missing_table",
    query="select * from raw.missing_table",
    build=lambda: [gxe.ExpectColumnToExist(column="x", meta=critical("x exists"))],
)


def _build_db(settings: Settings) -> None:
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_staffing as "
            "select * from (values ('u1', 3), ('u2', 2), ('u3', 150)) t(unit_id, n_staff)"
        )


def test_the_page_lists_every_rule_with_its_result(data_home: Settings) -> None:
    _build_db(data_home)

    report = run_validations(data_home, "run-7", suites=(STAFFING, MISSING))

    html = (data_home.docs_dir / "gx" / "index.html").read_text(encoding="utf-8")
    assert report.docs_index == str(data_home.docs_dir / "gx" / "index.html")
    assert "Cổng chất lượng ĐÓNG" in html and "run-7" in html
    # every rule of the staffing suite, the broken one with the rows that break it
    assert "n_staff is not negative" in html and "n_staff is at most 100" in html
    assert "1 / 3" in html and "[150]" in html and "0 / 3" in html
    # a suite that could not run is on the page too, with the reason
    assert "raw.missing_table can be validated" in html
    assert "table(s) missing from the build database: raw.missing_table" in html
    # suites with critical failures come before those with warnings only
    overview = html[: html.index('<section id="suite-')]
    assert overview.index("raw.missing_table") < overview.index("marts.fct_staffing")


def test_the_page_needs_no_network(data_home: Settings) -> None:
    _build_db(data_home)
    run_validations(data_home, "run-7", suites=(STAFFING,))
    site = data_home.docs_dir / "gx"

    html = (site / "index.html").read_text(encoding="utf-8")
    page = load_page(site / "index.html")

    assert not re.search(r"(?:src|href)=\"[a-z]+://", html)
    assert "<script" not in html and "<link" not in html
    assert page.errors == [] and page.broken_images == []
    assert "Kiểm tra chất lượng dữ liệu" in page.dom and "marts.fct_staffing" in page.dom


def test_each_run_replaces_the_last_page(data_home: Settings) -> None:
    _build_db(data_home)
    site = data_home.docs_dir / "gx"
    run_validations(data_home, "run-1", suites=(STAFFING, MISSING))
    (site / "stale.html").write_text("old", encoding="utf-8")

    run_validations(data_home, "run-2", suites=(STAFFING,))

    assert [p.name for p in site.iterdir()] == ["index.html"]
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "run-2" in html and "raw.missing_table" not in html
