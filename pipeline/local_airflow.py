"""``make airflow``: Airflow's UI on this checkout's DAGs and data home, sized to the machine.

``airflow standalone`` started bare from the virtual environment lists Airflow's example DAGs,
looks for DAGs under ``AIRFLOW_HOME`` instead of ``dags/``, and starts 32 task workers whatever
the machine has. This sets what a laptop needs — the project's DAG folder, the data home, no
examples, parallelism equal to the cores, an admin login kept in the data home — prepares the
metadata database, the build-database pool and the dbt manifest, prints the URL and login, and
then runs ``airflow standalone`` (API server and UI, scheduler, DAG processor, triggerer) in
the foreground until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from core.private_files import write_private
from core.settings import Settings, load_settings
from pipeline.orchestrate import airflow_env

ADMIN_USER = "admin"
DEFAULT_PORT = 8080
DEFAULT_HOST = "127.0.0.1"


def machine_cores() -> int:
    """Cores this process may use (the CPU affinity, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def pause_note(settings: Settings) -> str:
    """What the operator must know about the DAGs' pause state (they start paused here)."""
    return (
        "  Các DAG bắt đầu ở trạng thái tạm dừng (paused): dx_nightly không chạy lúc 01:00 cho "
        "đến khi bật. / The DAGs start paused: no 01:00 night until dx_nightly is unpaused\n"
        "  (the toggle beside it in the UI, or: "
        f"AIRFLOW_HOME={settings.airflow_home} airflow dags unpause dx_nightly). "
        "Triggering with 'unpause on trigger' also starts the scheduled nights."
    )


def passwords_file(settings: Settings) -> Path:
    return settings.airflow_home / "simple_auth_manager_passwords.json"


def local_airflow_env(
    settings: Settings,
    *,
    port: int = DEFAULT_PORT,
    cores: int | None = None,
    host: str = DEFAULT_HOST,
) -> dict[str, str]:
    """The environment ``airflow standalone`` runs with (on top of the caller's)."""
    cores = cores or machine_cores()
    # `airflow standalone` starts its components as `airflow <command>` from PATH: the
    # environment's own bin comes first, or a bare `.venv/bin/python -m pipeline.local_airflow`
    # (no activated environment) gets components that fail to start while the UI never answers
    bin_dir = str(Path(sys.executable).parent)
    return {
        **airflow_env(settings),
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]).rstrip(os.pathsep),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # task processes at once: one per core (the default 32 thrashes a laptop)
        "AIRFLOW__CORE__PARALLELISM": str(cores),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(cores),
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": str(max(1, cores // 2)),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__PORT": str(port),
        # this machine only, as the printed URL says; --host 0.0.0.0 opens it to the network
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
        # task processes report to the API server; its default URL assumes port 8080
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(settings)),
        "SCARF_NO_ANALYTICS": "true",
    }


def admin_password(settings: Settings) -> str:
    """The admin password kept in the data home; generated (and kept) on first use."""
    path = passwords_file(settings)
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8")).get(ADMIN_USER)
        if stored:
            return str(stored)
    password = secrets.token_urlsafe(12)
    write_private(path, json.dumps({ADMIN_USER: password}))
    return password


def prepare(settings: Settings, env: dict[str, str]) -> str:
    """Everything before the first start: folders, manifest, metadata DB, pool, login.

    Applies ``env`` to this process first: Airflow reads its configuration when imported.
    """
    from pipeline.dbt_runner import parse_manifest
    from pipeline.orchestrate import ensure_build_db_pool, migrate_metadata_db

    os.environ.update(env)
    settings.ensure_dirs()
    parse_manifest()
    migrate_metadata_db(settings)
    ensure_build_db_pool()
    return admin_password(settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="UI and API port")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address the UI listens on (default {DEFAULT_HOST})"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    env = local_airflow_env(settings, port=args.port, host=args.host)
    password = prepare(settings, env)
    shown = "localhost" if args.host == DEFAULT_HOST else args.host
    print(
        f"Airflow UI: http://{shown}:{args.port} (listening on {args.host} only)  "
        f"login: {ADMIN_USER} / {password}\n"
        f"  DAGs from {env['AIRFLOW__CORE__DAGS_FOLDER']}, data home {settings.home}, "
        f"{env['AIRFLOW__CORE__PARALLELISM']} tasks at once; Ctrl-C stops it\n"
        f"{pause_note(settings)}",
        flush=True,
    )
    airflow = Path(sys.executable).with_name("airflow")
    command = str(airflow) if airflow.exists() else "airflow"
    os.execve(command, [command, "standalone"], {**os.environ, **env})


if __name__ == "__main__":
    sys.exit(main())
