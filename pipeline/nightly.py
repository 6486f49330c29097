"""The nightly pipeline's steps as plain functions; the Airflow DAG only wires them.

Each step takes the settings and returns a small JSON-able summary (it becomes the task's XCom),
so the same code runs from Airflow, from the ``dxwh`` command line and from the tests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from core.db import ensure_landing_tables, session
from core.settings import Settings
from core.vocabulary import FileStatus

RUNS_DDL = """
create schema if not exists audit;
create table if not exists audit.pipeline_runs (
    run_id varchar not null,
    finished_at timestamptz not null,
    status varchar not null,
    summary json not null
);
"""


def step_ingest(
    settings: Settings,
    batch_id: str,
    on_file: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Refresh the registry and load every new submission file.

    ``on_file(done, total)`` reports progress (the command line draws a bar; Airflow does not).
    """
    from ingest.registry import build_registry
    from ingest.submissions.load import ingest_submissions, refresh_registry

    settings.ensure_dirs()
    units = build_registry(settings.registry_scope)
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        n_units = refresh_registry(con, units)
        result = ingest_submissions(
            con, settings, units, batch_id, workers=settings.ingest_workers, on_file=on_file
        )
    return {
        "batch_id": batch_id,
        "registry_units": n_units,
        "files_seen": result.files_seen,
        "files_new": len(result.outcomes),
        "files_accepted": result.count(FileStatus.ACCEPTED),
        "files_partial": result.count(FileStatus.PARTIAL),
        "files_rejected": result.count(FileStatus.REJECTED),
        "files_duplicate": result.count(FileStatus.DUPLICATE),
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rows_read": result.rows_read,
        "seconds": round(result.seconds, 3),
        "rejected": [o.source_file for o in result.outcomes if o.status == FileStatus.REJECTED],
        "feedback_dir": str(settings.feedback_dir),
    }


def step_ingest_dti(settings: Settings, batch_id: str) -> dict[str, Any]:
    """Refresh provinces and the 2025 crosswalk; load every new DTI publication file."""
    from ingest.dti.load import ingest_dti

    settings.ensure_dirs()
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        result = ingest_dti(con, settings, batch_id)
    return {
        "batch_id": batch_id,
        "provinces": result.n_provinces,
        "crosswalk_rows": result.n_crosswalk,
        "files_seen": result.files_seen,
        "files_new": len(result.outcomes),
        "files_accepted": result.count(FileStatus.ACCEPTED),
        "files_partial": result.count(FileStatus.PARTIAL),
        "files_rejected": result.count(FileStatus.REJECTED),
        "files_duplicate": result.count(FileStatus.DUPLICATE),
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rejected": [o.source_file for o in result.outcomes if o.status == FileStatus.REJECTED],
    }


def step_build(settings: Settings) -> dict[str, Any]:
    """``dbt build`` (every snapshot, seed, model, test and contract), then the dbt docs site
    under ``<home>/docs/dbt``; raises if anything fails."""
    from pipeline.dbt_runner import generate_docs, run_dbt

    result = run_dbt(settings, "build")
    docs = generate_docs(settings)
    return {
        "models_ok": result.models_ok,
        "tests_passed": result.tests_passed,
        "docs_path": str(docs),
    }


def step_validate(settings: Settings, run_id: str) -> dict[str, Any]:
    """Run the GX suites, record the results, and close the gate on a critical failure.

    A closed gate is recorded in ``audit.pipeline_runs`` (status ``gate_closed``) before
    :class:`~expectations.gate.QualityGateClosed` is raised, so the failed night is on record
    even though publish and report never run.
    """
    from expectations.gate import enforce_gate
    from expectations.runner import run_validations

    report = run_validations(settings, run_id)
    result: dict[str, Any] = {
        "expectations_passed": report.passed,
        "expectations_total": len(report.outcomes),
        "suites": report.suites,
        "gate": "open" if report.gate_open else "closed",
        "critical_failures": [o.describe() for o in report.critical_failures],
        "warnings": [o.describe() for o in report.warnings],
        "data_docs": report.docs_index,
    }
    if not report.gate_open:
        step_record_run(settings, run_id, {"validate": result}, status="gate_closed")
    enforce_gate(report)
    return result


