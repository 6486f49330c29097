"""The nightly pipeline's steps as plain functions; the Airflow DAG only wires them.

Each step takes the settings and returns a small JSON-able summary (it becomes the task's XCom),
so the same code runs from Airflow, from the ``dxwh`` command line and from the tests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from core.db import ensure_landing_tables, session
from core.intake_record import write_record
from core.settings import Settings
from core.vocabulary import FileStatus


def step_ingest(
    settings: Settings,
    batch_id: str,
    on_file: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Refresh the registry and load every new submission file.

    ``on_file(done, total)`` reports progress (the command line draws a bar; Airflow does not).
    """
    from ingest.submissions import start_readers

    start_readers()  # the readers' imports overlap the registry's
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
        # what the portal shows of each file: it reads this, never the build database
        write_record(con, settings.home)
    return {
        "batch_id": batch_id,
        "registry_units": n_units,
        **_landed(result),
        "rows_read": result.rows_read,
        "seconds": round(result.seconds, 3),
        "feedback_dir": str(settings.feedback_dir),
    }


def _landed(result: Any) -> dict[str, Any]:
    """What both loaders' results say of the night's files and rows."""
    return {
        "files_seen": result.files_seen,
        "files_new": len(result.outcomes),
        "files_accepted": result.count(FileStatus.ACCEPTED),
        "files_partial": result.count(FileStatus.PARTIAL),
        "files_rejected": result.count(FileStatus.REJECTED),
        "files_duplicate": result.count(FileStatus.DUPLICATE),
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rejected": [o.source_file for o in result.outcomes if o.status == FileStatus.REJECTED],
        # inbox entries not taken (symlink, FIFO, over the size limit, a failed copy), named
        # the night they first appear; each has a row in audit.inbox_skips
        "skipped_new": [f"{source}: {reason}" for source, reason in result.skipped_new],
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
        **_landed(result),
    }


def step_build(settings: Settings, as_of: dt.date | None = None) -> dict[str, Any]:
    """``dbt build`` (every snapshot, seed, model, test and contract) as of ``as_of`` (default:
    today in Vietnam), then the dbt docs site under ``<home>/docs/dbt``; raises if anything
    fails."""
    from pipeline.dbt_runner import generate_docs, run_dbt

    result = run_dbt(settings, "build", as_of=as_of)
    docs = generate_docs(settings)
    return {
        "models_ok": result.models_ok,
        "tests_passed": result.tests_passed,
        "docs_path": str(docs),
    }


LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def night_date(context: Mapping[str, Any]) -> dt.date:
    """The night's date in Asia/Ho_Chi_Minh, from the run's data interval (never the clock).

    A scheduled run's ``data_interval_end`` is the night it runs; a manual or ``dag.test()``
    run without an interval falls back to its logical date, then to when it was started.
    ``DXWH_AS_OF`` set, the night runs as of that day (a replay: the history benchmark).
    """
    from core.settings import as_of_setting

    replayed = as_of_setting()
    if replayed is not None:
        return replayed
    dag_run = context.get("dag_run")
    for when in (
        context.get("data_interval_end"),
        context.get("logical_date"),
        getattr(dag_run, "run_after", None),
    ):
        if isinstance(when, dt.datetime):
            return when.astimezone(LOCAL_TZ).date()
        if when is not None:
            return dt.datetime.fromisoformat(str(when)).astimezone(LOCAL_TZ).date()
    raise ValueError("the run has no data interval, logical date or start time")


