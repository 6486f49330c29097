"""Row counts against the last good night: a sudden drop is an alert, not silence.

Each run counts the rows of the tracked tables and keeps the counts in ``audit.dq_row_counts``.
The baseline is the latest run whose gate was open (the warehouse readers have now), so a
defect that persists keeps the gate closed night after night instead of becoming the new normal.
After a deliberate removal of data an operator accepts tonight's counts as the new baseline with
``dxwh validate --accept-row-counts``.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from core.db import ensure_landing_tables
from expectations.spec import SuiteSpec, critical, warning

SUITE_NAME = "audit.dq_row_counts"

TRACKED_TABLES = (
    "raw.submissions",
    "raw.staff_rows",
    "raw.dti_scores",
    "marts.dim_unit",
    "marts.fct_staffing",
    "marts.fct_target_progress",
    "marts.fct_reporting_compliance",
    "marts.fct_dti_scores",
    "marts.fct_province_scorecard",
)

# facts accumulate period after period, so tonight's counts should not fall: losing half or
# more of a table blocks publishing; losing more than a tenth, or tripling, is worth a look
CRITICAL_MIN_RATIO = 0.5
WARNING_MIN_RATIO = 0.9
WARNING_MAX_RATIO = 3.0


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database()"
    ).fetchall()
    return {str(r[0]) for r in rows}


def read_baseline(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Counts of the latest baseline run (empty before the first good night)."""
    if "audit.dq_row_counts" not in existing_tables(con):
        return {}
    rows = con.execute(
        """
        select table_name, n_rows from audit.dq_row_counts
        where run_id = (
            select run_id from audit.dq_row_counts where is_baseline
            order by counted_at desc limit 1
        )
        """
    ).fetchall()
    return {str(t): int(n) for t, n in rows}


def count_query(tables: list[str]) -> str:
    """One row, one column per table, holding its row count."""
    if not tables:
        return "select 1 as no_tracked_table_yet"
    return "select " + ", ".join(f'(select count(*) from {t}) as "{t}"' for t in tables)


def row_count_expectations(baseline: dict[str, int], tables: list[str]) -> list[Expectation]:
    """Bounds on tonight's count of each table, relative to its baseline count."""
    expectations: list[Expectation] = []
    for table in tables:
        before = baseline.get(table)
        if not before:
            continue  # first night, or the table was empty: no ratio to compare with
        expectations += [
            gxe.ExpectColumnMinToBeBetween(
                column=table,
                # strictly more than half: a drop of 50% or more is critical
                min_value=math.floor(before * CRITICAL_MIN_RATIO) + 1,
                meta=critical(f"{table} keeps more than half of its {before} rows"),
            ),
            gxe.ExpectColumnMinToBeBetween(
                column=table,
                min_value=math.ceil(before * WARNING_MIN_RATIO),
                max_value=math.floor(before * WARNING_MAX_RATIO),
                meta=warning(f"{table} stays within −10%…×3 of its {before} rows"),
            ),
        ]
    return expectations


def row_count_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    """Tonight's suite: the tracked tables that exist, bounded by the baseline counts."""
    present = existing_tables(con)
    tables = [t for t in TRACKED_TABLES if t in present]
    baseline = read_baseline(con)
    return SuiteSpec(
        name=SUITE_NAME,
        query=count_query(tables),
        build=lambda: row_count_expectations(baseline, tables),
        reads=tuple(tables),
    )


def record_counts(
    con: duckdb.DuckDBPyConnection, run_id: str, counts: dict[str, int], is_baseline: bool
) -> None:
    ensure_landing_tables(con)
    now = dt.datetime.now(dt.UTC)
    con.executemany(
        "insert into audit.dq_row_counts values (?, ?, ?, ?, ?)",
        [[run_id, now, table, n, is_baseline] for table, n in counts.items()],
    )
