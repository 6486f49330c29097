"""Run the nightly DAG once through Airflow (``dag.test()``) on the embedded defaults.

Airflow reads its configuration when it is first imported, so :func:`airflow_env` must be
applied to ``os.environ`` before anything imports ``airflow``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.db import session
from core.private_files import write_private
from core.settings import DAGS_DIR, Settings

DAG_ID = "dx_nightly"


def airflow_env(settings: Settings) -> dict[str, str]:
    """Airflow settings for a local run: SQLite metadata DB and logs under the data home."""
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "DXWH_HOME": str(settings.home),
    }


def apply_airflow_env(settings: Settings) -> None:
    """Set the Airflow environment unless the operator already configured Airflow."""
    for key, value in airflow_env(settings).items():
        if key == "DXWH_HOME" or key not in os.environ:
            os.environ[key] = value


MIGRATED_MARKER = ".dxwh-migrated"


def _sqlite_db_identity() -> str | None:
    """The Airflow version and the SQLite metadata database file (device and inode): what a
    completed migration is remembered by. ``None`` for another database (PostgreSQL)."""
    url = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    try:
        info = path.stat()
    except OSError:
        return None
    from importlib.metadata import version

    return f"apache-airflow {version('apache-airflow')}; {path}; {info.st_dev}:{info.st_ino}"


def _remember_migrated(settings: Settings) -> None:
    identity = _sqlite_db_identity()
    if identity is not None:
        (settings.airflow_home / MIGRATED_MARKER).write_text(identity, encoding="utf-8")


def metadata_db_is_current(settings: Settings | None = None) -> bool:
    """Whether Airflow's metadata database exists and has every migration applied.

    Checked in this process (Airflow is imported here anyway), so that a night whose database
    is already migrated does not pay a child ``airflow db migrate`` (a full Airflow start-up).
    A local SQLite database found current once is remembered (``<airflow home>/.dxwh-migrated``:
    the Airflow version and the database file), so later nights skip Airflow's check (a second
    of every night); another Airflow version or another database file is checked again.
    Reads the configuration from ``os.environ``: call it after :func:`apply_airflow_env`.
    """
    import logging

    if settings is not None:
        identity = _sqlite_db_identity()
        marker = settings.airflow_home / MIGRATED_MARKER
        with contextlib.suppress(OSError):
            if identity is not None and marker.read_text(encoding="utf-8") == identity:
                return True
    try:
        from airflow.utils.db import check_migrations

        # it logs and sleeps a second before answering "no": silence the log, accept the second
        logging.getLogger("airflow.utils.db").setLevel(logging.ERROR)
        check_migrations(timeout=1)  # type: ignore[no-untyped-call]
    except Exception:  # no database, no tables, or migrations pending: migrate
        return False
    if settings is not None:
        _remember_migrated(settings)
    return True


def migrate_metadata_db(settings: Settings) -> None:
    """``airflow db migrate`` (idempotent) in a child process with the same environment,
    unless the metadata database is already current."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    if metadata_db_is_current(settings):
        return
    airflow = Path(sys.executable).with_name("airflow")
    proc = subprocess.run(
        [str(airflow) if airflow.exists() else "airflow", "db", "migrate"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"airflow db migrate failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    _remember_migrated(settings)


@dataclass(frozen=True)
class DagRunOutcome:
    run_id: str
    state: str
    failed_tasks: list[str]
    summary: dict[str, Any] | None


def ensure_build_db_pool() -> None:
    """Create the one-slot pool that serialises writers of the build database (idempotent)."""
    from airflow.models.pool import Pool

    from pipeline.assets import BUILD_DB_POOL, BUILD_DB_POOL_DESCRIPTION, BUILD_DB_POOL_SLOTS

    Pool.create_or_update_pool(
        name=BUILD_DB_POOL,
        slots=BUILD_DB_POOL_SLOTS,
        description=BUILD_DB_POOL_DESCRIPTION,
        include_deferred=False,
    )


def run_nightly_once(
    settings: Settings, reprocess_period: str | None = None, *, force: bool = False
) -> DagRunOutcome:
    """Run ``dx_nightly`` once in this process and return its state and summary.

    ``reprocess_period`` (``2024-H1``) re-reads that period's files before the build, as the
    ``reprocess_period`` parameter does when an operator triggers the DAG from the UI.
    ``force`` builds even when the night is quiet (nothing new since the last build).
    """
    from pipeline.dbt_runner import parse_manifest

    apply_airflow_env(settings)
    settings.ensure_dirs()
    # a no-op unless the dbt project changed since `make setup`: the DAG is drawn from it
    parse_manifest()
    migrate_metadata_db(settings)
    ensure_build_db_pool()

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR / f"{DAG_ID}.py"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.dags[DAG_ID]
    conf: dict[str, Any] = {}
    if reprocess_period:
        conf["reprocess_period"] = reprocess_period
    if force:
        conf["force"] = True
    dag_run = dag.test(run_conf=conf or None)
    failed = sorted(
        ti.task_id
        for ti in dag_run.get_task_instances()
        if str(ti.state) in {"failed", "upstream_failed"}
    )
    return DagRunOutcome(
        run_id=dag_run.run_id,
        state=str(dag_run.state),
        failed_tasks=failed,
        summary=read_run_summary(settings, dag_run.run_id),
    )


def read_run_summary(settings: Settings, run_id: str) -> dict[str, Any] | None:
    if not settings.build_db.exists():
        return None
    with session(settings.build_db, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'pipeline_runs'"
        ).fetchone()
        if not exists or not exists[0]:
            return None
        row = con.execute(
            "select summary from audit.pipeline_runs where run_id = ? "
            "order by finished_at desc limit 1",
            [run_id],
        ).fetchone()
    return json.loads(row[0]) if row else None


_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z ")


def lines_between(run_log: str, start: dt.datetime, end: dt.datetime) -> list[str]:
    """The lines of the night's log stamped from ``start`` to ``end`` (UTC), with the lines
    that follow them unstamped (a traceback, dbt's output). ``dag.test()`` runs one task at a
    time, so a task's window holds its lines only."""
    taken: list[str] = []
    inside = False
    for line in run_log.splitlines(keepends=True):
        stamp = _STAMP.match(line)
        if stamp:
            when = dt.datetime.fromisoformat(stamp[1]).replace(tzinfo=dt.UTC)
            inside = start <= when <= end
        if inside:
            taken.append(line)
    return taken


def write_task_logs(run_id: str, run_log: Path) -> list[Path]:
    """Give each task of a ``dxwh run`` night the log file the Airflow UI reads.

    ``dag.test()`` runs every task in this process (``InProcessTestSupervisor``) without a log
    file of its own: the lines go to this process's output (the night's log, ``run_log``),
    and the UI found no file under the base log folder ("Log file not found on worker"). Each
    task's lines are written where Airflow's file task handler looks for its attempt (0600,
    like the rest of the Airflow home). Call it after :func:`apply_airflow_env`.
    """
    from airflow.configuration import conf
    from airflow.models.dagrun import DagRun
    from airflow.utils.log.file_task_handler import FileTaskHandler
    from airflow.utils.session import create_session

    base = Path(conf.get("logging", "base_log_folder"))
    handler = FileTaskHandler(base_log_folder=str(base))
    text = run_log.read_text(encoding="utf-8", errors="replace")
    written: list[Path] = []
    with create_session() as session:
        for dag_run in DagRun.find(dag_id=DAG_ID, run_id=run_id, session=session):
            for ti in dag_run.get_task_instances(session=session):
                if not (ti.start_date and ti.end_date and ti.try_number):
                    continue  # never ran (skipped, upstream failed)
                lines = lines_between(text, ti.start_date, ti.end_date)
                if not lines:
                    continue
                target = base / handler._render_filename(ti, ti.try_number, session=session)
                written.append(write_private(target, "".join(lines), durable=False))
    return written
