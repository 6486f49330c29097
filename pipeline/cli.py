"""``dxwh``: the command line of the CĐS staffing and DTI warehouse.

Every stage of the nightly pipeline can be run alone; ``dxwh run`` runs them all through
Airflow, exactly as ``make run`` does.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from core.secret_store import DEMO_SWITCH, demo_secrets_allowed
from core.settings import Settings, load_settings
from portal.cli import register as register_portal
from warehouse.report.whatif_cli import register as register_whatif

Handler = Callable[[argparse.Namespace, Settings], int]


def _batch_id(prefix: str) -> str:
    return f"{prefix}__{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%fZ')}"


def cmd_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.demo.generate import generate_demo, national_periods
    from ingest.dti.demo import write_dti_publications

    settings.ensure_dirs()
    manifest = settings.home / "demo" / "manifest.json"
    try:
        periods = national_periods(args.periods) if args.scale == "national" else None
        result = generate_demo(
            settings.inbox_submissions,
            manifest,
            seed=args.seed,
            periods=periods,
            mess_share=0.0 if args.clean else args.mess_share,
            scale=args.scale,
        )
    except ValueError as exc:
        print(f"demo-data: {exc}", file=sys.stderr)
        return 2
    print(
        f"{len(result.files)} demo submissions written to {settings.inbox_submissions} "
        f"in {result.seconds:.1f} s ({result.files_per_second:.0f} files/s, "
        f"{result.workers} processes)"
    )
    dti_files = write_dti_publications(settings.inbox_dti)
    print(f"{len(dti_files)} DTI publications (reference history) written to {settings.inbox_dti}")
    print(f"manifest: {manifest}")
    if args.scale != settings.registry_scope:
        print(
            f"note: the pipeline expects the {settings.registry_scope} registry; load these files "
            f"with DXWH_REGISTRY_SCOPE={args.scale}"
        )
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.registry import build_registry
    from ingest.submissions.checks import index_registry
    from ingest.submissions.feedback import format_report
    from ingest.submissions.parallel import check_files

    registry = index_registry(build_registry(settings.registry_scope))
    all_ok = True
    paths = [Path(name) for name in args.files]
    # read in contained workers, as ingest does: a hostile file cannot crash the command
    for path, checked in zip(
        paths, check_files(paths, registry, settings.max_file_bytes), strict=True
    ):
        all_ok &= checked.accepted_whole
        print(format_report(path.name, checked, lang=args.lang))
    return 0 if all_ok else 1


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", end=end,
          file=sys.stderr, flush=True)  # fmt: skip


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.submissions.template import EXAMPLE_STAFF, EXAMPLE_UNIT, write_template

    out = Path(args.out)
    if args.example:
        write_template(out, EXAMPLE_UNIT, EXAMPLE_STAFF)
    else:
        write_template(out)
    print(f"template v1 written to {out}" + (" (filled with an example)" if args.example else ""))
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.nightly import step_ingest, step_ingest_dti

    batch_id = _batch_id("cli")
    # a bar only on a terminal: logs (Airflow, CI, pipes) stay clean
    on_file = _progress_bar if sys.stderr.isatty() else None
    result = step_ingest(settings, batch_id=batch_id, on_file=on_file)
    print(
        f"{result['files_new']} new files: {result['files_accepted']} accepted, "
        f"{result['files_partial']} partly accepted, {result['files_rejected']} rejected, "
        f"{result['files_duplicate']} duplicate; {result['rows_loaded']} rows loaded, "
        f"{result['rows_quarantined']} quarantined"
    )
    seconds = max(result["seconds"], 1e-9)
    print(
        f"{result['files_new'] / seconds:.1f} files/s, {result['rows_read'] / seconds:.0f} rows/s "
        f"({seconds:.2f} s)"
    )
    if result["files_rejected"] or result["files_partial"]:
        print(f"feedback for the units: {result['feedback_dir']}/index.html")
    dti = step_ingest_dti(settings, batch_id=batch_id)
    print(
        f"DTI: {dti['files_new']} new files: {dti['files_accepted']} accepted, "
        f"{dti['files_partial']} partly accepted, {dti['files_rejected']} rejected, "
        f"{dti['files_duplicate']} duplicate; {dti['rows_loaded']} rows loaded, "
        f"{dti['rows_quarantined']} quarantined"
    )
    return 0


def cmd_rebuild_landing(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.recovery import rebuild_landing

    result = rebuild_landing(settings, _batch_id("rebuild"), fresh=args.fresh)
    if result["set_aside"]:
        print(f"the old build database was kept as {result['set_aside']}")
    print(
        f"from the archive: {result['submission_files']} submission files "
        f"({result['submission_rows']} rows), {result['dti_files']} DTI files "
        f"({result['dti_rows']} rows) landed again; run `dxwh build` (or `dxwh run`) next"
    )
    return 0


def cmd_check_dti(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.dti.checks import check_file
    from ingest.dti.feedback import format_dti_report

    all_ok = True
    for name in args.files:
        path = Path(name)
        checked = check_file(path)
        all_ok &= checked.file_ok and not checked.bad_rows
        print(format_dti_report(path.name, checked, lang=args.lang))
    return 0 if all_ok else 1


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.nightly import step_build

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    result = step_build(settings, as_of)
    print(f"dbt build: {result['models_ok']} models, {result['tests_passed']} tests passed")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from expectations.runner import run_validations

    report = run_validations(
        settings, run_id=_batch_id("cli"), accept_row_counts=args.accept_row_counts
    )
    print(
        f"{report.passed} of {len(report.outcomes)} expectations passed in "
        f"{len(report.suites)} suites; data docs: {report.docs_index}"
    )
    for outcome in report.warnings:
        print(f"  warning: {outcome.describe()}")
    for outcome in report.critical_failures:
        print(f"  CRITICAL: {outcome.describe()}")
    if args.accept_row_counts:
        print("tonight's row counts are the new baseline for the row-count checks")
    print("quality gate: " + ("open" if report.gate_open else "closed (publishing is blocked)"))
    return 0 if report.gate_open else 1


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    if args.rollback:
        from warehouse.publish import rollback

        try:
            back = rollback(settings)
        except RuntimeError as exc:
            print(f"rollback refused: {exc}", file=sys.stderr)
            return 1
        print(f"rolled back {back.path} from version {back.from_version} to {back.to_version}")
        print("readers see the restored version when they reconnect")
        # the scorecard names the version it was drawn from: draw it again from the restored one
        # (the published docs follow the version through the `current` link)
        from pipeline.nightly import step_scorecard

        card = step_scorecard(settings)
        print(f"scorecard redrawn from version {back.to_version}: {card['scorecard_path']}")
        return 0
    from pipeline.nightly import step_publish

    result = step_publish(settings)
    print(f"published {result['published_path']} (version {result['version']})")
    for table, rows in result["tables"].items():
        print(f"  {table}: {rows} rows")
    for view in result["views"]:
        print(f"  {view} (view)")
    print(f"Parquet exports: {result['parquet_dir']}")
    return 0


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.analyst_views import find_query
    from warehouse.sql import run_sql

    query = args.query
    if args.file:
        try:
            query = find_query(args.file).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 2
    database = Path(args.database) if args.database else settings.published_db
    refusal = _build_db_refusal(database, settings)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    return run_sql(database, query, as_csv=args.csv, history_file=settings.sql_history)


def _build_db_refusal(database: Path, settings: Settings) -> str | None:
    """Why ``dxwh sql`` must not open ``database`` now: the build database while a night holds
    it (a reader there would make the night's writes fail on DuckDB's lock)."""
    from core.locks import holder

    try:
        is_build = database.resolve() == settings.build_db.resolve()
    except OSError:
        return None
    night = holder(settings.night_lock) if is_build else None
    if night is None:
        return None
    return (
        f"Cơ sở dữ liệu dựng đang được lần chạy hằng đêm sử dụng ({night}): không mở được lúc "
        f"này. Đọc kho đã công bố ({settings.published_db}) hoặc chờ lần chạy xong. / The build "
        f"database is in use by the night ({night}); read the published warehouse or wait."
    )


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.nightly import step_scorecard

    result = step_scorecard(settings)
    print(f"scorecard for period {result['period_id']}: {result['scorecard_path']}")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from core.locks import Held, held_by_me

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    about = f"dxwh run, pid {os.getpid()}, started {started} UTC"
    try:
        with held_by_me(settings.night_lock, about):
            return _run_night(args, settings)
    except Held as held:
        print(
            f"Một lần chạy khác đang làm việc ({held.holder}): lần này không chạy. Chờ lần đó "
            f"xong rồi chạy lại. / Another night is running ({held.holder}): not starting; "
            "run again once it has finished.",
            file=sys.stderr,
        )
        return 75  # EX_TEMPFAIL: try again later


def _run_night(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.orchestrate import run_nightly_once

    if args.reprocess_period:
        from pipeline.reprocess import UnknownPeriod, check_reprocessable

        try:
            args.reprocess_period = check_reprocessable(settings, args.reprocess_period)
        except UnknownPeriod as exc:
            print(
                f"Không xử lý lại được kỳ {args.reprocess_period!r}: kiểm tra mã kỳ (năm '2023' "
                f"hoặc nửa năm '2024-H1') và các kỳ đã nạp. / Cannot reprocess: {exc}",
                file=sys.stderr,
            )
            return 2

    if args.demo_if_empty and not any(settings.inbox_submissions.glob("**/*.*")):
        print("inbox is empty: writing demo data first")
        cmd_demo_data(
            argparse.Namespace(
                seed=2023, clean=False, mess_share=0.1, scale="province", periods=None
            ),
            settings,
        )
    from pipeline.run_output import heartbeat, output_to, run_log_path

    log_path = run_log_path(settings.airflow_home)
    print(f"the night is running; its full log: {log_path}", flush=True)
    with output_to(log_path) as terminal, heartbeat(terminal):
        outcome = run_nightly_once(
            settings, reprocess_period=args.reprocess_period, force=args.force
        )
    from pipeline.nightly import format_summary
    from pipeline.orchestrate import write_task_logs

    # the Airflow UI shows each task's lines of this night (`make airflow` on the same home)
    with contextlib.suppress(Exception):  # a log the UI cannot show never fails the night
        write_task_logs(outcome.run_id, log_path)

    print()
    if outcome.summary:
        print(format_summary(outcome.summary))
    if demo_secrets_allowed(os.environ):
        print(f"  secrets: {DEMO_SWITCH}=1, placeholder secrets allowed: a demo, not for real data")
    if outcome.state != "success":
        from pipeline.nightly import record_failed_night

        # the night never reached its own record: keep it, so that dxwh status shows it
        record_failed_night(settings, outcome.run_id, outcome.state, outcome.failed_tasks)
        print(
            f"dx_nightly run {outcome.run_id} {outcome.state}; failed tasks: "
            f"{', '.join(outcome.failed_tasks) or '-'} (the log: {log_path})",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_dbt_parse(args: argparse.Namespace, settings: Settings) -> int:
    from core.settings import DBT_MANIFEST
    from pipeline.dbt_runner import parse_manifest

    ran = parse_manifest(force=args.force)
    if ran or not args.quiet:
        print(f"dbt manifest {'written' if ran else 'up to date'}: {DBT_MANIFEST}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.status import status_lines

    print("\n".join(status_lines(settings)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxwh",
        description="CĐS staffing and DTI warehouse. Data home: $DXWH_HOME (default ./var).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("demo-data", cmd_demo_data, "Write synthetic demo submissions into the inbox.")
    p.add_argument("--seed", type=int, default=2023, help="random seed (same seed, same files)")
    p.add_argument("--clean", action="store_true", help="canonical template files only, no mess")
    p.add_argument(
        "--mess-share",
        type=float,
        default=0.1,
        help="share of files that depart from the template as real files do (default 0.1)",
    )
    p.add_argument(
        "--scale",
        choices=("province", "national"),
        default="province",
        help="province: Quảng Nam then the new Đà Nẵng; national: every pre-2025 province",
    )
    p.add_argument(
        "--periods",
        type=int,
        default=1,
        help="national scale: how many of the pre-2025 periods, latest last (default 1)",
    )

    p = add(
        "check", cmd_check, "Check submission files without loading them (exit 1 on any error)."
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="submission files to check")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language")

    p = add(
        "check-dti",
        cmd_check_dti,
        "Check DTI publication files (HTML, XLSX, CSV) without loading them (exit 1 on any error).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="DTI publication files to check")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language")

    p = add("template", cmd_template, "Write the blank submission template v1 (.xlsx).")
    p.add_argument("out", metavar="OUT.xlsx", help="where to write the workbook")
    p.add_argument(
        "--example", action="store_true", help="fill it with an example unit and two people"
    )

    add(
        "ingest",
        cmd_ingest,
        "Load new files of both inboxes (submissions, DTI) into raw/quarantine (no dbt).",
    )
    p = add(
        "rebuild-landing",
        cmd_rebuild_landing,
        "Rebuild raw, quarantine and audit from the archive alone (after losing the build DB).",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="set the current build database aside (renamed, kept) and start from nothing",
    )
    p = add("build", cmd_build, "Run dbt build (models, tests, contracts) on the build database.")
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="build the warehouse as of this day: which periods have begun and which are still "
        "in progress (default: today in Vietnam)",
    )
    p = add(
        "validate",
        cmd_validate,
        "Run the Great Expectations suites (exit 1 on a critical failure).",
    )
    p.add_argument(
        "--accept-row-counts",
        action="store_true",
        help="after a deliberate removal of data: make tonight's row counts the new baseline",
    )
    p = add("publish", cmd_publish, "Publish the marts as the read-only warehouse file.")
    p.add_argument(
        "--rollback",
        action="store_true",
        help="make the previously published version current again instead of publishing",
    )

    p = add(
        "sql",
        cmd_sql,
        "Query the published warehouse read-only (interactive when no QUERY is given).",
    )
    p.add_argument("query", nargs="?", metavar="QUERY", help="one SQL statement to run")
    p.add_argument(
        "-f",
        "--file",
        metavar="FILE",
        help="run a SQL file, or a query of warehouse/queries/ by name (e.g. target_progress)",
    )
    p.add_argument("--csv", action="store_true", help="write results as CSV")
    p.add_argument(
        "--database", metavar="PATH", help="the DuckDB file to open (default: the published one)"
    )

    add(
        "report",
        cmd_report,
        "Write the scorecard (static HTML and charts) from the published warehouse.",
    )

    p = add("run", cmd_run, "Run the nightly DAG once through Airflow, then print a summary.")
    p.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="write demo data first when the submissions inbox is empty",
    )
    p.add_argument(
        "--reprocess-period",
        metavar="PERIOD",
        help="re-read one period's files (2023, 2024-H1, ...) and rebuild: a backfill",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="build, validate and publish even on a quiet night (nothing new since the last build)",
    )
    p = add(
        "dbt-parse",
        cmd_dbt_parse,
        "Write the dbt manifest the DAG's dbt tasks are drawn from (make setup runs it).",
    )
    p.add_argument("--force", action="store_true", help="parse even if the manifest is fresh")
    p.add_argument("--quiet", action="store_true", help="print only when it was written")
    add("status", cmd_status, "Show the data home, the last runs and the published warehouse.")
    register_portal(sub)
    register_whatif(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    handler: Handler = args.handler
    return handler(args, settings)


def command() -> NoReturn:
    """The ``dxwh`` command: :func:`main`, then exit without tearing the interpreter down.

    A night imports Airflow, dbt, GX and pandas; finalising their millions of objects after the
    last exit handler took 1.6 s of every ``dxwh run`` (a sixth of a quiet night). The exit
    handlers still run (logging, temporary folders, Airflow's), the output is flushed, and the
    process ends with ``main``'s code. An error still exits the ordinary way.
    """
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    command()
