"""Every page the product writes, opened as a person would: from disk, with no network.

The demo data runs once through the real ``dx_nightly`` DAG (the ``demo_warehouse`` fixture);
each page it wrote is then loaded in headless Chromium with every network request failing.
A page passes when nothing failed to load, no script raised, and what a reader came for is on
it. ``python -m tests.warehouse.browser PAGE OUT.png`` takes the screenshots in ``docs/img``.
"""

from __future__ import annotations

import re

import pytest

from core.settings import Settings
from tests.warehouse.browser import load_page

pytestmark = pytest.mark.slow


def test_the_scorecard(demo_warehouse: Settings) -> None:
    folder = demo_warehouse.reports_dir / "scorecard"
    page = load_page(folder / "index.html", width=800)

    # every chart the night drew is on the page (staffing, compliance, DTI, the plan's and the
    # what-if's charts: how many depends on the data), and each one loads
    charts = list(folder.glob("*.png"))
    assert len(charts) >= 4
    assert page.errors == [] and page.broken_images == [] and page.images == len(charts)
    assert page.wrapped_periods == []
    # the demo reaches 2026-H1, which belongs to the Đà Nẵng formed on 2025-07-01
    assert "Bảng theo dõi chuyển đổi số – Thành phố Đà Nẵng" in page.text
    assert "Tỉnh Quảng Nam" in page.text and "Sắp xếp đơn vị hành chính năm 2025" in page.text
    assert "province:" not in page.text and "dti_2021_2023" not in page.text


def test_the_feedback_index_and_a_feedback_page(demo_warehouse: Settings) -> None:
    feedback = demo_warehouse.feedback_dir
    index = load_page(feedback / "index.html")
    first = next(iter(sorted(feedback.glob("*/*.html"))))
    report = load_page(first)

    assert index.errors == [] and report.errors == []
    assert "Phản hồi cho các đơn vị" in index.text
    assert re.search(r"Kiểm tra lúc \d\d/\d\d/\d{4} \d\d:\d\d", index.text)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", index.text)  # no ISO timestamps
    assert "Kết quả kiểm tra báo cáo nhân lực CĐS" in report.text
    assert "Đơn vị" in report.text and "Kỳ báo cáo" in report.text


def test_the_data_quality_page(demo_warehouse: Settings) -> None:
    page = load_page(demo_warehouse.docs_dir / "gx" / "index.html")

    assert page.errors == []
    assert "Cổng chất lượng MỞ" in page.text and "marts.fct_staffing" in page.text


@pytest.mark.parametrize("name", ["index.html", "static_index.html"])
def test_the_published_dbt_docs(demo_warehouse: Settings, name: str) -> None:
    # index.html is what a person double-clicks: it must work from disk too
    page = load_page(demo_warehouse.published_dir / "docs" / name)

    assert page.errors == []
    # drawn by the page's script from the manifest embedded in it: no server needed
    assert "dxwh" in page.text and "Welcome!" in page.text
