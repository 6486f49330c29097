"""Run the suites on DataFrames read read-only from the build database; record every result.

GX 1.x has no DuckDB datasource and its SQLAlchemy route through duckdb-engine fails here, so
each suite's query is run with a read-only DuckDB connection and the DataFrame is validated in
an ephemeral GX context. The results go to ``audit.dq_results``, tonight's row counts to
``audit.dq_row_counts``, and a Data Docs site is written under the data home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.datasource.fluent import PandasDatasource

from core.db import session
from core.settings import Settings
from expectations import data_docs, row_counts
from expectations.gate import QualityGateClosed, enforce_gate
from expectations.results import (
    ExpectationOutcome,
    ValidationReport,
    observed_text,
    record_outcomes,
)
from expectations.spec import CRITICAL, SuiteSpec
from expectations.suites import SUITES

__all__ = [
    "QualityGateClosed",
    "ValidationReport",
    "enforce_gate",
    "run_validations",
    "validate_frame",
]


def new_context() -> tuple[AbstractDataContext, PandasDatasource]:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas("dxwh")


def _observed(details: dict[str, object]) -> str | None:
    if "observed_value" in details:
        return observed_text(details["observed_value"])
    if details.get("unexpected_count"):
        # column-map expectations have no single observed value: show offending values
        return observed_text(details.get("partial_unexpected_list"))
    return None


def _failure(spec: SuiteSpec, check: str, message: str) -> ExpectationOutcome:
    """A suite that could not run is a critical failure, never a silent skip."""
    return ExpectationOutcome(
        suite=spec.name,
        expectation=check,
        column=None,
        severity=CRITICAL,
        success=False,
        observed_value=None,
        unexpected_count=None,
        element_count=None,
        rule=f"{spec.name} can be validated",
        error_message=message[:1000],
    )


def _validate(
    context: AbstractDataContext,
    source: PandasDatasource,
    spec: SuiteSpec,
    frame: pd.DataFrame,
    run_id: str,
) -> list[ExpectationOutcome]:
    try:
        prepared = spec.prepare(frame)
    except Exception as exc:  # a derived column that cannot be computed is a finding
        return [_failure(spec, "prepare", f"{type(exc).__name__}: {exc}")]
    batch_definition = source.add_dataframe_asset(spec.name).add_batch_definition_whole_dataframe(
        "whole"
    )
    suite = context.suites.add(gx.ExpectationSuite(name=spec.name))
    for expectation in spec.build():
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": prepared},
        run_id=RunIdentifier(run_name=run_id),
    )
    outcomes = []
    for r in result.results:
        config = r.expectation_config
        if config is None:  # GX always attaches it to a suite's results
            raise RuntimeError(f"{spec.name}: a validation result without its expectation")
        details = dict(r.result or {})
        meta = config.meta or {}
        column = config.kwargs.get("column") or config.kwargs.get("column_A")
        error = (r.exception_info or {}).get("exception_message")
        if error is None:
            # GX keys exception info by metric when a metric fails; keep the first message
            nested = [
                v.get("exception_message")
                for v in (r.exception_info or {}).values()
                if isinstance(v, dict) and v.get("raised_exception")
            ]
            error = nested[0] if nested else None
        outcomes.append(
            ExpectationOutcome(
                suite=spec.name,
                expectation=config.type,
                column=str(column) if column else None,
                severity=str(meta.get("severity", CRITICAL)),
                success=bool(r.success),
                observed_value=_observed(details),
                unexpected_count=details.get("unexpected_count"),
                element_count=details.get("element_count"),
                rule=meta.get("rule"),
                error_message=str(error)[:1000] if error else None,
            )
        )
    return outcomes


def validate_frame(spec: SuiteSpec, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    """Validate one DataFrame with one suite; every expectation yields an outcome."""
    context, source = new_context()
    return _validate(context, source, spec, frame, run_id="adhoc")


@dataclass
class _Read:
    spec: SuiteSpec
    frame: pd.DataFrame | None
    problem: ExpectationOutcome | None


def _read(con: duckdb.DuckDBPyConnection, spec: SuiteSpec, present: set[str]) -> _Read:
    missing = [t for t in spec.tables_read if t not in present]
    if missing:
        message = f"table(s) missing from the build database: {', '.join(missing)}"
        return _Read(spec, None, _failure(spec, "table_exists", message))
    try:
        return _Read(spec, con.execute(spec.query).df(), None)
    except duckdb.Error as exc:
        return _Read(spec, None, _failure(spec, "query", f"{type(exc).__name__}: {exc}"))


def run_validations(
    settings: Settings,
    run_id: str,
    suites: Sequence[SuiteSpec] = SUITES,
    accept_row_counts: bool = False,
) -> ValidationReport:
    """Validate every suite, record the results and counts, and build the Data Docs site.

    The gate decision is the caller's (:func:`expectations.gate.enforce_gate`). Tonight's row
    counts become the baseline when the gate is open, or when ``accept_row_counts`` is set.
    """
    report = ValidationReport(run_id=run_id)
    counts: dict[str, int] = {}
    # one suite at a time: each frame is read, validated and let go before the next is read,
    # so the night holds the largest table's frame, not every table's at once (which grew with
    # every period of history); a GX context keeps the batches it validated, so each suite has
    # its own
    with session(settings.build_db, read_only=True) as con:
        present = row_counts.existing_tables(con)
        counts_spec = row_counts.row_count_suite(con)
        for spec in (*suites, counts_spec):
            item = _read(con, spec, present)
            if item.problem is not None:
                report.outcomes.append(item.problem)
            elif item.frame is not None:
                context, source = new_context()
                report.outcomes.extend(_validate(context, source, spec, item.frame, run_id))
                del context, source
                if spec is counts_spec:
                    counts = {t: int(item.frame[t].iloc[0]) for t in spec.reads if t in item.frame}
            del item
    report.docs_index = str(data_docs.build_site(settings.docs_dir / "gx", report))

    with session(settings.build_db) as con:
        record_outcomes(con, run_id, report.outcomes, dt.datetime.now(dt.UTC))
        row_counts.record_counts(
            con, run_id, counts, is_baseline=report.gate_open or accept_row_counts
        )
    return report
