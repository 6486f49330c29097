"""Tonight's data-quality results, published for analysts and dashboards."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import session
from core.settings import Settings
from expectations.results import ExpectationOutcome, record_outcomes
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.sql import connect_published

LAST_NIGHT = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)
TONIGHT = dt.datetime(2026, 12, 1, 19, 0, tzinfo=dt.UTC)


def _outcome(suite: str, severity: str, success: bool, **extra: object) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite=suite,
        expectation=str(extra.get("expectation", "expect_column_values_to_be_between")),
        column=str(extra.get("column", "birth_year")),
        severity=severity,
        success=success,
        observed_value=extra.get("observed_value"),  # type: ignore[arg-type]
        unexpected_count=0 if success else 2,
        element_count=120,
        rule=str(extra.get("rule", "a rule")),
    )


@pytest.fixture
def validated(data_home: Settings) -> Settings:
    build_sample_marts(data_home)
    with session(data_home.build_db) as con:
        record_outcomes(
            con,
            "scheduled__2026-11-30",
            [_outcome("marts.fct_staffing", "critical", False)],
            validated_at=LAST_NIGHT,
        )
        record_outcomes(
            con,
            "scheduled__2026-12-01",
            [
                _outcome("raw.staff_rows", "warning", False, observed_value="[2012, 1931]"),
                _outcome("raw.staff_rows", "critical", True, column="person_key"),
                _outcome(
                    "marts.fct_staffing",
                    "critical",
                    True,
                    expectation="expect_table_row_count_to_be_between",
                    column="",
                    observed_value="1624",
                ),
            ],
            validated_at=TONIGHT,
        )
    publish(data_home, views=())
    return data_home


def test_tonights_results_are_published(validated: Settings) -> None:
    with connect_published(validated.published_db) as con:
        rows = con.execute(
            "select run_id, suite, column_name, severity, result, observed_value "
            "from quality.dq_results order by suite, column_name"
        ).fetchall()

    assert rows == [
        ("scheduled__2026-12-01", "marts.fct_staffing", "", "critical", "passed", "1624"),
        # the raw suites' observed values can quote personal data: not published
        ("scheduled__2026-12-01", "raw.staff_rows", "birth_year", "warning", "warning", None),
        ("scheduled__2026-12-01", "raw.staff_rows", "person_key", "critical", "passed", None),
    ]


def test_every_run_is_summarised_with_its_gate(validated: Settings) -> None:
    with connect_published(validated.published_db) as con:
        runs = con.execute(
            "select run_id, n_expectations, n_passed, n_failed_critical, n_failed_warning, gate "
            "from quality.dq_runs order by validated_at"
        ).fetchall()
        types = set(
            con.execute(
                "select data_type from duckdb_columns() where schema_name = 'quality' "
                "and column_name like 'n\\_%' escape '\\'"
            ).fetchall()
        )

    assert runs == [
        ("scheduled__2026-11-30", 1, 0, 1, 0, "closed"),
        ("scheduled__2026-12-01", 3, 2, 0, 1, "open"),
    ]
    assert types == {("BIGINT",)}


def test_quality_tables_are_documented(validated: Settings) -> None:
    with connect_published(validated.published_db) as con:
        undocumented = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'quality' and comment is null"
        ).fetchall()
        tables = con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'quality' "
            "order by table_name"
        ).fetchall()

    assert undocumented == []
    assert [name for name, _ in tables] == ["dq_results", "dq_runs"]
    assert all(comment and " — " in comment for _, comment in tables)


def test_quality_tables_exist_before_any_validation(data_home: Settings) -> None:
    build_sample_marts(data_home)

    result = publish(data_home, views=())

    assert result.tables["quality.dq_results"] == 0
    assert result.tables["quality.dq_runs"] == 0
