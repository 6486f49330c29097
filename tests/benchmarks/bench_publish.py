"""Publish and scorecard timings on marts of growing size (prints figures; not a test).

Run with ``make bench-publish``. Each size builds a build database whose ``fct_staffing`` and
``fct_reporting_compliance`` have the given number of rows (the other sample marts as they are),
then times a publish (copy, views, verify, Parquet, swap), a rollback and a scorecard.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from core.db import session
from core.settings import Settings
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish, rollback
from warehouse.report.render import write_scorecard

SIZES = (1_000, 100_000, 1_000_000)


def _grow(settings: Settings, rows: int) -> None:
    with session(settings.build_db) as con:
        con.execute(
            "create or replace table marts.fct_staffing as select "
            "'u' || (i % 5000) as unit_id, '20' || (10 + i // 5000 % 15) as period_id, "
            "['province', 'district', 'commune'][1 + i % 3] as unit_level, '49' as province_id, "
            "(i % 7)::integer as n_staff, (i % 4)::integer as n_dedicated, "
            "(i % 7 - i % 4)::integer as n_concurrent, (i % 3)::integer as "
            "n_it_degree_university_plus, (i % 5)::integer as n_trained, (i % 2)::integer as "
            "n_dx_network_members, (i % 2)::integer as n_platform_access, i % 9 > 0 as "
            f"has_dx_focal_point from range({rows}) t(i)"
        )


def main() -> None:
    print(f"{'rows':>10} {'publish s':>10} {'rollback s':>11} {'scorecard s':>12} {'file MB':>8}")
    for rows in SIZES:
        with tempfile.TemporaryDirectory(prefix="dxwh-bench-") as tmp:
            settings = Settings(home=Path(tmp), pseudonym_key="bench")
            settings.ensure_dirs()
            build_sample_marts(settings)
            _grow(settings, rows)
            publish(settings)
            start = time.perf_counter()
            result = publish(settings)
            published = time.perf_counter() - start
            start = time.perf_counter()
            rollback(settings)
            rolled = time.perf_counter() - start
            start = time.perf_counter()
            write_scorecard(settings)
            scored = time.perf_counter() - start
            size = result.path.stat().st_size / 1e6
            print(f"{rows:>10} {published:>10.2f} {rolled:>11.3f} {scored:>12.2f} {size:>8.1f}")


if __name__ == "__main__":
    main()
