"""The scorecard: a static Vietnamese report that opens in a browser with no network."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from core.db import session
from core.settings import Settings, load_settings
from tests.demo_night import copy_home
from tests.warehouse.browser import load_page
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.report import charts, labels, render
from warehouse.report.data import load_scorecard_data
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


@pytest.fixture(scope="module")
def sample_scorecard_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample marts published and their scorecard written, once for this module."""
    home = tmp_path_factory.mktemp("scorecard") / "home"
    settings = load_settings({**os.environ, "DXWH_HOME": str(home)})
    settings.ensure_dirs()
    build_sample_marts(settings)
    publish(settings)
    write_scorecard(settings)
    return settings


@pytest.fixture
def sample_scorecard(
    sample_scorecard_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """A copy of the module's published sample and its scorecard, the test's own data home."""
    return copy_home(sample_scorecard_home, tmp_path / "home", monkeypatch)


def _html(settings: Settings) -> str:
    return (settings.reports_dir / "scorecard" / "index.html").read_text(encoding="utf-8")


def test_scorecard_shows_the_sample_figures(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)

    assert 'Kỳ báo cáo mới nhất (đã hết hạn nộp): <strong id="headline-period">2025-H2' in html
    # DTI: rank out of the basis, and the published national mean beside the score
    assert "57/63" in html and "17/34" in html
    assert "0,6961" in html
    # targets: the plan's wording, value as a share, the verdict at the deadline in Vietnamese
    assert "100% Sở, Ban, ngành, UBND cấp xã có đầu mối CĐS" in html
    assert "Không đạt tại 31/12/2025: 66,7%" in html
    # compliance: the latest period's missing units, with the name valid in that period
    assert "UBND xã Tam Anh" in html and "UBND xã Mới" not in html and "UBND xã Cũ" not in html
    assert "Chưa nộp" in html


# One early report for 2026-H2, five weeks before its deadline (15/01/2027): the period is in
# progress, 1 of 3 units has reported, and its figures look like a collapse (1 staff, 33 %).
IN_PROGRESS_SQL = """
insert into marts.dim_period by name
select '2026-H2' as period_id, date '2026-07-01' as start_date, date '2026-12-31' as end_date,
    date '2027-01-15' as deadline_date, 34 as province_basis, true as is_in_progress;
insert into marts.fct_staffing by name
select '48-SKHCN' as unit_id, '2026-H2' as period_id, 'province' as unit_level,
    '48' as province_id, 1 as n_staff, 1 as n_dedicated, 0 as n_concurrent,
    1 as n_it_degree_university_plus, 0 as n_trained, 0 as n_dx_network_members,
    0 as n_platform_access, true as has_dx_focal_point;
insert into marts.fct_reporting_compliance by name
select unit_id, '2026-H2' as period_id, unit_level, '48' as province_id,
    date '2027-01-15' as deadline_date, unit_id = '48-SKHCN' as is_submitted,
    case when unit_id = '48-SKHCN' then date '2026-12-05' end as first_submitted_date,
    unit_id = '48-SKHCN' as is_on_time, 0 as n_files_rejected, true as is_in_progress,
    case when unit_id = '48-SKHCN' then 'on_time' else 'not_yet_due' end as reporting_status
from marts.fct_reporting_compliance where period_id = '2025-H2';
insert into marts.fct_target_progress by name
select 'T2025_FOCAL_POINT' as target_id, 'province:48' as scope, '48' as province_id,
    '2026-H2' as period_id, 0.3333 as actual_value, 1.0 as threshold_value, false as is_met,
    0.6667 as gap, date '2025-12-31' as deadline_date, 'missed' as status;
"""


def test_an_early_report_leaves_the_headline_on_the_last_period_due(data_home: Settings) -> None:
    """Finding: one early report for 2026-H2 made it the headline, with its focal-point share
    "Không đạt" and its silent units red "Chưa nộp", weeks before the deadline."""
    build_sample_marts(data_home)
    with session(data_home.build_db) as con:
        con.execute(IN_PROGRESS_SQL)
    publish(data_home)
    write_scorecard(data_home)
    html = _html(data_home)

    assert 'id="headline-period">2025-H2<' in html
    assert "Kỳ 2026-H2 đang thu báo cáo: đã nhận\n     1/3 báo cáo, hạn 15/01/2027" in html
    # the in-progress period is nowhere judged: no target row, no staffing row, no late list
    assert '<td class="period">2026-H2</td>' not in html
    assert "kỳ đang thu báo cáo (2026-H2) chưa được đánh giá" in html
    assert "Tình hình nộp báo cáo kỳ 2025-H2" in html


def test_scorecard_shows_people_with_unknown_fields(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)

    section = html[html.index("Số người có thông tin chưa biết, kỳ 2025-H2") :]
    assert "Mỗi người vẫn được tính trong Tổng số (15 người)" in section
    assert re.search(r"<td>Năm sinh</td><td class=\"num\">1</td>", section)
    assert re.search(r"<td>Chuyên ngành</td><td class=\"num\">2</td>", section)
    assert re.search(r"<td>Giới tính</td><td class=\"num\">0</td>", section)


def test_each_period_is_named_for_the_province_it_belonged_to(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)

    # the page is about the province of the latest period: the merged Đà Nẵng
    assert "<title>Bảng theo dõi chuyển đổi số – Thành phố Đà Nẵng</title>" in html
    # what merged into what, and when
    assert (
        "Từ 01/07/2025, Thành phố Đà Nẵng và Tỉnh Quảng Nam hợp nhất thành Thành phố Đà Nẵng mới"
    ) in html
    assert "kỳ 2023 đến 2024-H1 là của Tỉnh Quảng Nam; kỳ 2025-H2 là của Thành phố Đà Nẵng" in html
    # the staffing table groups the periods under the province they belonged to
    groups = re.findall(r'<tr class="group"><td colspan="10">([^<]+)</td></tr>', html)
    assert groups == ["Tỉnh Quảng Nam", "Thành phố Đà Nẵng"]
    staffing = html[html.index('id="staffing"') : html.index('id="targets"')]
    assert staffing.index("Tỉnh Quảng Nam") < staffing.index(">2024-H1<")
    assert staffing.index(">2024-H1<") < staffing.index("Thành phố Đà Nẵng")
    assert staffing.index("Thành phố Đà Nẵng") < staffing.index(">2025-H2<")
    # the old province's last targets are shown apart, under its own name
    assert "Kết quả kỳ cuối của Tỉnh Quảng Nam trước sắp xếp" in html


def test_a_period_of_two_provinces_is_named_for_both(data_home: Settings) -> None:
    """Finding: with old Đà Nẵng's units in the periods before the merger, the scorecard still
    said those periods were Quảng Nam's while its staffing figures added both provinces."""
    build_sample_marts(data_home)
    with session(data_home.build_db) as con:
        con.execute(
            "insert into marts.fct_reporting_compliance "
            "select * replace ('48-SNV' as unit_id, '48' as province_id) "
            "from marts.fct_reporting_compliance where period_id in ('2023', '2024-H1') "
            "and unit_id = '49-STTTT'"
        )
    publish(data_home)
    write_scorecard(data_home)
    html = _html(data_home)

    both = "Tỉnh Quảng Nam và Thành phố Đà Nẵng"
    assert f"kỳ 2023 đến 2024-H1 là của {both}; kỳ 2025-H2 là của Thành phố Đà Nẵng" in html
    groups = re.findall(r'<tr class="group"><td colspan="10">([^<]+)</td></tr>', html)
    assert groups == [both, "Thành phố Đà Nẵng"]
    # the page is still about the province of the latest period
    assert "<title>Bảng theo dõi chuyển đổi số – Thành phố Đà Nẵng</title>" in html


def test_scopes_and_methods_read_as_names(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)

    targets = html[html.index('id="targets"') : html.index('id="compliance"')]
    assert "province:" not in targets and "Toàn tỉnh (" not in targets
    assert "<td>Thành phố Đà Nẵng</td>" in targets and "<td>Tỉnh Quảng Nam</td>" in targets
    assert "dti_2021_2023" not in html and "dti_2024" not in html
    # the years the data holds: QĐ 405 is not claimed for 2025, whose decision is not known
    assert "QĐ 922/QĐ-BTTTT (2021–2023)" in html and "QĐ 405/QĐ-BKHCN (2024)" in html
    assert "(từ 2024)" not in html


def test_a_methodology_without_a_known_decision_says_so() -> None:
    assert labels.methodology_label("dti_2025", None, 2025, 2025) == (
        "Chưa rõ văn bản quy định phương pháp (2025)"
    )
    assert labels.methodology_label("dti_2024", "QĐ 405/QĐ-BKHCN", 2024, 2024) == (
        "QĐ 405/QĐ-BKHCN (2024)"
    )


def test_the_officials_table_shows_only_published_dti(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)
    dti = html[html.index('id="dti"') : html.index('id="staffing"')]
    published = dti[: dti.index('id="dti-estimates"')]
    estimates = dti[dti.index('id="dti-estimates"') : dti.index('id="dti-peers"')]

    # the 2022 34-basis average was printed by no publication: it is not in the official table
    assert "0,6905" not in published and "0,7069" in published and "17/34" in published
    # it is shown apart, labelled as the warehouse's own estimate, with what it averages
    assert "0,6905" in estimates
    assert "không phải số liệu công bố" in estimates
    assert "chỉ có cho năm 2024" in estimates
    assert "không được lấy trung bình" in estimates


def test_the_charts_plot_no_estimate(sample_scorecard: Settings) -> None:
    data = load_scorecard_data(sample_scorecard.published_db)

    figure = charts.dti_score_figure(data.dti)
    try:
        plotted = {
            (line.get_label(), int(x))
            for line in figure.axes[0].lines
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
            if not math.isnan(y)
        }
    finally:
        plt.close(figure)

    on_34 = {year for name, year in plotted if "34" in name}
    assert on_34 == {2024}  # the published 0.7069; the 2022 estimate 0.6905 is not plotted


def test_targets_state_the_verdict_on_todays_province(sample_scorecard: Settings) -> None:
    html = _html(sample_scorecard)
    targets = html[html.index('id="targets"') : html.index('id="earlier-targets"')]

    # the 2025 targets: the verdict at the deadline, on the restated (successor) scope
    assert "Không đạt tại 31/12/2025: 66,7%" in targets
    assert "Không đạt tại 31/12/2025: 10<" in targets
    # the restated baseline says which predecessor it covers
    assert "Chỉ gồm số liệu của Tỉnh Quảng Nam" in targets
    # no district level from 01/07/2025: the wording of the period, not the plan's
    assert "cấp huyện" not in targets
    assert "Đã đạt" not in targets and "Có nguy cơ" not in targets
    # the province as it was keeps the plan's wording in its own table
    earlier = html[html.index('id="earlier-targets"') : html.index('id="compliance"')]
    assert "UBND cấp huyện, UBND cấp xã" in earlier


def test_a_missing_year_is_a_gap_in_the_line(sample_scorecard: Settings) -> None:
    data = load_scorecard_data(sample_scorecard.published_db)

    figure = charts.dti_rank_figure(data.dti)
    try:
        [quang_nam] = [
            line for line in figure.axes[0].lines if line.get_label().startswith("Quảng Nam")
        ]
        ranks = dict(zip(quang_nam.get_xdata(), quang_nam.get_ydata(), strict=True))
    finally:
        plt.close(figure)

    assert ranks[2022] == 31 and ranks[2024] == 57
    assert math.isnan(ranks[2023])  # no data for 2023: the line breaks instead of joining
    assert "Chưa có số liệu DTI của tỉnh cho năm 2023" in _html(sample_scorecard)


def test_the_compliance_legend_covers_no_bar() -> None:
    compliance = pd.DataFrame(
        {
            "period_id": ["2025-H2"] * 3,
            "unit_level": ["province", "district", "commune"],
            "n_on_time": [9, 10, 50],
            "n_late": [5, 7, 44],
            "n_missing": [0, 1, 3],
        }
    )

    figure = charts.compliance_figure(compliance, "2025-H2")
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        [ax] = figure.axes
        legend = ax.get_legend().get_window_extent(renderer)
        bars = [patch.get_window_extent(renderer) for patch in ax.patches]
    finally:
        plt.close(figure)

    assert bars and not any(legend.overlaps(bar) for bar in bars)


def test_scorecard_needs_no_network(sample_scorecard: Settings) -> None:
    folder = sample_scorecard.reports_dir / "scorecard"
    html = (folder / "index.html").read_text(encoding="utf-8")

    references = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert references, "the page refers to its charts"
    assert all("://" not in ref and (folder / ref).is_file() for ref in references)
    assert "<link" not in html  # the CSS is inline


def test_scorecard_renders_in_chromium(sample_scorecard: Settings) -> None:
    # a narrow window: where a period label would break ("2024-" / "H1") if it could
    page = load_page(sample_scorecard.reports_dir / "scorecard" / "index.html", width=800)

    assert page.errors == []
    assert page.images == 4 and page.broken_images == []
    assert page.wrapped_periods == []
    for section in SECTIONS:
        assert f'id="{section}"' in page.dom
    assert "Chỉ tiêu kế hoạch" in page.dom and "Sắp xếp đơn vị hành chính năm 2025" in page.dom


def test_rewriting_the_scorecard_replaces_it_whole(sample_scorecard: Settings) -> None:
    folder = sample_scorecard.reports_dir / "scorecard"
    (folder / "stale.png").write_bytes(b"old")

    write_scorecard(sample_scorecard)

    assert not (folder / "stale.png").exists()
    assert (folder / "index.html").is_file()
    assert [p.name for p in sample_scorecard.reports_dir.iterdir()] == ["scorecard"]


def test_two_home_provinces_on_one_basis_get_a_line_each() -> None:
    # after the merger both old Đà Nẵng and Quảng Nam are home provinces on the 63 basis
    dti = pd.DataFrame(
        {
            "year": [2022, 2022, 2024, 2024],
            "basis": [63, 63, 63, 63],
            "province_id": ["48", "49", "48", "49"],
            "province_name": ["Thành phố Đà Nẵng", "Tỉnh Quảng Nam"] * 2,
            "is_home_province": [True] * 4,
            "is_published": [True] * 4,
            "score": [0.8002, 0.5808, 0.8335, 0.5803],
            "rank": [1, 31, 2, 57],
            "n_ranked": [63] * 4,
            "national_mean": [0.5791, 0.5791, 0.6961, 0.6961],
        }
    )
    for figure in (charts.dti_rank_figure(dti), charts.dti_score_figure(dti)):
        try:
            lines = {
                line.get_label(): dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
                for line in figure.axes[0].lines
                if "63" in str(line.get_label())
            }
        finally:
            plt.close(figure)
        da_nang, quang_nam = (
            lines["Thành phố Đà Nẵng (trên 63 tỉnh, thành)"],
            lines["Tỉnh Quảng Nam (trên 63 tỉnh, thành)"],
        )
        assert da_nang[2022] in (1, 0.8002) and quang_nam[2022] in (31, 0.5808)
        assert da_nang[2024] in (2, 0.8335) and quang_nam[2024] in (57, 0.5803)


def test_the_rank_axis_shows_no_rank_above_first() -> None:
    dti = pd.DataFrame(
        {
            "year": [2022, 2023, 2024],
            "basis": [63, 63, 63],
            "province_id": ["48"] * 3,
            "province_name": ["Thành phố Đà Nẵng"] * 3,
            "is_home_province": [True] * 3,
            "is_published": [True] * 3,
            "score": [0.8002, 0.834, 0.8335],
            "rank": [1, 1, 57],
            "n_ranked": [63] * 3,
        }
    )
    figure = charts.dti_rank_figure(dti)
    try:
        ticks = list(figure.axes[0].get_yticks())
    finally:
        plt.close(figure)

    assert ticks and min(ticks) == 1  # no "0" or "-10" rank on the axis
    assert max(ticks) <= 63  # nor one past the provinces ranked


@pytest.mark.parametrize(
    ("change", "shown"), [(2, "+2"), (-6, "-6"), (0, "0"), (None, "—"), (float("nan"), "—")]
)
def test_a_rank_change_reads_as_a_signed_number(change: object, shown: str) -> None:
    assert render._rank_change(change) == shown


def test_a_unit_without_reporting_duty_is_named_under_compliance(
    sample_scorecard: Settings,
) -> None:
    html = _html(sample_scorecard)
    compliance = html[html.index('id="compliance"') : html.index('id="late-or-missing"')]
    assert "Đặc khu Hoàng Sa không có nghĩa vụ báo cáo (không có dân cư)" in compliance


def test_the_unit_lists_are_read_for_the_headline_period_only(sample_scorecard: Settings) -> None:
    # every period's late and no-focal-point units were read into the night's memory, which
    # grew with history; the scorecard shows the headline period's
    from warehouse.sql import connect_published

    data = load_scorecard_data(sample_scorecard.published_db)
    with connect_published(sample_scorecard.published_db) as con:
        published = {
            view: {p for (p,) in con.execute(f"select period_id from {view}").fetchall()}
            for view in ("analyst.late_or_missing_reports", "analyst.units_without_focal_point")
        }

    assert any(len(periods) > 1 for periods in published.values())
    for frame in (data.late_or_missing, data.no_focal_point):
        assert set(frame["period_id"]) <= {data.latest_period}
    assert len(data.late_or_missing) + len(data.no_focal_point) > 0
