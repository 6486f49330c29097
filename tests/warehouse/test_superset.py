"""The Superset bundle in a real Superset 6.1.0: imported, every chart rendered and checked.

Superset runs in its own environment (``superset_env``: Superset's pins, SQLite metadata) and is
driven in-process through Flask's test client, by its REST API, as a team's script would: import
the bundle a publish wrote, render every chart through the chart-data API and compare each
number with DuckDB on the same file, read every dataset's column descriptions, and try SQL Lab.
"""

from __future__ import annotations

import json
import math
import shutil
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from tests.warehouse.conftest import SupersetEnv
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import OLD_NAMES, publish
from warehouse.published_labels import VOCABULARIES
from warehouse.superset_bundle import (
    BUNDLE_NAME,
    CHARTS,
    COUNT_METRIC,
    FILTERS,
    PERCENT,
    Chart,
    sum_metric,
)


def _result(done: Any) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr[-4000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("DXWH-RESULT ")]
    return dict(json.loads(line.removeprefix("DXWH-RESULT ")))


def _expected(con: duckdb.DuckDBPyConnection, chart: Chart) -> list[tuple[Any, ...]]:
    """The chart's rows computed by DuckDB directly, from the chart's definition."""
    where = f"where {chart.where}" if chart.where else ""
    if not chart.metrics:
        columns = ", ".join(chart.columns)
        return con.execute(f"select {columns} from {chart.dataset} {where}").fetchall()
    sums = ["count(*)" if m == COUNT_METRIC else f"cast(sum({m}) as bigint)" for m in chart.metrics]
    groups = ", ".join(chart.columns)
    return con.execute(
        f"select {groups}, {', '.join(sums)} from {chart.dataset} {where} group by {groups}"
    ).fetchall()


def _normal(value: Any) -> Any:
    if isinstance(value, Decimal):  # the sample marts' literals; JSON carries them as numbers
        value = float(value)
    return round(value, 9) if isinstance(value, float) and math.isfinite(value) else value


def _rows(rows: list[Any]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(_normal(v) for v in row) for row in rows)


@pytest.fixture(scope="module")
def superset_result(
    tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path, superset_env: SupersetEnv
) -> tuple[Settings, dict[str, Any]]:
    """A published sample warehouse, and what the tests' Superset made of its bundle."""
    home = tmp_path_factory.mktemp("superset-home")
    settings = Settings(home=home, pseudonym_key="test-key")
    build_sample_marts(settings)
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(dbt_manifest, settings.dbt_target_dir / "manifest.json")
    publish(settings)
    metadata = home / "superset.db"
    shutil.copy(superset_env.metadata, metadata)

    done = superset_env.run(
        metadata, "check", str(settings.published_dir / "superset" / BUNDLE_NAME)
    )

    return settings, _result(done)


