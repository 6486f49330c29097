"""The dbt documentation reaches the published file's comments and the Parquet manifest."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from core.db import session
from core.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings, load_settings
from pipeline.dbt_runner import run_dbt
from tests.demo_night import copy_home
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.analyst_views import load_views
from warehouse.documentation import SEPARATOR, read_dbt_docs
from warehouse.publish import publish
from warehouse.sql import connect_published

SAMPLE_MARTS = (
    "dim_period",
    "dim_unit",
    "dim_unit_lineage",
    "dim_province",
    "dim_province_crosswalk",
    "fct_staffing",
    "fct_reporting_compliance",
    "fct_target_progress",
    "fct_target_projections",
    "fct_target_holdbacks",
    "fct_dti_scores",
)


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dbt's own ``manifest.json`` for the project, written by a real ``dbt parse``."""
    settings = Settings(home=tmp_path_factory.mktemp("dbt-parse"), pseudonym_key="test-key")
    run_dbt(settings, "parse")
    return settings.dbt_target_dir / "manifest.json"


def _yml_docs(table: str) -> dict:
    """The entry, as written in its dbt YAML file (the documentation's source), of the model
    published as ``table``: the model of that name, or the one whose SQL sets that alias."""
    marts = DBT_PROJECT_DIR / "models" / "marts"
    (sql,) = [
        p
        for p in marts.glob("*/*.sql")
        if p.stem == table or f"alias='{table}'" in p.read_text(encoding="utf-8")
    ]
    (entry,) = yaml.safe_load(sql.with_suffix(".yml").read_text(encoding="utf-8"))["models"]
    return entry


def _expected(entry: dict) -> str:
    label = " ".join(str((entry.get("meta") or {}).get("label_vi") or "").split())
    description = " ".join(str(entry.get("description") or "").split())
    return SEPARATOR.join(p for p in (label, description) if p)


@pytest.fixture(scope="module")
def documented_home(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    """The sample marts published with dbt's manifest beside them, once for this module."""
    home = tmp_path_factory.mktemp("documented") / "home"
    settings = load_settings({**os.environ, "DXWH_HOME": str(home)})
    settings.ensure_dirs()
    build_sample_marts(settings)
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(dbt_manifest, settings.dbt_target_dir / "manifest.json")
    publish(settings)
    return settings


@pytest.fixture
def documented(
    documented_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """A copy of the module's documented sample, the test's own data home."""
    return copy_home(documented_home, tmp_path / "home", monkeypatch)


@pytest.mark.parametrize("model", SAMPLE_MARTS)
def test_published_tables_and_columns_carry_the_dbt_docs(documented: Settings, model: str) -> None:
    entry = _yml_docs(model)
    with connect_published(documented.published_db) as con:
        (table_comment,) = con.execute(
            "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?",
            [model],
        ).fetchone() or (None,)
        columns = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ?",
                [model],
            ).fetchall()
        )

    assert table_comment == _expected(entry)
    documented_columns = {c["name"]: _expected(c) for c in entry["columns"]}
    for column, comment in columns.items():
        # every published column is documented in dbt, Vietnamese first, then English
        assert comment == documented_columns[column], column
        assert SEPARATOR in comment


def test_reference_tables_and_views_are_described(documented: Settings) -> None:
    with connect_published(documented.published_db) as con:
        comments = dict(
            con.execute(
                "select schema_name || '.' || table_name, comment from duckdb_tables() "
                "union all select schema_name || '.' || view_name, comment from duckdb_views() "
                "where schema_name = 'analyst'"
            ).fetchall()
        )
        target_vi = con.execute(
            "select comment from duckdb_columns() where schema_name = 'reference' "
            "and table_name = 'plan_targets' and column_name = 'target_vi'"
        ).fetchone()

    assert all(comments.values()), [name for name, c in comments.items() if not c]
    assert comments["reference.plan_targets"].startswith("Chỉ tiêu")  # from the dbt seed
    for view in load_views():
        assert comments[view.qualified_name] == view.description
    assert target_vi is not None and target_vi[0].startswith("Chỉ tiêu — ")


def test_manifest_and_parquet_carry_tables_views_and_descriptions(documented: Settings) -> None:
    parquet = documented.published_dir / "parquet"
    manifest = json.loads((parquet / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["table"]: e for e in manifest["tables"]}

    staffing = entries["marts.fct_staffing"]
    assert staffing["kind"] == "table"
    assert staffing["description"] == _expected(_yml_docs("fct_staffing"))
    columns = {c["name"]: c for c in staffing["columns"]}
    assert columns["n_dedicated"]["description"].startswith("Số chuyên trách — ")
    for view in load_views():
        entry = entries[view.qualified_name]
        assert entry["kind"] == "view"
        assert entry["description"] == view.description
        with duckdb.connect() as reader:
            rows = reader.execute(
                f"select count(*) from read_parquet('{parquet / entry['file']}')"
            ).fetchone()
        assert rows == (entry["rows"],)
        assert entry["columns"], view.name


def test_publish_without_a_dbt_manifest_has_no_comments(data_home: Settings) -> None:
    build_sample_marts(data_home)

    publish(data_home, views=())

    with connect_published(data_home.published_db) as con:
        found = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and comment is null"
        ).fetchone()
    assert found == (len(SAMPLE_MARTS),)


