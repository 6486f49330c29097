"""The plan's questions (``warehouse/queries/``) on the demo warehouse, as analysts run them."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from core.settings import Settings
from tests.warehouse.browser import load_page
from warehouse.analyst_views import AnalystView, load_views
from warehouse.sql import connect_published

VIEWS = load_views()


def test_every_plan_question_has_a_query() -> None:
    assert {v.name for v in VIEWS} >= {
        "staffing_by_level_and_assignment",
        "target_progress",
        "units_without_focal_point",
        "late_or_missing_reports",
        "dti_rank_history",
    }


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_query_runs_on_the_demo_warehouse(demo_warehouse: Settings, view: AnalystView) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        from_file = con.sql(view.sql).fetchall()
        from_view = con.sql(f"select * from {view.qualified_name}").fetchall()

    assert from_file == from_view
    assert from_file, f"{view.name} returns no rows on the demo data"


def test_staffing_view_agrees_with_the_parquet_export(demo_warehouse: Settings) -> None:
    # the same totals computed another way: pandas over the published Parquet file
    parquet = demo_warehouse.published_dir / "parquet" / "marts.fct_staffing.parquet"
    with duckdb.connect() as reader:
        staffing = reader.sql(f"select * from read_parquet('{parquet}')").df()
    expected = (
        staffing.groupby(["period_id", "unit_level"])[["n_staff", "n_dedicated", "n_concurrent"]]
        .sum()
        .astype(int)
    )
    with connect_published(demo_warehouse.published_db) as con:
        found = (
            con.sql(
                "select period_id, unit_level, n_staff, n_dedicated, n_concurrent "
                "from analyst.staffing_by_level_and_assignment"
            )
            .df()
            .set_index(["period_id", "unit_level"])
            .astype(int)
        )

    pd.testing.assert_frame_equal(found.sort_index(), expected.sort_index())
    assert (found["n_dedicated"] + found["n_concurrent"] == found["n_staff"]).all()


def test_staffing_view_shows_the_plan_baseline(demo_warehouse: Settings) -> None:
    totals = (
        "select sum(n_staff)::integer, sum(n_dedicated)::integer, sum(n_concurrent)::integer "
        "from {} where period_id = '2023' and unit_level in ('province', 'district')"
    )
    with connect_published(demo_warehouse.published_db) as con:
        row = con.execute(totals.format("analyst.staffing_by_level_and_assignment")).fetchone()
        every_unit = con.execute(totals.format("marts.fct_staffing")).fetchone()
        quang_nam = con.execute(
            totals.format("marts.fct_staffing") + " and province_id = '49'"
        ).fetchone()

    # the view covers the new Đà Nẵng's territory: both predecessors, Quảng Nam and legacy
    # Đà Nẵng; Quảng Nam's part is the plan's figures, which the demo data reproduces
    assert row == every_unit
    assert quang_nam == (80, 48, 32)
    assert row is not None and row[0] > 80


def test_dti_history_flags_the_home_province_on_both_bases(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        ranks: dict[str, dict[int, int]] = {}
        for province, year, rank in con.execute(
            "select province_id, year, rank from analyst.dti_rank_history "
            "where is_home_province and basis = 63 and rank is not null"
        ).fetchall():
            ranks.setdefault(province, {})[year] = rank
        merged = con.execute(
            "select province_name, score, national_mean from analyst.dti_rank_history "
            "where is_home_province and basis = 34 and year = 2024"
        ).fetchall()
        peers = con.execute(
            "select count(distinct province_id) from analyst.dti_rank_history "
            "where not is_home_province and year = 2024"
        ).fetchone()

    # both provinces the new Đà Nẵng was formed from are home on the 63 basis, each with its
    # own published ranks (DESIGN §1, §3.3): Quảng Nam, and old Đà Nẵng
    assert set(ranks) == {"48", "49"}
    assert ranks["49"] == {2020: 24, 2021: 25, 2022: 31, 2024: 57}
    assert ranks["48"] == {2020: 1, 2021: 1, 2022: 1, 2023: 1, 2024: 2}
    assert len(merged) == 1
    name, score, mean = merged[0]
    assert "Đà Nẵng" in name
    assert round(score, 4) == 0.7069
    assert mean == 0.6961
    assert peers is not None and peers[0] > 0


def test_every_target_has_a_status_each_period(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        missing = con.execute(
            "select count(*) from analyst.target_progress where status is null"
        ).fetchone()
        statuses = {
            s for (s,) in con.execute("select status from analyst.target_progress").fetchall()
        }

    assert missing == (0,)
    assert statuses <= {
        "achieved",
        "on_track",
        "at_risk",
        "missed",
        "not_measurable",
        "in_progress",
    }


def test_nightly_run_writes_a_scorecard_that_loads(demo_warehouse: Settings) -> None:
    index = demo_warehouse.reports_dir / "scorecard" / "index.html"

    page = load_page(index)

    assert page.errors == [] and page.broken_images == []
    assert page.images == len(list(index.parent.glob("*.png"))) >= 2
    for section in ("dti", "staffing", "targets", "compliance"):
        assert f'id="{section}"' in page.dom


def test_nightly_publish_carries_the_dbt_docs(demo_warehouse: Settings) -> None:
    docs = demo_warehouse.published_dir / "docs"

    catalog = (docs / "catalog.json").read_text(encoding="utf-8")

    assert (docs / "index.html").is_file()
    assert "fct_staffing" in catalog and "n_dedicated" in catalog


# What BI tools read without trouble: DuckDB 1.1 drivers and several BI tools show HUGEINT
# (what sum() over integers returns) and DECIMAL as decimals, or not at all.
BI_INTEGER_TYPES = {"INTEGER", "BIGINT"}
NOT_FOR_BI = ("HUGEINT", "UHUGEINT", "DECIMAL")


def test_published_columns_have_bi_friendly_types(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        columns = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name, data_type "
            "from duckdb_columns() where not internal "
            "and schema_name not in ('information_schema', 'pg_catalog')"
        ).fetchall()
    integer_types = {
        t for _, t in columns if "INT" in t and not t.startswith(("INTERVAL", "POINT"))
    }

    assert columns
    assert [(c, t) for c, t in columns if t.startswith(NOT_FOR_BI)] == []
    assert integer_types <= BI_INTEGER_TYPES
    # the marts' counts are integers, the shares and scores doubles
    types = dict(columns)
    assert types["marts.fct_staffing.n_staff"] in BI_INTEGER_TYPES
    assert types["marts.fct_target_progress.actual_value"] == "DOUBLE"


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_view_results_have_bi_friendly_types(demo_warehouse: Settings, view: AnalystView) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        # the types a driver receives for the view's result set
        types = dict(zip(*_result_types(con, view.qualified_name), strict=True))

    assert [(c, t) for c, t in types.items() if t.startswith(NOT_FOR_BI)] == []
    sums = {c: t for c, t in types.items() if c.startswith(("n_", "share_"))}
    assert all(t in {*BI_INTEGER_TYPES, "DOUBLE"} for t in sums.values()), sums


def _result_types(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[str], list[str]]:
    relation = con.sql(f"select * from {name}")
    return relation.columns, [str(t) for t in relation.types]


def test_holdbacks_show_the_latest_due_period(demo_warehouse: Settings) -> None:
    # every period's holdbacks grew with history (national: about 34,000 rows a period, read
    # whole); the view is the headline period's, the mart keeps the others
    with connect_published(demo_warehouse.published_db) as con:
        listed = {
            p
            for (p,) in con.execute(
                "select distinct period_id from analyst.target_holdbacks"
            ).fetchall()
        }
        in_mart = {
            p
            for (p,) in con.execute(
                "select distinct period_id from marts.fct_target_holdbacks"
            ).fetchall()
        }
        due = [
            p
            for (p,) in con.execute(
                "select period_id from marts.dim_period where not is_in_progress "
                "order by end_date desc"
            ).fetchall()
        ]

    assert len(in_mart) > 1  # history to leave out
    assert listed == {due[0]}
