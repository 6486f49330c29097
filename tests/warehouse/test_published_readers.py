"""The published file as its readers see it: an older DuckDB, and SQLAlchemy (BI tools)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from core.db import session
from core.settings import Settings
from warehouse.analyst_views import load_views
from warehouse.publish import publish
from warehouse.published_labels import code_label_rows, target_status_rows

# Run by the old interpreter: count the rows of every table and view of the file.
READ_EVERYTHING = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = con.execute(
    "select schema_name || '.' || table_name from duckdb_tables() where not internal "
    "union all select schema_name || '.' || view_name from duckdb_views() "
    "where not internal and schema_name not in ('information_schema', 'pg_catalog')"
).fetchall()
counts = {}
for (name,) in names:
    schema, table = name.split(".")
    # every column is decoded (as text, so the old client needs no extra Python modules)
    sql = f'select count(*), max(columns(*)::varchar) from {schema}."{table}"'
    counts[name] = con.execute(sql).fetchone()[0]
comments = dict(con.execute(
    "select schema_name || '.' || table_name || '.' || column_name, comment "
    "from duckdb_columns() where comment is not null"
).fetchall())
print(json.dumps({"version": duckdb.__version__, "counts": counts, "comments": comments}))
"""


def _read_with(python: Path, db: Path) -> dict[str, int]:
    return dict(_old_reader(python, db)["counts"])


def _old_reader(python: Path, db: Path) -> dict[str, dict[str, object]]:
    """What DuckDB 1.1.3 reads from ``db``: row counts and column comments."""
    done = subprocess.run(
        [str(python), "-c", READ_EVERYTHING, str(db)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"] == "1.1.3"
    return dict(result)


def _build_typed_marts(settings: Settings, n: int) -> None:
    with session(settings.build_db) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_typed as select "
            "range::integer as id, 'Sở Thông tin và Truyền thông ' || range as unit_name, "
            "date '2025-12-31' as deadline_date, timestamptz '2025-01-01 07:00:00+07' as at, "
            "range % 2 = 0 as is_met, range / 3 as share_met, 0.1234::decimal(9, 4) as score, "
            f"[range, range + 1] as ids from range({n})"
        )


def test_duckdb_1_1_reads_every_published_table_and_view(
    data_home: Settings, tmp_path: Path, old_duckdb_python: Path
) -> None:
    _build_typed_marts(data_home, 4)
    (tmp_path / "met_units.sql").write_text(
        "-- Units that met.\nselect unit_name from marts.fct_typed where is_met\n"
    )
    publish(data_home, views=load_views(tmp_path))

    counts = _read_with(old_duckdb_python, data_home.published_db)

    assert counts == {
        "marts.fct_typed": 4,
        "reference.dti_national_means": 0,
        "reference.plan_targets": 0,
        "reference.code_labels": len(code_label_rows()),
        "reference.target_status_labels": len(target_status_rows()),
        "quality.dq_results": 0,
        "quality.dq_runs": 0,
        "analyst.met_units": 2,
    }


def test_duckdb_1_1_reads_the_column_comments(data_home: Settings, old_duckdb_python: Path) -> None:
    _build_typed_marts(data_home, 1)
    publish(data_home, views=())

    comments = _old_reader(old_duckdb_python, data_home.published_db)["comments"]

    # the quality tables are always published with their comments, Vietnamese first
    assert str(comments["quality.dq_runs.gate"]).startswith("Cổng chất lượng — ")


@pytest.mark.slow
def test_duckdb_1_1_reads_the_demo_warehouse(
    demo_warehouse: Settings, old_duckdb_python: Path
) -> None:
    manifest = json.loads(
        (demo_warehouse.published_dir / "parquet" / "manifest.json").read_text(encoding="utf-8")
    )

    counts = _read_with(old_duckdb_python, demo_warehouse.published_db)

    assert {t["table"]: t["rows"] for t in manifest["tables"]}.items() <= counts.items()
    assert {f"analyst.{v.name}" for v in load_views()} <= counts.keys()


def _count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("select count(*) from marts.fct_typed")).scalar_one())


def test_sqlalchemy_reader_survives_a_publish_and_sees_it_after_reconnecting(
    data_home: Settings,
) -> None:
    _build_typed_marts(data_home, 3)
    publish(data_home, views=())
    # the URL an analyst types into Superset: read-only, through duckdb-engine
    url = f"duckdb:///{data_home.published_db}?access_mode=read_only"
    engine = sa.create_engine(url, poolclass=NullPool)
    pooled = sa.create_engine(url)
    with engine.connect() as held, pooled.connect() as pooled_conn:
        assert _count(held) == 3
        assert _count(pooled_conn) == 3
        _build_typed_marts(data_home, 8)

        publish(data_home, views=())  # not blocked by the open readers

        assert _count(held) == 3  # an open connection keeps reading its (old) file
        assert _count(pooled_conn) == 3
    with pooled.connect() as reused:
        assert _count(reused) == 3  # a pooled connection still holds the old file …
    pooled.dispose()
    with pooled.connect() as reopened:
        assert _count(reopened) == 8  # … until the pool is recycled
    pooled.dispose()
    with engine.connect() as fresh:
        assert _count(fresh) == 8  # without a pool every connection opens the current file


def test_sqlalchemy_read_only_connection_refuses_writes(data_home: Settings) -> None:
    _build_typed_marts(data_home, 1)
    publish(data_home, views=())
    engine = sa.create_engine(f"duckdb:///{data_home.published_db}?access_mode=read_only")

    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        conn.execute(sa.text("delete from marts.fct_typed"))