def step_publish(settings: Settings) -> dict[str, Any]:
    """Publish a new verified version of the marts, analyst views, Parquet and docs."""
    from warehouse.publish import publish

    result = publish(settings)
    return {
        "published_path": str(result.path),
        "version": result.version,
        "tables": result.tables,
        "views": result.views,
        "parquet_dir": str(result.parquet_dir),
        "docs_published": result.docs_published,
        "published_at": result.published_at.isoformat(),
    }


def step_scorecard(settings: Settings) -> dict[str, Any]:
    """Write tonight's scorecard (HTML + PNG charts) from the published warehouse."""
    from warehouse.report.render import write_scorecard

    result = write_scorecard(settings)
    return {
        "scorecard_path": str(result.index),
        "charts": result.charts,
        "period_id": result.period_id,
    }


def step_record_run(
    settings: Settings, run_id: str, parts: dict[str, Any], status: str = "success"
) -> dict[str, Any]:
    """Store the run summary in ``audit.pipeline_runs`` and return it."""
    summary = {"run_id": run_id, **parts}
    with session(settings.build_db) as con:
        con.execute(RUNS_DDL)
        con.execute(
            "insert into audit.pipeline_runs values (?, ?, ?, ?)",
            [run_id, dt.datetime.now(dt.UTC), status, json.dumps(summary, ensure_ascii=False)],
        )
    return summary


EXAMPLE_QUERY = (
    "select unit_level, sum(n_staff) as staff, sum(n_dedicated) as dedicated, "
    "sum(n_concurrent) as concurrent from marts.fct_staffing where period_id = '2023' "
    "group by unit_level order by unit_level"
)


def _quality_lines(validate: dict[str, Any]) -> list[str]:
    """The expectations line, then each warning and each critical failure by name."""
    return [
        f"  expectations: {validate.get('expectations_passed', 0)} of "
        f"{validate.get('expectations_total', 0)} passed, "
        f"{len(validate.get('warnings', []))} warnings, "
        f"{len(validate.get('critical_failures', []))} critical failures"
        f" (data docs: {validate.get('data_docs') or '-'})",
        *(f"    warning: {w}" for w in validate.get("warnings", [])),
        *(f"    CRITICAL: {c}" for c in validate.get("critical_failures", [])),
    ]


def format_summary(summary: dict[str, Any]) -> str:
    """The few lines an operator reads after a run."""
    ingest = summary.get("ingest", {})
    dti = summary.get("ingest_dti", {})
    build = summary.get("build", {})
    validate = summary.get("validate", {})
    publish = summary.get("publish", {})
    path = publish.get("published_path", "?")
    if validate.get("gate") == "closed":
        return "\n".join(
            [
                f"Run {summary.get('run_id')}: the quality gate is closed",
                *_quality_lines(validate),
                "  published: nothing tonight; the previous warehouse stays in place",
            ]
        )
    lines = [
        f"Run {summary.get('run_id')}",
        f"  files: {ingest.get('files_new', 0)} new of {ingest.get('files_seen', 0)} in the inbox"
        f" | accepted {ingest.get('files_accepted', 0)}, partly accepted "
        f"{ingest.get('files_partial', 0)}, rejected {ingest.get('files_rejected', 0)}, "
        f"duplicate {ingest.get('files_duplicate', 0)}",
        f"  rows: {ingest.get('rows_loaded', 0)} loaded, "
        f"{ingest.get('rows_quarantined', 0)} quarantined",
        f"  dti: {dti.get('files_new', 0)} new of {dti.get('files_seen', 0)} publication files"
        f" | accepted {dti.get('files_accepted', 0)}, partly accepted "
        f"{dti.get('files_partial', 0)}, rejected {dti.get('files_rejected', 0)}, "
        f"duplicate {dti.get('files_duplicate', 0)}; rows {dti.get('rows_loaded', 0)} loaded, "
        f"{dti.get('rows_quarantined', 0)} quarantined",
        f"  dbt: {build.get('models_ok', 0)} models built, "
        f"{build.get('tests_passed', 0)} tests passed",
        *_quality_lines(validate),
        f"  published: {path}",
        f"  scorecard: {summary.get('scorecard', {}).get('scorecard_path', '-')}",
        "  try:",
        '    .venv/bin/python -c "import duckdb; '
        f'print(duckdb.connect(\'{path}\', read_only=True).sql(\\"{EXAMPLE_QUERY}\\"))"',
    ]
    return "\n".join(lines)
