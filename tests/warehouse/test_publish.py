"""Publishing: a verified copy of the marts, swapped in atomically, readable read-only."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest

from core.db import session
from core.settings import Settings
from expectations.results import ExpectationOutcome, record_outcomes
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.analyst_views import load_views
from warehouse.publish import publish, rollback
from warehouse.published_labels import code_label_rows, target_status_rows
from warehouse.published_versions import current_version, list_versions


def _build(settings: Settings, n: int) -> None:
    with session(settings.build_db) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists raw")
        con.execute(f"create or replace table marts.fct_x as select range as id from range({n})")
        con.execute("create or replace table raw.secret as select 'Nguyễn Văn An' as full_name")


def test_publish_copies_marts_only(data_home: Settings) -> None:
    _build(data_home, 5)

    result = publish(data_home, views=())

    assert result.tables == {
        "marts.fct_x": 5,
        "reference.dti_national_means": 0,
        "reference.plan_targets": 0,
        "reference.code_labels": len(code_label_rows()),
        "reference.target_status_labels": len(target_status_rows()),
        "quality.dq_results": 0,
        "quality.dq_runs": 0,
    }
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_x").fetchone() == (5,)
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "raw" not in schemas
    assert not list(data_home.published_dir.glob(".*.tmp"))


def test_reader_holding_old_file_keeps_working(data_home: Settings) -> None:
    _build(data_home, 3)
    publish(data_home, views=())
    reader = duckdb.connect(str(data_home.published_db), read_only=True)
    _build(data_home, 7)

    publish(data_home, views=())

    assert reader.execute("select count(*) from marts.fct_x").fetchone() == (3,)
    reader.close()
    with duckdb.connect(str(data_home.published_db), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.fct_x").fetchone() == (7,)


def test_published_file_refuses_writes(data_home: Settings) -> None:
    _build(data_home, 1)
    publish(data_home, views=())
    with (
        duckdb.connect(str(data_home.published_db), read_only=True) as con,
        pytest.raises(duckdb.InvalidInputException),
    ):
        con.execute("delete from marts.fct_x")


def test_nothing_to_publish_keeps_previous_file(data_home: Settings) -> None:
    _build(data_home, 2)
    publish(data_home, views=())
    before = data_home.published_db.read_bytes()
    with session(data_home.build_db) as con:
        con.execute("drop table marts.fct_x")

    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish(data_home, views=())

    assert data_home.published_db.read_bytes() == before


def test_publish_keeps_versions_and_rolls_back(data_home: Settings) -> None:
    for n in (1, 2, 3):
        _build(data_home, n)
        publish(data_home, views=())

    back = rollback(data_home)

    _first, second, third = list_versions(data_home.published_dir)
    assert (back.from_version, back.to_version) == (third, second)
    assert current_version(data_home.published_dir) == second
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_x").fetchone() == (2,)
    manifest = json.loads((data_home.published_dir / "parquet" / "manifest.json").read_text())
    assert manifest["version"] == back.to_version
    assert {t["table"]: t["rows"] for t in manifest["tables"]}["marts.fct_x"] == 2


def test_rollback_without_an_older_version_is_refused(data_home: Settings) -> None:
    with pytest.raises(RuntimeError, match="nothing has been published"):
        rollback(data_home)
    _build(data_home, 1)
    publish(data_home, views=())
    with pytest.raises(RuntimeError, match="no published version older"):
        rollback(data_home)


def test_publish_prunes_to_the_newest_versions(data_home: Settings) -> None:
    for n in range(1, 5):
        _build(data_home, n)
        result = publish(data_home, views=(), keep=2)

    kept = list_versions(data_home.published_dir)
    assert len(kept) == 2
    assert kept[-1] == result.version == current_version(data_home.published_dir)


def test_parquet_exports_match_the_published_tables(data_home: Settings) -> None:
    _build(data_home, 4)

    result = publish(data_home, views=())

    parquet = data_home.published_dir / "parquet"
    manifest = json.loads((parquet / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == result.version
    assert manifest["published_at"] == result.published_at.isoformat()
    entry = next(t for t in manifest["tables"] if t["table"] == "marts.fct_x")
    assert [t["table"] for t in manifest["tables"]] == list(result.tables)
    assert entry["rows"] == 4
    assert entry["columns"] == [{"name": "id", "type": "BIGINT", "description": None}]
    with duckdb.connect() as con:
        found = con.execute(f"select count(*) from read_parquet('{parquet / entry['file']}')")
        assert found.fetchone() == (4,)


def test_analyst_views_are_published_with_their_description(
    data_home: Settings, tmp_path: Path
) -> None:
    _build(data_home, 6)
    (tmp_path / "biggest_id.sql").write_text(
        "-- The largest id.\n-- Second line.\nselect max(id) as biggest from marts.fct_x;\n"
    )

    result = publish(data_home, views=load_views(tmp_path))

    assert result.views == ["analyst.biggest_id"]
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        assert con.execute("select biggest from analyst.biggest_id").fetchone() == (5,)
        comment = con.execute(
            "select comment from duckdb_views() where view_name = 'biggest_id'"
        ).fetchone()
    assert comment == ("The largest id. Second line.",)


def test_a_view_that_does_not_build_keeps_the_previous_version(
    data_home: Settings, tmp_path: Path
) -> None:
    _build(data_home, 2)
    first = publish(data_home, views=())
    (tmp_path / "broken.sql").write_text(
        "-- Refers to a mart that does not exist.\nselect * from marts.fct_missing\n"
    )

    with pytest.raises(RuntimeError, match="analyst view broken does not build"):
        publish(data_home, views=load_views(tmp_path))

    assert current_version(data_home.published_dir) == first.version
    assert list_versions(data_home.published_dir) == [first.version]
    assert not list((data_home.published_dir / "versions").glob(".*"))


def test_personal_data_columns_are_never_published(data_home: Settings) -> None:
    _build(data_home, 1)
    with session(data_home.build_db) as con:
        con.execute("create table marts.leak as select 'Nguyễn Văn An' as full_name")

    with pytest.raises(RuntimeError, match=r"personal data columns: marts\.leak\.full_name"):
        publish(data_home, views=())

    assert not data_home.published_db.exists()


def test_dbt_docs_are_published_with_the_version(data_home: Settings) -> None:
    _build(data_home, 1)
    built_docs = data_home.docs_dir / "dbt"
    built_docs.mkdir(parents=True)
    (built_docs / "manifest.json").write_text('{"metadata": {}, "nodes": {}, "sources": {}}')

    result = publish(data_home, views=())

    assert result.docs_published
    docs = data_home.published_dir / "docs"
    assert 'ng-app="dbt"' in (docs / "index.html").read_text()  # dbt's page, data inlined
    assert json.loads((docs / "catalog.json").read_text())["nodes"] == {}


def test_a_build_without_dbt_docs_publishes_without_them(data_home: Settings) -> None:
    _build(data_home, 1)

    result = publish(data_home, views=())

    assert not result.docs_published
    assert not (data_home.published_dir / "docs" / "index.html").exists()


def test_published_reference_facts_come_from_the_build(data_home: Settings) -> None:
    _build(data_home, 1)
    with session(data_home.build_db) as con:
        con.execute(
            "create table raw.dti_national_means as select * from (values "
            "(2022, 0.5791, 'dti.gov.vn'), (2023, 0.6783, 'dti.gov.vn')) t(year, mean_dti, source)"
        )

    result = publish(data_home, views=())

    assert result.tables["reference.dti_national_means"] == 2
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        rows = con.execute(
            "select year, mean_dti from reference.dti_national_means order by year"
        ).fetchall()
    assert rows == [(2022, 0.5791), (2023, 0.6783)]


def test_cli_rollback(data_home: Settings, capsys: pytest.CaptureFixture) -> None:
    from pipeline.cli import main as dxwh

    assert dxwh(["publish", "--rollback"]) == 1
    assert "nothing has been published" in capsys.readouterr().err
    # versions as a night publishes them (marts and analyst views), since a rollback redraws
    # the scorecard from the version it restores
    build_sample_marts(data_home)
    for n in (1, 2):
        _build(data_home, n)
        publish(data_home)

    assert dxwh(["publish", "--rollback"]) == 0

    assert "rolled back" in capsys.readouterr().out
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_x").fetchone() == (1,)


def test_publishing_the_same_content_keeps_the_current_version(data_home: Settings) -> None:
    _build(data_home, 3)
    first = publish(data_home, views=())
    _build(data_home, 3)  # rebuilt, same rows

    again = publish(data_home, views=())

    assert again.unchanged and not first.unchanged
    assert again.version == first.version == current_version(data_home.published_dir)
    assert list_versions(data_home.published_dir) == [first.version]
    assert again.tables == first.tables
    with session(data_home.build_db) as con:
        con.execute("update marts.fct_x set id = id + 1 where id = 0")  # same count, new value

    changed = publish(data_home, views=())

    assert not changed.unchanged
    assert list_versions(data_home.published_dir) == [first.version, changed.version]


def test_publish_removes_what_killed_publishes_left(data_home: Settings) -> None:
    dead = subprocess.Popen(["true"])  # a publish killed earlier: its pid has ended
    dead.wait()
    alive = subprocess.Popen(["sleep", "600"])
    try:
        versions = data_home.published_dir / "versions"
        left = [
            versions / f".20261201T010000000000Z.{dead.pid}.tmp",
            data_home.published_dir / f".dx.duckdb.{dead.pid}.tmp",
        ]
        running = versions / f".20261201T020000000000Z.{alive.pid}.tmp"
        for folder in (left[0], running):
            (folder / "parquet").mkdir(parents=True)
            (folder / "dx.duckdb").write_bytes(b"half written")
        left[1].write_bytes(b"half linked")
        _build(data_home, 2)

        publish(data_home, views=())

        assert not any(p.exists() for p in left)
        assert running.is_dir()  # a publish still at work keeps its folder
    finally:
        alive.kill()
        alive.wait()


def test_times_are_published_as_vietnam_local_time(data_home: Settings) -> None:
    with session(data_home.build_db) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create table marts.fct_loads as select "
            "timestamptz '2025-06-30 17:30:00+00' as submission_loaded_at, "
            "timestamp '2025-01-01 08:00:00' as naive_at"
        )

    publish(data_home, views=())

    with session(data_home.published_db, read_only=True) as con:
        rows = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where table_name = 'fct_loads' order by column_index"
        ).fetchall()
        values = con.execute("select * from marts.fct_loads").fetchone()
    # 17:30 UTC on 30/06 is 00:30 on 01/07 in Vietnam: a BI filter "from 01/07" finds it
    assert values == (dt.datetime(2025, 7, 1, 0, 30), dt.datetime(2025, 1, 1, 8, 0))
    (loaded, naive) = rows
    assert loaded[1] == "TIMESTAMP" and "Asia/Ho_Chi_Minh" in (loaded[2] or "")
    assert naive[2] is None  # a column that had no zone is left as it was


def test_quality_times_are_published_as_vietnam_local_time(data_home: Settings) -> None:
    _build(data_home, 1)
    outcome = ExpectationOutcome(
        suite="marts.fct_x",
        expectation="expect_table_row_count_to_be_between",
        column="",
        severity="critical",
        success=True,
        observed_value="1",
        unexpected_count=0,
        element_count=1,
        rule="a rule",
    )
    with session(data_home.build_db) as con:
        # 18:00 UTC on 30/06 is 01:00 on 01/07 in Vietnam
        night = dt.datetime(2025, 6, 30, 18, 0, tzinfo=dt.UTC)
        record_outcomes(con, "scheduled__2025-06-30", [outcome], validated_at=night)

    publish(data_home, views=())

    with session(data_home.published_db, read_only=True) as con:
        columns = con.execute(
            "select table_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'quality' and column_name = 'validated_at' order by table_name"
        ).fetchall()
        times = [
            con.execute(f"select validated_at from quality.{table}").fetchall()
            for table in ("dq_results", "dq_runs")
        ]
    assert [(table, kind) for table, kind, _ in columns] == [
        ("dq_results", "TIMESTAMP"),
        ("dq_runs", "TIMESTAMP"),
    ]
    assert all("Asia/Ho_Chi_Minh" in str(comment) for _, _, comment in columns)
    assert times == [[(dt.datetime(2025, 7, 1, 1, 0),)]] * 2


def test_a_build_database_from_before_the_rename_still_publishes(data_home: Settings) -> None:
    # a data home built before the rename: dbt built marts.province_crosswalk as a table, and dbt
    # never drops a relation it no longer builds
    build_sample_marts(data_home)
    with session(data_home.build_db) as con:
        con.execute("create table marts.province_crosswalk as select 1 as stale")

    publish(data_home, views=())

    with session(data_home.published_db, read_only=True) as con:
        kinds = con.execute(
            "select table_type from information_schema.tables where table_name = "
            "'province_crosswalk'"
        ).fetchall()
        old = con.execute("select * from marts.province_crosswalk order by all").fetchall()
        new = con.execute("select * from marts.dim_province_crosswalk order by all").fetchall()
    assert kinds == [("VIEW",)]
    assert old == new and old


def test_a_renamed_mart_keeps_its_old_name_as_a_described_view(data_home: Settings) -> None:
    build_sample_marts(data_home)

    publish(data_home, views=())

    with session(data_home.published_db, read_only=True) as con:
        old = con.execute("select * from marts.province_crosswalk order by all").fetchall()
        new = con.execute("select * from marts.dim_province_crosswalk order by all").fetchall()
        (comment,) = con.execute(
            "select comment from duckdb_views() where view_name = 'province_crosswalk'"
        ).fetchone() or (None,)
        columns = con.execute(
            "select count(*), count(comment) from duckdb_columns() "
            "where table_name = 'province_crosswalk'"
        ).fetchone()
    assert old == new and old
    assert comment and "marts.dim_province_crosswalk" in comment and "2027" in comment
    # the old name is a view while readers move, never a second table
    assert columns is not None and columns[0] > 0
    with zipfile.ZipFile(data_home.published_dir / "superset" / "dxwh_superset.zip") as bundle:
        assert not [n for n in bundle.namelist() if n.endswith("/marts.province_crosswalk.yaml")]
