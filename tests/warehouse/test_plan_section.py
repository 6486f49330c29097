"""The scorecard's "Cần làm gì" for the plan's targets, and the office's workbook of the same
rows: on the sample marts (fast) and on the demo night (what the office opens)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from core.settings import Settings
from tests.warehouse.browser import load_page
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.report.office_workbook import (
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    UNIT_HEADERS,
    WORKBOOK_NAME,
)
from warehouse.report.render import write_scorecard


def _scorecard_dir(settings: Settings) -> Path:
    return settings.reports_dir / "scorecard"


@pytest.fixture
def sample_scorecard(data_home: Settings) -> Settings:
    build_sample_marts(data_home)
    publish(data_home)
    write_scorecard(data_home)
    return data_home


def test_the_section_shows_each_targets_sentence_and_units(sample_scorecard: Settings) -> None:
    html = (_scorecard_dir(sample_scorecard) / "index.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="can-lam-gi">') :]
    section = section[: section.index("</section>")]
    assert "<h2>Cần làm gì</h2>" in section
    # the mart's sentence, the badge, and the unit that holds the focal-point target back
    assert "Đã qua thời hạn 31/12/2025: không đạt (66,7%, kỳ 2025-H2)" in section
    assert 'id="plan-T2025_FOCAL_POINT"' in section and "Không đạt tại thời hạn" in section
    assert "UBND xã Tam Anh" in section and "Chưa nộp báo cáo kỳ này" in section
    assert "Không đo được từ báo cáo" in section
    assert f'href="{WORKBOOK_NAME}"' in section


def test_a_warehouse_published_before_the_projections_still_renders(data_home: Settings) -> None:
    """An older published version (a rollback) has no projection views: the section says so."""
    build_sample_marts(data_home)
    publish(data_home)
    with duckdb.connect(str(data_home.published_db)) as con:
        con.execute("drop view analyst.target_projections")
        con.execute("drop view analyst.target_holdbacks")
    write_scorecard(data_home)
    html = (_scorecard_dir(data_home) / "index.html").read_text(encoding="utf-8")
    assert "Chưa có dự báo chỉ tiêu." in html
    assert not (_scorecard_dir(data_home) / WORKBOOK_NAME).exists()


def test_the_demo_section_is_the_marts_projections_and_lists(demo_warehouse: Settings) -> None:
    """Every target of today's province appears with its sentence; each projected target has
    its chart; each unit-level target lists exactly the units the mart lists, in its order."""
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        projections = con.execute(
            "select target_id, period_id, status_vi, projected_value, is_share "
            "from analyst.target_projections where is_restated"
        ).fetchall()
        units = con.execute(
            """
            select h.target_id, list(h.unit_id order by h.holdback_rank)
            from analyst.target_holdbacks as h
            inner join analyst.target_projections as p
                on h.target_id = p.target_id and h.scope = p.scope and h.period_id = p.period_id
            where p.is_restated
            group by h.target_id
            """
        ).fetchall()
    folder = _scorecard_dir(demo_warehouse)
    page = load_page(folder / "index.html")
    assert not page.broken_images and not page.errors
    assert "Cần làm gì" in page.text
    html = (folder / "index.html").read_text(encoding="utf-8")
    blocks = {target_id: _block(html, target_id) for target_id, *_ in projections}
    for target_id, _period, sentence, projected, _is_share in projections:
        assert sentence in blocks[target_id], target_id
        if projected is not None:
            chart = folder / f"plan_{target_id.lower()}.png"
            assert f'src="{chart.name}"' in blocks[target_id]
            assert chart.is_file() and chart.stat().st_size > 0, target_id
    assert units, "the demo has units holding targets back"
    for target_id, unit_ids in units:
        listed = re.findall(r'<tr><td class="num">\d+</td><td>([^<]*)</td>', blocks[target_id])
        assert listed == unit_ids, target_id


def _block(html: str, target_id: str) -> str:
    """The markup of one target's entry in the section."""
    start = html.index(f'id="plan-{target_id}"')
    end = html.find('<details class="plan-target"', start)
    return html[start : end if end > 0 else html.index("</section>", start)]


def test_the_office_workbook_opens_with_one_sheet_per_target(demo_warehouse: Settings) -> None:
    """The workbook the night writes beside the scorecard: a summary, then one sheet per
    target with Vietnamese headers and filters on; each sheet lists the mart's units."""
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        targets = dict(
            con.execute(
                "select target_id, status_vi from analyst.target_projections where is_restated"
            ).fetchall()
        )
        units = {
            t: (n, total)
            for t, n, total in con.execute(
                """
                select h.target_id, count(*), sum(h.n_lacking)
                from analyst.target_holdbacks as h
                inner join analyst.target_projections as p
                    on h.target_id = p.target_id and h.scope = p.scope
                    and h.period_id = p.period_id
                where p.is_restated
                group by h.target_id
                """
            ).fetchall()
        }
    book = openpyxl.load_workbook(_scorecard_dir(demo_warehouse) / WORKBOOK_NAME)
    assert book.sheetnames[0] == SUMMARY_SHEET
    assert sorted(book.sheetnames[1:]) == sorted(targets)
    summary = book[SUMMARY_SHEET]
    assert tuple(c.value for c in summary[1]) == SUMMARY_HEADERS
    assert summary.auto_filter.ref
    assert {row[0]: row[10] for row in summary.iter_rows(min_row=2, values_only=True)} == targets
    for target_id, sentence in targets.items():
        sheet = book[target_id]
        assert sheet["B1"].value is None and sheet["A2"].value == sentence
        header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == UNIT_HEADERS[0])
        assert header == UNIT_HEADERS
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A5:")
        rows = [r for r in sheet.iter_rows(min_row=6, values_only=True) if isinstance(r[0], int)]
        n, total = units.get(target_id, (0, 0))
        assert len(rows) == n, target_id
        assert sum(r[5] for r in rows) == (total or 0), target_id
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)
