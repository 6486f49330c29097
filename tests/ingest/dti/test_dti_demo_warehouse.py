"""The demo warehouse (the real DAG on the demo data) holds the reference DTI history."""

from __future__ import annotations

from core.db import session
from core.settings import Settings
from ingest.dti.demo import demo_tables


def test_demo_warehouse_has_the_dti_history(demo_warehouse: Settings) -> None:
    tables = demo_tables()
    n_rows = sum(len(rows) for rows in tables.values())
    with session(demo_warehouse.build_db, read_only=True) as con:
        n_scores = con.execute("select count(*) from raw.dti_scores").fetchone()
        years = con.execute(
            "select distinct year, basis from raw.dti_publications order by 1, 2"
        ).fetchall()
        quarantined = con.execute("select count(*) from quarantine.dti_rows").fetchone()
        crosswalk = con.execute("select count(*) from raw.province_crosswalk").fetchone()
        runs = con.execute(
            "select summary->>'$.ingest_dti.rows_loaded' from audit.pipeline_runs"
        ).fetchall()
    assert n_scores == (n_rows,)
    assert years == sorted(tables)
    assert quarantined == (0,)
    assert crosswalk == (63,)
    assert runs == [(str(n_rows),)]
