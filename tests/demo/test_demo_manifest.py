"""The demo run agrees with the manifest the generator wrote, file by file."""

from __future__ import annotations

import json

import duckdb

from warehouse.settings import Settings


def test_every_manifest_file_is_in_the_marts(demo_warehouse: Settings) -> None:
    manifest = json.loads((demo_warehouse.home / "demo" / "manifest.json").read_text("utf-8"))
    accepted = [f for f in manifest["files"] if f["expected_status"] == "accepted"]
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        rows = {
            (u, p): (s, d, c)
            for u, p, s, d, c in con.execute(
                "select unit_id, period_id, n_staff, n_dedicated, n_concurrent "
                "from marts.fct_staffing"
            ).fetchall()
        }
    expected = {
        (f["unit_id"], f["period_id"]): (f["n_staff"], f["n_dedicated"], f["n_concurrent"])
        for f in accepted
    }
    assert rows == expected
