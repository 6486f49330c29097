"""The published warehouse speaks the scorecard's Vietnamese: code labels, views, docs, bundle."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml  # type: ignore[import-untyped]

from core.settings import Settings
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.documentation import SEPARATOR
from warehouse.publish import publish
from warehouse.published_labels import VOCABULARIES
from warehouse.report.labels import (
    NO_FOCAL_POINT_REASON,
    REPORT_STATUS,
    UNIT_LEVELS,
    VERDICT,
    target_status_label,
)
from warehouse.sql import connect_published
from warehouse.superset_bundle import BUNDLE_NAME, CHARTS, PERCENT, Chart

# every code a coded column holds, in the data's English snake_case
CODES = {code for labels in VOCABULARIES.values() for code in labels}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    """The sample marts published with every analyst view and the dbt docs."""
    settings = Settings(home=tmp_path_factory.mktemp("labels-home"), pseudonym_key="test-key")
    build_sample_marts(settings)
    # the build's docs (for the docs site) and its target folder (for the comments)
    for folder in (settings.docs_dir / "dbt", settings.dbt_target_dir):
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(dbt_manifest, folder / "manifest.json")
    publish(settings)
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with connect_published(settings.published_db) as con:
        return con.execute(sql).fetchall()


def test_target_status_reads_as_the_scorecard_writes_it(published: Settings) -> None:
    rows = _rows(
        published,
        "select status, actual_value, is_met, status_vi, verdict_status, verdict_status_vi "
        "from analyst.target_progress",
    )

    assert rows
    for status, actual, is_met, status_vi, verdict, verdict_vi in rows:
        assert status_vi == target_status_label(status, actual, is_met), (status, actual, is_met)
        assert verdict_vi == (VERDICT[verdict] if verdict else None)


@pytest.mark.parametrize(
    ("view", "code", "label", "wording"),
    [
        ("staffing_by_level_and_assignment", "unit_level", "unit_level_vi", UNIT_LEVELS),
        ("reporting_compliance_by_level", "unit_level", "unit_level_vi", UNIT_LEVELS),
        ("units_without_focal_point", "unit_level", "unit_level_vi", UNIT_LEVELS),
        ("units_without_focal_point", "reason", "reason_vi", NO_FOCAL_POINT_REASON),
        ("late_or_missing_reports", "unit_level", "unit_level_vi", UNIT_LEVELS),
        ("late_or_missing_reports", "status", "status_vi", REPORT_STATUS),
    ],
)
def test_view_names_codes_in_the_scorecards_words(
    published: Settings, view: str, code: str, label: str, wording: dict[str, str]
) -> None:
    rows = _rows(published, f"select distinct {code}, {label} from analyst.{view}")

    assert rows
    assert all(shown == wording[value] for value, shown in rows), rows


def test_every_scorecard_label_is_published_and_described(published: Settings) -> None:
    labels = _rows(published, "select vocabulary, code, label_vi from reference.code_labels")
    undescribed = _rows(
        published,
        "select table_name, column_name from duckdb_columns() where schema_name = 'reference' "
        "and table_name like '%labels' and coalesce(comment, '') = ''",
    )

    assert sorted(labels) == sorted(
        (vocabulary, code, label)
        for vocabulary, wording in VOCABULARIES.items()
        for code, label in wording.items()
    )
    assert VOCABULARIES["unit_level"] is UNIT_LEVELS  # the scorecard's own mapping, not a copy
    assert undescribed == []


def test_the_published_docs_list_every_published_table(published: Settings) -> None:
    docs = published.published_dir / "docs"
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    listed = {
        f"{node['schema']}.{node['alias']}"
        for node in [*manifest["nodes"].values(), *manifest["sources"].values()]
        if node["resource_type"] != "test"
    }
    with connect_published(published.published_db) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
    means = manifest["sources"]["source.dxwh.reference.dti_national_means"]

    assert tables <= listed, tables - listed
    assert means["description"].startswith("Điểm DTI bình quân cả nước — ")
    assert means["columns"]["mean_dti"]["description"]
    assert "source.dxwh.reference.dti_national_means" in catalog["sources"]


def _bundle_charts(settings: Settings) -> dict[str, dict[str, Any]]:
    bundle = settings.published_dir / "superset" / BUNDLE_NAME
    with zipfile.ZipFile(bundle) as archive:
        found = [
            yaml.safe_load(archive.read(name))
            for name in archive.namelist()
            if name.startswith("dxwh_superset/charts/")
        ]
    return {chart["slice_name"]: chart for chart in found}


def _shown(con: duckdb.DuckDBPyConnection, chart: Chart) -> list[tuple[Any, ...]]:
    where = f"where {chart.where}" if chart.where else ""
    return con.execute(f"select {', '.join(chart.columns)} from {chart.dataset} {where}").fetchall()


def test_no_chart_shows_a_code(published: Settings) -> None:
    with connect_published(published.published_db) as con:
        shown = {chart.title: _shown(con, chart) for chart in CHARTS}

    for title, rows in shown.items():
        assert rows, f"{title}: no rows on the sample warehouse"
        codes = {value for row in rows for value in row if isinstance(value, str)} & CODES
        assert not codes, f"{title} shows codes: {sorted(codes)}"


def test_shares_are_shown_as_percentages(published: Settings) -> None:
    charts = _bundle_charts(published)
    with connect_published(published.published_db) as con:
        shares = {
            chart.title
            for chart in CHARTS
            if chart.dataset == "analyst.target_progress"
            and con.execute(
                f"select bool_or(is_share) from {chart.dataset} where {chart.where}"
            ).fetchone()
            == (True,)
        }

    assert shares
    for title in shares:
        config = charts[title]["params"]["column_config"]
        assert config["actual_value"]["d3NumberFormat"] == PERCENT, title
        assert config["threshold_value"]["d3NumberFormat"] == PERCENT, title
    for title, chart in charts.items():  # a chart holds shares or headcounts, never both
        if title not in shares and "column_config" in chart["params"]:
            assert PERCENT not in json.dumps(chart["params"]["column_config"]), title


def test_every_bar_chart_names_its_axes_in_vietnamese(published: Settings) -> None:
    charts = _bundle_charts(published)
    bars = [chart for chart in charts.values() if chart["viz_type"] == "echarts_timeseries_bar"]

    assert bars
    for chart in bars:
        assert chart["params"]["x_axis_title"] == "Kỳ báo cáo"
        assert chart["params"]["y_axis_title"] == "Số người"


def test_every_chart_describes_itself_in_vietnamese_first(published: Settings) -> None:
    charts = _bundle_charts(published)

    assert set(charts) == {chart.title for chart in CHARTS}
    for title, chart in charts.items():
        vietnamese, separator, english = str(chart["description"]).partition(SEPARATOR)
        # a Vietnamese sentence carries letters beyond ASCII (ố, ư, đ …)
        assert separator and english and not vietnamese.isascii(), title