def test_a_broken_dbt_manifest_is_named(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{ not json", encoding="utf-8")

    with pytest.raises(ValueError, match=r"manifest\.json: not a dbt manifest"):
        read_dbt_docs(manifest)


def test_every_analyst_view_column_is_described(documented: Settings) -> None:
    with connect_published(documented.published_db) as con:
        rows = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'analyst' order by table_name, column_index"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for view, column, comment in rows:
        found.setdefault(view, []).append(column)
        # Vietnamese label, then English, like every mart column
        assert comment and SEPARATOR in comment, f"analyst.{view}.{column}"
    # each view's YAML lists exactly its columns, in order
    assert found == {view.name: list(view.columns) for view in load_views()}


def test_a_passed_through_view_column_carries_its_marts_docs(documented: Settings) -> None:
    with connect_published(documented.published_db) as con:
        comments = dict(
            con.execute(
                "select table_name || '.' || column_name, comment from duckdb_columns() "
                "where (schema_name = 'analyst' and table_name = 'target_progress') "
                "or (schema_name = 'marts' and table_name = 'dim_period')"
            ).fetchall()
        )
    assert comments["target_progress.period_end_date"] == comments["dim_period.end_date"]
    assert comments["target_progress.is_share"].startswith("Chỉ tiêu tính theo tỷ lệ — ")


def test_parquet_files_carry_their_descriptions(documented: Settings) -> None:
    parquet = documented.published_dir / "parquet"
    with duckdb.connect() as reader:
        for name in ("marts.fct_staffing", "analyst.staffing_by_level_and_assignment"):
            metadata = {
                key.decode(): value.decode()
                for key, value in reader.execute(
                    "select key, value from parquet_kv_metadata(?)",
                    [str(parquet / f"{name}.parquet")],
                ).fetchall()
            }
            columns = json.loads(metadata["dxwh:columns"])
            assert metadata["dxwh:description"], name
            assert columns["n_dedicated"].startswith("Số chuyên trách — "), name
            assert all(columns.values()), name


def _parquet_example() -> str:
    text = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    after = text[text.index("## Parquet files") :]
    match = re.search(r"```python\n(.*?)```", after, re.S)
    assert match, "docs/analysts.md shows no Python reading the Parquet files"
    return match.group(1)


def test_the_documented_parquet_reading_keeps_unknown_counts_integers(
    data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_sample_marts(data_home)
    with session(data_home.build_db) as con:  # a count the clerk's file left unknown
        con.execute("update marts.fct_staffing set n_trained = null where unit_id = '502'")
    publish(data_home, views=())
    monkeypatch.chdir(data_home.home)
    example: dict[str, Any] = {}

    exec(_parquet_example(), example)  # the snippet as an analyst pastes it

    staffing = example["staffing"]
    assert str(staffing["n_trained"].dtype) in {"Int32", "Int64"}  # nullable integers
    assert staffing["n_trained"].isna().sum() == 2
    assert not [c for c in staffing.columns if str(staffing[c].dtype) == "float64"]
    assert {key for key, _ in example["descriptions"]} == {"dxwh:description", "dxwh:columns"}


def test_published_dbt_docs_show_what_is_published_under_its_names(
    data_home: Settings, dbt_manifest: Path
) -> None:
    build_sample_marts(data_home)
    (data_home.docs_dir / "dbt").mkdir(parents=True)
    shutil.copy(dbt_manifest, data_home.docs_dir / "dbt" / "manifest.json")

    publish(data_home)

    docs = data_home.published_dir / "docs"
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    relations = {
        n["relation_name"]: n for n in manifest["nodes"].values() if n["resource_type"] != "test"
    }
    # no private build file, no staging or intermediate model, no raw source
    assert all(name.startswith('"dx".') for name in relations), sorted(relations)
    assert {n["schema"] for n in relations.values()} == {"marts", "reference", "analyst"}
    assert '"dx"."marts"."fct_staffing"' in relations
    assert '"dx"."reference"."plan_targets"' in relations
    # published tables dbt does not build are sources of the published file, never raw ones
    sources = {n["relation_name"]: n["schema"] for n in manifest["sources"].values()}
    assert '"dx"."reference"."dti_national_means"' in sources
    assert set(sources.values()) <= {"reference", "quality"}
    assert all(name.startswith('"dx".') for name in sources), sorted(sources)
    for view in load_views():
        node = relations[f'"dx"."analyst"."{view.name}"']
        assert node["description"] == view.description
        assert list(node["columns"]) == list(view.columns)
        assert all(c["description"] for c in node["columns"].values()), view.name
        assert node["depends_on"]["nodes"], view.name  # lineage to the marts it reads
        assert catalog["nodes"][node["unique_id"]]["metadata"]["type"] == "VIEW"
    page = (docs / "index.html").read_text(encoding="utf-8")
    assert "dx_build" not in page and "INLINE DATA" not in page
    assert "model.dxwh.analyst__target_progress" in page  # the data is in the page itself
