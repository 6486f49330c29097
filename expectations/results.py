"""Validation outcomes and their record in ``audit.dq_results`` (one row per expectation per run).

Analysts query quality over time from this table, e.g. which rules failed in the last 30 nights.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from core.db import ensure_landing_tables
from expectations.spec import CRITICAL

COLUMNS = (
    "run_id",
    "validated_at",
    "suite",
    "expectation",
    "column_name",
    "severity",
    "success",
    "observed_value",
    "unexpected_count",
    "element_count",
    "rule",
    "error_message",
)


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    element_count: int | None
    rule: str | None = None
    error_message: str | None = None

    def describe(self) -> str:
        """One line naming the suite, the rule and what was found."""
        what = self.rule or self.expectation
        where = f" [{self.column}]" if self.column else ""
        parts = [f"{self.suite}: {what}{where}"]
        if self.unexpected_count:
            total = f" of {self.element_count}" if self.element_count is not None else ""
            parts.append(f"{self.unexpected_count}{total} rows break it")
        if self.observed_value is not None:
            parts.append(f"observed {self.observed_value}")
        if self.error_message:
            parts.append(f"error: {self.error_message}")
        return " — ".join(parts)


@dataclass
class ValidationReport:
    run_id: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    docs_index: str | None = None

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != CRITICAL]

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.success)

    @property
    def gate_open(self) -> bool:
        return not self.critical_failures

    @property
    def suites(self) -> list[str]:
        return sorted({o.suite for o in self.outcomes})


def observed_text(value: object) -> str:
    """JSON text of an observed value, short enough for a log line and a table cell."""
    return json.dumps(value, default=str, ensure_ascii=False)[:500]


def record_outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcomes: Iterable[ExpectationOutcome],
    validated_at: dt.datetime | None = None,
) -> int:
    """Append the outcomes to ``audit.dq_results``; return how many rows were written."""
    when = validated_at or dt.datetime.now(dt.UTC)
    ensure_landing_tables(con)  # the audit tables are core.db's: a no-op after the first
    rows = [
        [
            run_id,
            when,
            o.suite,
            o.expectation,
            o.column,
            o.severity,
            o.success,
            o.observed_value,
            o.unexpected_count,
            o.element_count,
            o.rule,
            o.error_message,
        ]
        for o in outcomes
    ]
    if rows:
        con.executemany(
            f"insert into audit.dq_results ({', '.join(COLUMNS)}) "
            f"values ({', '.join('?' for _ in COLUMNS)})",
            rows,
        )
    return len(rows)