def step_plan(
    settings: Settings,
    as_of: dt.date,
    *,
    reprocess_period: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Whether tonight builds, and why (see :mod:`pipeline.quiet_night`)."""
    from pipeline.quiet_night import plan_night

    plan = plan_night(settings, as_of, reprocess_period=reprocess_period, force=force)
    return plan.to_dict()


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
        "unchanged": result.unchanged,
    }


def step_scorecard(settings: Settings) -> dict[str, Any]:
    """Write tonight's scorecard (HTML + PNG charts) from the published warehouse."""
    from core.private_files import make_readable
    from warehouse.report.render import write_scorecard

    result = write_scorecard(settings)
    make_readable(settings.reports_dir)  # written under dxwh's private umask: for readers
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
        ensure_landing_tables(con)
        con.execute(
            "insert into audit.pipeline_runs values (?, ?, ?, ?)",
            [run_id, dt.datetime.now(dt.UTC), status, json.dumps(summary, ensure_ascii=False)],
        )
    return summary


def record_failed_night(
    settings: Settings, run_id: str, state: str, failed_tasks: list[str]
) -> None:
    """Record a night that ended without its summary (a failed task stopped it), unless it
    recorded itself; ``dxwh status`` lists it with the tasks that failed. Recorded once: a
    second call (the DAG's failure callback, then ``dxwh run``) adds the tasks it knows."""
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        row = con.execute(
            "select summary from audit.pipeline_runs where run_id = ? "
            "order by finished_at desc limit 1",
            [run_id],
        ).fetchone()
        if row:
            known = json.loads(row[0]).get("failed_tasks")
            if known is None or set(failed_tasks) <= set(known):
                return  # the night recorded itself (a closed gate), or nothing new
            summary = {"run_id": run_id, "failed_tasks": sorted({*known, *failed_tasks})}
            con.execute(
                "update audit.pipeline_runs set summary = ? where run_id = ?",
                [json.dumps(summary), run_id],
            )
            return
        summary = {"run_id": run_id, "failed_tasks": failed_tasks}
        con.execute(
            "insert into audit.pipeline_runs values (?, ?, ?, ?)",
            [run_id, dt.datetime.now(dt.UTC), state or "failed", json.dumps(summary)],
        )


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


# The summary names this many rejected files; the feedback index lists them all.
MAX_LISTED_REJECTED = 20


def _rejected_lines(ingest: dict[str, Any], dti: dict[str, Any]) -> list[str]:
    """Each rejected file by name, and where the units' feedback is."""
    rejected = [*ingest.get("rejected", []), *(f"dti: {f}" for f in dti.get("rejected", []))]
    if not rejected and not ingest.get("files_partial"):
        return []
    feedback = ingest.get("feedback_dir")
    lines = [
        f"  rejected files: {len(rejected)}"
        + (f" (feedback for the units: {feedback}/index.html)" if feedback else "")
    ]
    lines += [f"    - {name}" for name in rejected[:MAX_LISTED_REJECTED]]
    if len(rejected) > MAX_LISTED_REJECTED:
        lines.append(
            f"    ... and {len(rejected) - MAX_LISTED_REJECTED} more in the feedback index"
        )
    return lines


def _landing_lines(ingest: dict[str, Any], dti: dict[str, Any]) -> list[str]:
    return [
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
        *_rejected_lines(ingest, dti),
        *_skipped_lines(ingest, dti),
    ]


def _skipped_lines(ingest: dict[str, Any], dti: dict[str, Any]) -> list[str]:
    """Inbox entries not taken, the night they first appear (audit.inbox_skips keeps them)."""
    skipped = [*ingest.get("skipped_new", []), *(f"dti: {s}" for s in dti.get("skipped_new", []))]
    if not skipped:
        return []
    lines = [f"  not taken from the inbox (new tonight; audit.inbox_skips): {len(skipped)}"]
    lines += [f"    - {entry}" for entry in skipped[:MAX_LISTED_REJECTED]]
    if len(skipped) > MAX_LISTED_REJECTED:
        lines.append(f"    ... and {len(skipped) - MAX_LISTED_REJECTED} more in audit.inbox_skips")
    return lines


def _dbt_line(build: dict[str, Any]) -> str:
    if "models_ok" not in build:
        return "  dbt: no results recorded (see the transform tasks' logs)"
    line = f"  dbt: {build['models_ok']} models built, {build.get('tests_passed', 0)} tests passed"
    if build.get("tests_failed") or build.get("errors"):
        line += f", {build.get('tests_failed', 0)} failed, {build.get('errors', 0)} errors"
    return line


def format_summary(summary: dict[str, Any]) -> str:
    """The few lines an operator reads after a run."""
    ingest = summary.get("ingest") or {}
    dti = summary.get("ingest_dti") or {}
    plan = summary.get("plan") or {}
    build = summary.get("build") or {}
    validate = summary.get("validate") or {}
    publish = summary.get("publish") or {}
    path = publish.get("published_path", "?")
    if validate.get("gate") == "closed":
        return "\n".join(
            [
                f"Run {summary.get('run_id')}: the quality gate is closed",
                *_quality_lines(validate),
                "  published: nothing tonight; the previous warehouse stays in place",
            ]
        )
    if plan and not plan.get("build", True):
        return "\n".join(
            [
                f"Run {summary.get('run_id')}: a quiet night, nothing to build",
                f"  nothing new since the last build ({plan.get('last_build_run')}, "
                f"{plan.get('last_build_as_of')}) and no deadline or period boundary passed: "
                "transform, validate and publish were skipped",
                *_landing_lines(ingest, dti),
                "  published: unchanged, the last build's version stays",
            ]
        )
    version = publish.get("version", "?")
    lines = [
        f"Run {summary.get('run_id')}",
        *([f"  built because: {'; '.join(plan['reasons'])}"] if plan.get("reasons") else []),
        *_landing_lines(ingest, dti),
        _dbt_line(build),
        *_quality_lines(validate),
        f"  published: {path} (version {version}"
        + (", unchanged: same content as before)" if publish.get("unchanged") else ")"),
        f"  scorecard: {(summary.get('scorecard') or {}).get('scorecard_path', '-')}",
        "  try:",
        '    .venv/bin/python -c "import duckdb; '
        f'print(duckdb.connect(\'{path}\', read_only=True).sql(\\"{EXAMPLE_QUERY}\\"))"',
    ]
    return "\n".join(lines)
