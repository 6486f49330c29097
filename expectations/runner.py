"""Run the suites on DataFrames read read-only from the build database; record every result.

GX 1.x has no DuckDB datasource and its SQLAlchemy route through duckdb-engine fails here, so
each table is read into pandas with a read-only DuckDB connection and validated as a DataFrame.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.suites import CRITICAL, SUITES, SuiteSpec
from warehouse.db import session
from warehouse.settings import Settings

DQ_RESULTS_DDL = """
create schema if not exists audit;
create table if not exists audit.dq_results (
    run_id varchar not null,
    validated_at timestamptz not null,
    suite varchar not null,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    observed_value varchar,
    unexpected_count bigint,
    element_count bigint
);
"""


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

    def describe(self) -> str:
        where = f"[{self.column}]" if self.column else ""
        observed = f" observed={self.observed_value}" if self.observed_value is not None else ""
        bad = f" unexpected={self.unexpected_count}" if self.unexpected_count else ""
        return f"{self.suite}: {self.expectation}{where}{observed}{bad}"


@dataclass
class ValidationReport:
    run_id: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

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


class QualityGateClosed(RuntimeError):
    """A critical expectation failed: tonight's warehouse must not be published."""


def _observed(result: dict[str, object]) -> str | None:
    if "observed_value" in result:
        value = result["observed_value"]
        return json.dumps(value, default=str, ensure_ascii=False)[:500]
    return None


def validate_frame(spec: SuiteSpec, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    """Validate one DataFrame with one suite; every expectation yields an outcome."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("dxwh")
        .add_dataframe_asset(spec.name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=spec.name))
    for expectation in spec.build():
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": spec.prepare(frame)})
    outcomes = []
    for r in result.results:
        config = r.expectation_config
        details = dict(r.result or {})
        column = config.kwargs.get("column") or config.kwargs.get("column_A")
        outcomes.append(
            ExpectationOutcome(
                suite=spec.name,
                expectation=config.type,
                column=str(column) if column else None,
                severity=str((config.meta or {}).get("severity", CRITICAL)),
                success=bool(r.success),
                observed_value=_observed(details),
                unexpected_count=details.get("unexpected_count"),  # type: ignore[arg-type]
                element_count=details.get("element_count"),  # type: ignore[arg-type]
            )
        )
    return outcomes


def run_validations(settings: Settings, run_id: str) -> ValidationReport:
    """Validate every suite and append the results to ``audit.dq_results``."""
    frames: dict[str, pd.DataFrame] = {}
    with session(settings.build_db, read_only=True) as con:
        for spec in SUITES:
            frames[spec.name] = con.execute(spec.query).df()
    report = ValidationReport(run_id=run_id)
    for spec in SUITES:
        report.outcomes.extend(validate_frame(spec, frames[spec.name]))
    now = dt.datetime.now(dt.UTC)
    with session(settings.build_db) as con:
        con.execute(DQ_RESULTS_DDL)
        con.executemany(
            "insert into audit.dq_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run_id,
                    now,
                    o.suite,
                    o.expectation,
                    o.column,
                    o.severity,
                    o.success,
                    o.observed_value,
                    o.unexpected_count,
                    o.element_count,
                ]
                for o in report.outcomes
            ],
        )
    return report


def enforce_gate(report: ValidationReport) -> None:
    """Raise :class:`QualityGateClosed` naming every failed critical expectation."""
    if report.critical_failures:
        names = "; ".join(o.describe() for o in report.critical_failures)
        raise QualityGateClosed(f"critical data-quality checks failed: {names}")
