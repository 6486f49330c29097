"""Tonight's data-quality results, published beside the marts (schema ``quality``).

The Great Expectations results live in the private build database (``audit.dq_results``),
which readers never open. Analysts and dashboards need to know whether the data they read
passed its checks, so each publish copies:

- ``quality.dq_results``: every expectation of the latest validation run, with its suite,
  severity and result;
- ``quality.dq_runs``: one row per validation run so far, with its counts and whether the
  quality gate was open.

Observed values and error messages are published only for suites on marts: the raw suites
read submissions before pseudonymisation, and an offending value there can be a birth year.
The tables are always created (empty when the build has no results yet), so dashboards built
on them keep working. Their comments are written here, Vietnamese first, like the marts'.
"""

from __future__ import annotations

import duckdb

from warehouse.local_time import LOCAL_TIME_NOTE, local_time_sql

QUALITY_SCHEMA = "quality"
SOURCE_TABLE = "audit.dq_results"
# suites named `marts.<table>` validate published, non-personal data (expectations/ naming)
_PUBLIC_SUITE_PREFIX = "marts."

RESULTS_COLUMNS = (
    "run_id varchar, validated_at timestamp, suite varchar, expectation varchar, "
    "rule varchar, column_name varchar, severity varchar, result varchar, is_success boolean, "
    "unexpected_count bigint, element_count bigint, observed_value varchar, error_message varchar"
)
RUNS_COLUMNS = (
    "run_id varchar, validated_at timestamp, n_expectations bigint, n_passed bigint, "
    "n_failed_critical bigint, n_failed_warning bigint, is_gate_open boolean, gate varchar"
)

RESULTS_SQL = """
with runs as (
    select run_id, max(validated_at) as validated_at from {source} group by run_id
),

latest as (
    select run_id from runs order by validated_at desc, run_id desc limit 1
)

select
    results.run_id,
    {local_validated_at} as validated_at,
    results.suite,
    results.expectation,
    results.rule,
    results.column_name,
    results.severity,
    case
        when results.success then 'passed'
        when results.severity = 'critical' then 'failed'
        else 'warning'
    end as result,
    results.success as is_success,
    results.unexpected_count,
    results.element_count,
    case when results.suite like '{public}%' then results.observed_value end as observed_value,
    case when results.suite like '{public}%' then results.error_message end as error_message
from {source} as results
inner join latest on results.run_id = latest.run_id
order by results.suite, results.expectation, results.column_name nulls first
"""

RUNS_SQL = """
select
    run_id,
    {local_validated_at} as validated_at,
    count(*) as n_expectations,
    count(*) filter (where success) as n_passed,
    count(*) filter (where not success and severity = 'critical') as n_failed_critical,
    count(*) filter (where not success and severity <> 'critical') as n_failed_warning,
    count(*) filter (where not success and severity = 'critical') = 0 as is_gate_open,
    case
        when count(*) filter (where not success and severity = 'critical') = 0 then 'open'
        else 'closed'
    end as gate
from {source}
group by run_id
order by max(validated_at)
"""

COMMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "dq_results": (
        "Kết quả kiểm tra chất lượng dữ liệu của lần chạy gần nhất — Data-quality results "
        "of the latest validation run (Great Expectations): one row per expectation.",
        {
            "run_id": "Mã lần chạy — Pipeline run that validated the data.",
            "validated_at": f"Thời điểm kiểm tra — When the suite was validated {LOCAL_TIME_NOTE}.",
            "suite": "Bộ kiểm tra — Expectation suite, `<layer>.<table>`.",
            "expectation": "Loại kiểm tra — Great Expectations expectation type.",
            "rule": "Quy tắc — The rule in words.",
            "column_name": "Cột được kiểm tra — Column checked (empty for table-level checks).",
            "severity": "Mức độ — critical (blocks publishing) or warning (recorded only).",
            "result": "Kết quả — passed, failed (a critical check) or warning.",
            "is_success": "Đạt — True when the expectation held.",
            "unexpected_count": "Số dòng không đạt — Rows that break the rule.",
            "element_count": "Số dòng được kiểm tra — Rows checked.",
            "observed_value": "Giá trị quan sát — What was found (marts suites only).",
            "error_message": "Lỗi — Why the check could not run (marts suites only).",
        },
    ),
    "dq_runs": (
        "Tổng hợp các lần kiểm tra chất lượng dữ liệu — One row per validation run: how many "
        "expectations passed and whether the quality gate let the data through.",
        {
            "run_id": "Mã lần chạy — Pipeline run.",
            "validated_at": f"Thời điểm kiểm tra — When the run was validated {LOCAL_TIME_NOTE}.",
            "n_expectations": "Số kiểm tra — Expectations evaluated.",
            "n_passed": "Số kiểm tra đạt — Expectations that held.",
            "n_failed_critical": "Số lỗi nghiêm trọng — Critical expectations that failed.",
            "n_failed_warning": "Số cảnh báo — Warning expectations that failed.",
            "is_gate_open": "Cổng chất lượng mở — True when no critical expectation failed.",
            "gate": "Cổng chất lượng — open (data published) or closed (publishing blocked).",
        },
    ),
}


def _has_source(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    schema, table = SOURCE_TABLE.split(".")
    row = con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = ? and schema_name = ? and table_name = ?",
        [catalog, schema, table],
    ).fetchone()
    return bool(row and row[0])


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_quality(
    con: duckdb.DuckDBPyConnection, *, source: str = "build", target: str = "pub"
) -> dict[str, int]:
    """Create ``<target>.quality.dq_results`` and ``dq_runs`` from ``<source>.audit.dq_results``.

    ``source`` and ``target`` are the catalogs the build and the published file are attached
    as. Returns ``{"quality.<table>": rows}`` for the publish's row checks.
    """
    con.execute(f"create schema if not exists {target}.{QUALITY_SCHEMA}")
    present = _has_source(con, source)
    counts: dict[str, int] = {}
    for table, columns, sql, zoned in (
        ("dq_results", RESULTS_COLUMNS, RESULTS_SQL, "results.validated_at"),
        ("dq_runs", RUNS_COLUMNS, RUNS_SQL, "max(validated_at)"),
    ):
        qualified = f"{target}.{QUALITY_SCHEMA}.{table}"
        con.execute(f"create table {qualified} ({columns})")
        if present:
            query = sql.format(
                source=f"{source}.{SOURCE_TABLE}",
                public=_PUBLIC_SUITE_PREFIX,
                local_validated_at=local_time_sql(zoned),
            )
            con.execute(f"insert into {qualified} {query}")
        comment, column_comments = COMMENTS[table]
        con.execute(f"comment on table {qualified} is {_quote(comment)}")
        for column, text in column_comments.items():
            con.execute(f"comment on column {qualified}.{column} is {_quote(text)}")
        row = con.execute(f"select count(*) from {qualified}").fetchone()
        counts[f"{QUALITY_SCHEMA}.{table}"] = int(row[0]) if row else 0
    return counts
