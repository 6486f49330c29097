"""The scorecard: a static Vietnamese report that opens in a browser with no network."""

from __future__ import annotations

import re

import pytest

from core.settings import Settings
from tests.warehouse.browser import load_page
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.report.render import write_scorecard

SECTIONS = (
    "dti",
    "dti-peers",
    "staffing",
    "targets",
    "compliance",
    "late-or-missing",
    "no-focal-point",
)


@pytest.fixture
def sample_scorecard(data_home: Settings) -> Settings:
    build_sample_marts(data_home)
    publish(data_home)
    write_scorecard(data_home)
    return data_home


def test_scorecard_shows_the_sample_figures(sample_scorecard: Settings) -> None:
    index = sample_scorecard.reports_dir / "scorecard" / "index.html"
    html = index.read_text(encoding="utf-8")

    assert "Quảng Nam" in html
    assert "Kỳ báo cáo mới nhất: <strong>2024-H1</strong>" in html
    # DTI: rank out of the basis, and the published national mean beside the score
    assert "57/63" in html and "17/34" in html
    assert "0,6961" in html
    # targets: the plan's wording, value as a share, the status in Vietnamese
    assert "100% đơn vị có bộ phận hoặc đầu mối CĐS" in html
    assert "50,0%" in html and "Có nguy cơ không đạt" in html and "Đã đạt" in html
    # compliance: the latest period's missing units, with the name valid in that period
    assert "UBND xã Mới" in html and "UBND xã Cũ" not in html
    assert "Chưa nộp" in html


def test_scorecard_needs_no_network(sample_scorecard: Settings) -> None:
    folder = sample_scorecard.reports_dir / "scorecard"
    html = (folder / "index.html").read_text(encoding="utf-8")

    references = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert references, "the page refers to its charts"
    assert all("://" not in ref and (folder / ref).is_file() for ref in references)
    assert "<link" not in html  # the CSS is inline


def test_scorecard_renders_in_chromium(sample_scorecard: Settings) -> None:
    page = load_page(sample_scorecard.reports_dir / "scorecard" / "index.html")

    assert page.errors == []
    assert page.images == 4 and page.broken_images == []
    for section in SECTIONS:
        assert f'id="{section}"' in page.dom
    assert "Chỉ tiêu kế hoạch" in page.dom


def test_rewriting_the_scorecard_replaces_it_whole(sample_scorecard: Settings) -> None:
    folder = sample_scorecard.reports_dir / "scorecard"
    (folder / "stale.png").write_bytes(b"old")

    write_scorecard(sample_scorecard)

    assert not (folder / "stale.png").exists()
    assert (folder / "index.html").is_file()
    assert [p.name for p in sample_scorecard.reports_dir.iterdir()] == ["scorecard"]
