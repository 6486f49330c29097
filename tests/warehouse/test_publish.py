"""Publishing: a verified copy of the marts, swapped in atomically, readable read-only."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.db import session
from warehouse.publish import publish
from warehouse.settings import Settings


def _build(settings: Settings, n: int) -> None:
    with session(settings.build_db) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists raw")
        con.execute(f"create or replace table marts.fct_x as select range as id from range({n})")
        con.execute("create or replace table raw.secret as select 'Nguyễn Văn An' as full_name")


def test_publish_copies_marts_only(data_home: Settings) -> None:
    _build(data_home, 5)

    result = publish(data_home)

    assert result.tables == {"marts.fct_x": 5}
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_x").fetchone() == (5,)
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "raw" not in schemas
    assert not list(data_home.published_dir.glob(".*.tmp"))


def test_reader_holding_old_file_keeps_working(data_home: Settings) -> None:
    _build(data_home, 3)
    publish(data_home)
    reader = duckdb.connect(str(data_home.published_db), read_only=True)
    _build(data_home, 7)

    publish(data_home)

    assert reader.execute("select count(*) from marts.fct_x").fetchone() == (3,)
    reader.close()
    with duckdb.connect(str(data_home.published_db), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.fct_x").fetchone() == (7,)


def test_published_file_refuses_writes(data_home: Settings) -> None:
    _build(data_home, 1)
    publish(data_home)
    with (
        duckdb.connect(str(data_home.published_db), read_only=True) as con,
        pytest.raises(duckdb.InvalidInputException),
    ):
        con.execute("delete from marts.fct_x")


def test_nothing_to_publish_keeps_previous_file(data_home: Settings) -> None:
    _build(data_home, 2)
    publish(data_home)
    before = data_home.published_db.read_bytes()
    with session(data_home.build_db) as con:
        con.execute("drop table marts.fct_x")

    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish(data_home)

    assert data_home.published_db.read_bytes() == before
