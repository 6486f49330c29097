"""The demo run agrees with the manifest the generator wrote, file by file, and reproduces the
plan's published 2023 figures from the submissions alone."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from ingest.demo.mess import available_variants
from ingest.demo.plan import PUBLISHED_2023

STATUSES = {"accepted", "superseded", "duplicate", "rejected", "partial"}


@pytest.fixture(scope="module")
def manifest(demo_warehouse: Settings) -> dict[str, Any]:
    return json.loads((demo_warehouse.home / "demo" / "manifest.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def loads(demo_warehouse: Settings) -> dict[str, tuple[str, str, int, int]]:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        rows = con.execute(
            "select source_file, status, sha256, rows_loaded, rows_quarantined "
            "from audit.file_loads"
        ).fetchall()
    return {f: (status, sha, loaded, quarantined) for f, status, sha, loaded, quarantined in rows}


def _level_of(demo_warehouse: Settings) -> dict[tuple[str, str], tuple[str, str]]:
    """(unit level, province) of each unit and period."""
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        rows = con.execute(
            "select unit_id, period_id, unit_level, province_id from marts.fct_staffing"
        )
        return {(u, p): (level, province) for u, p, level, province in rows.fetchall()}


def test_every_file_has_the_status_the_manifest_expects(
    manifest: dict[str, Any], loads: dict[str, tuple[str, str, int, int]]
) -> None:
    assert {f["file"] for f in manifest["files"]} == set(loads)
    for entry in manifest["files"]:
        status, _, loaded, _ = loads[entry["file"]]
        # a superseded file loads like any other; it is the later file that makes it old
        expected = (
            "accepted" if entry["expected_status"] == "superseded" else entry["expected_status"]
        )
        assert status == expected, entry
        if expected in ("accepted", "partial"):
            assert loaded == entry["n_staff"], entry


def test_every_status_and_variant_appears(manifest: dict[str, Any]) -> None:
    assert {f["expected_status"] for f in manifest["files"]} == STATUSES
    variants = {f["variant"] for f in manifest["files"]}
    assert {v.name for v in available_variants()} <= variants


def test_rejected_and_partial_files_carry_the_expected_error_codes(
    demo_warehouse: Settings, manifest: dict[str, Any]
) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        quarantined = dict(
            con.execute("select source_file, error_codes from quarantine.files").fetchall()
        )
        # a partial file's errors: rows held back (naming no one) and people's fields to fix
        row_codes: dict[str, set[str]] = defaultdict(set)
        for source, code in con.execute(
            "select source_file, code from audit.problems"
            " where severity = 'error' and scope in ('row', 'field')"
        ).fetchall():
            row_codes[source].add(code)
    rejected = [f for f in manifest["files"] if f["expected_status"] == "rejected"]
    partial = [f for f in manifest["files"] if f["expected_status"] == "partial"]
    assert rejected and partial
    assert {f["file"] for f in rejected} == set(quarantined)
    for f in rejected:
        assert sorted(quarantined[f["file"]].split(",")) == f["expected_error_codes"]
    for f in partial:
        assert sorted(row_codes[f["file"]]) == f["expected_error_codes"]


def test_the_current_submission_of_each_unit_is_the_manifests(
    demo_warehouse: Settings,
    manifest: dict[str, Any],
    loads: dict[str, tuple[str, str, int, int]],
) -> None:
    current = [f for f in manifest["files"] if f["expected_status"] in ("accepted", "partial")]
    superseded = [f for f in manifest["files"] if f["expected_status"] == "superseded"]
    assert superseded
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        rows = con.execute(
            "select unit_id, period_id, submission_id, n_staff, n_dedicated, n_concurrent "
            "from marts.fct_staffing"
        ).fetchall()
    found = {(u, p): (sha, s, d, c) for u, p, sha, s, d, c in rows}
    expected = {
        (f["unit_id"], f["period_id"]): (
            loads[f["file"]][1],
            f["n_staff"],
            f["n_dedicated"],
            f["n_concurrent"],
        )
        for f in current
    }
    assert found == expected
    superseded_shas = {loads[f["file"]][1] for f in superseded}
    assert not superseded_shas & {sha for sha, *_ in found.values()}


def test_2023_province_and_district_figures_are_the_plans(
    demo_warehouse: Settings, manifest: dict[str, Any]
) -> None:
    levels = PUBLISHED_2023["levels"]
    period = PUBLISHED_2023["period_id"]
    province = PUBLISHED_2023["province_id"]
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        staff, dedicated, concurrent, it_degree, trained = con.execute(
            "select sum(n_staff), sum(n_dedicated), sum(n_concurrent), "
            "sum(n_it_degree_university_plus), sum(n_trained) from marts.fct_staffing "
            "where province_id = ? and period_id = ? "
            "and unit_level in (select unnest(?::varchar[]))",
            [province, period, list(levels)],
        ).fetchone()
    level_of = _level_of(demo_warehouse)
    from_manifest: Counter[str] = Counter()
    for f in manifest["files"]:
        key = (f["unit_id"], f["period_id"])
        counted = f["expected_status"] in ("accepted", "partial")
        if counted and key[1] == period and level_of[key] in {(lv, province) for lv in levels}:
            for field in ("n_staff", "n_dedicated", "n_concurrent"):
                from_manifest[field] += f[field]
    assert (staff, dedicated, concurrent) == (
        from_manifest["n_staff"],
        from_manifest["n_dedicated"],
        from_manifest["n_concurrent"],
    )
    assert (staff, dedicated, concurrent) == (
        PUBLISHED_2023["n_staff"],
        PUBLISHED_2023["n_dedicated"],
        PUBLISHED_2023["n_concurrent"],
    )
    assert it_degree / staff >= PUBLISHED_2023["min_share_it_degree_university_plus"]
    assert trained / staff > 0.5


def test_the_warehouse_reaches_the_successor_conclusions_of_the_manifest(
    demo_warehouse: Settings, manifest: dict[str, Any]
) -> None:
    """What the generator says the two like-for-like targets should conclude on the new Đà
    Nẵng's whole territory is what the warehouse concludes (scope ``successor:48``)."""
    expected = manifest["successor"]
    with duckdb.connect(str(demo_warehouse.published_db), read_only=True) as con:
        rows = con.execute(
            "select target_id, period_id, actual_value, threshold_value, is_met "
            "from marts.fct_target_progress where scope = 'successor:48' "
            "and target_id in ('T2025_DEDICATED_STAFF', 'T2025_NO_DOWNSIZING')"
        ).fetchall()
    found = {(t, p): (actual, threshold, met) for t, p, actual, threshold, met in rows}
    dedicated = expected["T2025_DEDICATED_STAFF"]
    assert found[("T2025_DEDICATED_STAFF", dedicated["period_at_deadline"])] == (
        dedicated["value_at_deadline"],
        dedicated["baseline"],
        dedicated["is_met"],
    )
    for step in expected["T2025_NO_DOWNSIZING"]:
        assert found[("T2025_NO_DOWNSIZING", step["period_id"])] == (
            step["n_staff"],
            step["previous_n_staff"],
            step["is_met"],
        ), step