@pytest.mark.slow
def test_the_bundle_imports_with_every_published_relation(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    settings, result = superset_result
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        relations = {
            str(n)
            for (n,) in con.execute(
                "select schema_name || '.' || table_name from duckdb_tables() "
                "union all select schema_name || '.' || view_name from duckdb_views() "
                "where not internal"
            ).fetchall()
        }

    assert result["import"] == [200, {"message": "OK"}]
    # the marts' old names (views kept for a while) are left out of the bundle
    assert set(result["datasets"]) == relations - set(OLD_NAMES)
    assert len(result["dashboards"]) == 1


@pytest.mark.slow
def test_every_chart_renders_the_numbers_duckdb_computes(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    settings, result = superset_result
    assert set(result["charts"]) == {chart.title for chart in CHARTS}
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        for chart in CHARTS:
            rendered = result["charts"][chart.title]
            assert rendered["status"] == 200, (chart.title, rendered["error"])
            names = [*chart.columns, *(sum_metric(m) for m in chart.metrics)]
            assert rendered["colnames"] == names, chart.title
            expected = _expected(con, chart)
            assert expected, f"{chart.title}: no rows on the sample warehouse"
            got = [[row[name] for name in names] for row in rendered["data"]]
            assert _rows(got) == _rows(expected), chart.title


@pytest.mark.slow
def test_no_chart_shows_a_code_and_shares_keep_their_percent_format(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    _, result = superset_result
    codes = {code for labels in VOCABULARIES.values() for code in labels}

    for chart in CHARTS:
        rendered = result["charts"][chart.title]
        shown = {v for row in rendered["data"] for v in row.values() if isinstance(v, str)}
        assert not shown & codes, f"{chart.title} shows codes: {sorted(shown & codes)}"
        # what Superset kept of the chart's number formats after the import
        config = rendered["params"].get("column_config") or {}
        formats = {c: f.get("d3NumberFormat") for c, f in config.items()}
        assert formats == dict(chart.formats), chart.title
    shares = [c for c in CHARTS if "is_share" in c.where and "not is_share" not in c.where]
    assert shares and all(dict(c.formats)["actual_value"] == PERCENT for c in shares)


@pytest.mark.slow
def test_the_dashboard_filters_are_named_in_vietnamese_and_scoped(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    _, result = superset_result
    titles = {rendered["id"]: title for title, rendered in result["charts"].items()}
    datasets = {chart.title: chart.dataset for chart in CHARTS}
    columns = {name: set(dataset["columns"]) for name, dataset in result["datasets"].items()}

    assert [f["name"] for f in result["filters"]] == [f.name for f in FILTERS]
    for found, wanted in zip(result["filters"], FILTERS, strict=True):
        (target,) = found["targets"]
        assert isinstance(target["datasetId"], int) and target["column"]["name"] == wanted.column
        # the import mapped the scope to its own chart ids: every chart without the column
        excluded = {titles[i] for i in found["scope"]["excluded"]}
        assert excluded == {
            title for title, dataset in datasets.items() if wanted.column not in columns[dataset]
        }, wanted.name


@pytest.mark.slow
def test_every_column_description_arrives(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    settings, result = superset_result
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        comments = {
            (f"{s}.{t}", str(c)): comment
            for s, t, c, comment in con.execute(
                "select schema_name, table_name, column_name, comment from duckdb_columns() "
                "where schema_name not in ('information_schema', 'pg_catalog', 'main')"
            ).fetchall()
        }

    for (relation, column), comment in comments.items():
        if relation in OLD_NAMES:
            continue
        found = result["datasets"][relation]["columns"][column]
        assert comment and found["description"] == comment, f"{relation}.{column}"
        assert found["verbose_name"] == comment.split(" — ")[0], f"{relation}.{column}"
    staffing = result["datasets"]["marts.fct_staffing"]
    assert staffing["description"] and staffing["description"].startswith("Nhân lực CĐS")
    assert staffing["metrics"]["sum_n_staff"] == 'cast(sum("n_staff") as bigint)'


@pytest.mark.slow
def test_sql_lab_cannot_read_a_file_on_the_host(
    superset_result: tuple[Settings, dict[str, Any]],
) -> None:
    _, result = superset_result
    hostile, count = result["sqllab"]["hostile"], result["sqllab"]["count"]

    assert hostile["status"] != 200
    assert "disabled by configuration" in json.dumps(hostile["body"])
    assert count["status"] == 200 and count["body"]["data"][0]["n"] > 0


def test_the_bundle_is_in_supersets_export_layout(tmp_path: Path) -> None:
    build = Settings(home=tmp_path, pseudonym_key="test-key")
    build_sample_marts(build)
    publish(build)

    with zipfile.ZipFile(build.published_dir / "superset" / BUNDLE_NAME) as archive:
        names = archive.namelist()
        database = archive.read("dxwh_superset/databases/dxwh.yaml").decode()

    assert "dxwh_superset/metadata.yaml" in names
    assert {n.split("/")[1] for n in names} == {
        "metadata.yaml",
        "databases",
        "datasets",
        "charts",
        "dashboards",
    }
    assert (
        f"duckdb:///{build.published_db}?access_mode=read_only&enable_external_access=false"
        in database
    )
