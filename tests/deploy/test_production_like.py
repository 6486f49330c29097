"""The docker-compose deployment, run natively: PostgreSQL, the init service, api-server,
scheduler, dag-processor and triggerer as processes, configured from docker-compose.yml.

dx_nightly is triggered through the REST API (JWT from /auth/token) and must succeed; the
published warehouse must hold the demo's figures, and the asset it updates must start the
export DAG. Everything started here is stopped at the end.

Needs PostgreSQL's server binaries (Debian: ``apt-get install postgresql``; ``.ci/run`` installs
them). Without them the test is skipped on a developer machine and fails under ``CI=true``.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from deploy.compose import env_example, load_compose, service_command, service_environment
from pipeline.assets import BUILD_DB_POOL

pytestmark = [pytest.mark.slow, pytest.mark.deploy]

BIN = Path(sys.executable).parent
SECRETS_MOUNT = "/run/dxwh-secrets"
# one task process per dbt node, one at a time through the pool, on a 2-core machine
# Ceilings, not expectations: on a quiet 2-core machine the API answers in ~20 s and the run takes
# ~3 min; under a load of 10 both take several times longer. A wait ends as soon as its condition
# holds, so a generous ceiling only costs time when something is really wrong.
STARTUP_CEILING = 900
REQUEST_CEILING = 180
RUN_TIMEOUT = 2400
PERIOD = "2023"
SCHEDULER_IDLE_SLEEP = 0.2
POLL_SECONDS = 1


def _pg_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on 127.0.0.1; yields the SQLAlchemy URL."""
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries not found; .ci/run should install them")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed; CI installs them")
    root = Path(tempfile.mkdtemp(prefix="dxwh-pg-"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "airflow",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    pg_ctl = _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data)])
    # a throw-away cluster: no commit waits for the disk (the scheduler, the API server and
    # every task commit to it all night; PostgreSQL's documentation suggests these settings
    # for a database whose loss after a crash costs nothing)
    durability = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 {durability}"
    subprocess.run(
        [*pg_ctl, "-o", options, "-l", str(data / "server.log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "airflow",
                "airflow",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg2://airflow@127.0.0.1:{port}/airflow"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


class Deployment:
    """The compose services as local processes, with the compose environment."""

    def __init__(self, root: Path, db_url: str) -> None:
        self.compose = load_compose()
        self.root = root
        self.api_port = _free_port()
        self.base = f"http://localhost:{self.api_port}"
        self.password = base64.b32encode(os.urandom(10)).decode()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        values = env_example()
        values.update(
            AIRFLOW_ADMIN_PASSWORD=self.password,
            AIRFLOW_FERNET_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            AIRFLOW_API_SECRET_KEY=base64.b32encode(os.urandom(20)).decode(),
            AIRFLOW_JWT_SECRET=base64.b32encode(os.urandom(20)).decode(),
            # every secret set as an operator must: the init service refuses .env.example's
            # placeholders (the local PostgreSQL here trusts its socket user either way)
            POSTGRES_PASSWORD=base64.b32encode(os.urandom(20)).decode(),
            DXWH_PORTAL_SECRET=base64.b32encode(os.urandom(20)).decode(),
            DXWH_PSEUDONYM_KEY="production-like-test-key",
            DXWH_TASK_RETRIES="0",
        )
        env = service_environment(self.compose["services"]["airflow-scheduler"], values)
        # what differs from the containers: host names, ports and the data home's path
        home = root / "data"
        self.secrets = root / "secrets"  # the dxwh-secrets volume
        env = {
            k: v.replace("/data", str(home)).replace(SECRETS_MOUNT, str(self.secrets))
            if k != "DXWH_HOME"
            else str(home)
            for k, v in env.items()
        }
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = db_url
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"{self.base}/execution/"
        env["AIRFLOW_HOME"] = str(home / "airflow")
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[2] / "dags")
        env["AIRFLOW__COSMOS__CACHE_DIR"] = str(root / "cosmos")
        # the scheduler's and triggerer's log servers (8793, 8794 in the containers), free
        # ones here: another Airflow may be running on this machine (a parallel test worker)
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(_free_port())
        env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(_free_port())
        # the scheduler sleeps this long after a loop with nothing to do (Airflow's default: 1 s,
        # kept in the containers). The night's tasks run one at a time through the one-slot
        # pool, so each waited half a second on average for the next loop: a minute of a run of
        # 114 tasks spent waiting, never checking anything
        env["AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"] = str(SCHEDULER_IDLE_SLEEP)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DXWH"))},
            **env,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.home = home

    def command(self, service: str) -> list[str]:
        command = [
            str(self.secrets) if part == SECRETS_MOUNT else part
            for part in service_command(self.compose["services"][service])
        ]
        if service == "airflow-apiserver":
            command[command.index("--port") + 1] = str(self.api_port)
        return command

    def init(self) -> None:
        # secrets-init first, as compose orders it: Airflow reads its keys from its files
        secrets = subprocess.run(
            self.command("secrets-init"), env=self.env, capture_output=True, text=True, check=False
        )
        assert secrets.returncode == 0, f"secrets-init failed:\n{secrets.stderr[-3000:]}"
        proc = subprocess.run(
            self.command("airflow-init"), env=self.env, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, f"airflow-init failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"

    def start(self, service: str) -> None:
        log = open(self.root / f"{service}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[service] = subprocess.Popen(
            self.command(service),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} (tail)\n{p.read_text(errors='replace')[-2500:]}"
            for p in sorted(self.root.glob("*.log"))
        )

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(req, timeout=REQUEST_CEILING) as response:
            return json.loads(response.read() or b"null")

    def wait_for(self, what: str, check: Any, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                assert proc.poll() is None, f"{name} exited ({proc.returncode})\n{self.logs()}"
            try:
                result = check()
                if result:
                    return result
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(POLL_SECONDS)
        pytest.fail(f"timed out waiting for {what}\n{self.logs()}")


def _trim_demo_inbox(home: Path) -> None:
    """One period's province and district files (the plan's figures) keep the run short; the
    other files are the same work again."""
    for period_dir in (home / "inbox" / "submissions").iterdir():
        if period_dir.name != PERIOD:
            shutil.rmtree(period_dir)
    manifest = json.loads((home / "demo" / "manifest.json").read_text("utf-8"))
    communes = {
        f["file"] for f in manifest["files"] if len(f["unit_id"]) == 5 and f["unit_id"].isdigit()
    }
    for name in communes:
        (home / "inbox" / "submissions" / name).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def deployment(postgres: str) -> Iterator[Deployment]:
    root = Path(tempfile.mkdtemp(prefix="dxwh-deploy-"))
    deployment = Deployment(root, postgres)
    # the demo inbox is written while the init services run (neither reads what the other
    # writes); the services start once it is trimmed, before any DAG run can read it
    demo = subprocess.Popen(
        [str(BIN / "dxwh"), "demo-data"],
        env=deployment.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deployment.init()
        _, demo_errors = demo.communicate(timeout=STARTUP_CEILING)
        assert demo.returncode == 0, f"dxwh demo-data failed:\n{demo_errors.decode()[-3000:]}"
        _trim_demo_inbox(deployment.home)
        for service in (
            "airflow-apiserver",
            "airflow-scheduler",
            "airflow-dag-processor",
            "airflow-triggerer",
        ):
            deployment.start(service)
        yield deployment
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        deployment.stop()
        shutil.rmtree(root, ignore_errors=True)


def _plan_figures(home: Path) -> dict[str, Any]:
    """The plan's published figures the demo reproduces (province + district, 2023)."""
    manifest = json.loads((home / "demo" / "manifest.json").read_text(encoding="utf-8"))
    plan = manifest["plan"]["published_2023"]
    assert plan["period_id"] == PERIOD
    return dict(plan)


def test_nightly_run_triggered_through_the_rest_api(deployment: Deployment) -> None:
    d = deployment
    d.wait_for("the API server", lambda: d.request("GET", "/api/v2/version"), STARTUP_CEILING)
    token = d.request(
        "POST", "/auth/token", {"username": d.env["AIRFLOW_ADMIN_USER"], "password": d.password}
    )["access_token"]

    pools = d.request("GET", f"/api/v2/pools/{BUILD_DB_POOL}", token=token)
    assert pools["slots"] == 1

    def parsed() -> bool:
        dags = d.request("GET", "/api/v2/dags?dag_id_pattern=dx_", token=token)["dags"]
        return {"dx_nightly", "dx_export_on_publish"} <= {x["dag_id"] for x in dags}

    d.wait_for("the DAGs to be parsed", parsed, STARTUP_CEILING)
    for dag_id in ("dx_nightly", "dx_export_on_publish"):
        d.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False}, token=token)
    run = d.request(
        "POST", "/api/v2/dags/dx_nightly/dagRuns", {"logical_date": None, "conf": {}}, token=token
    )
    run_path = f"/api/v2/dags/dx_nightly/dagRuns/{run['dag_run_id']}"

    def finished() -> str | None:
        state = d.request("GET", run_path, token=token)["state"]
        return state if state in {"success", "failed"} else None

    state = d.wait_for("dx_nightly to finish", finished, RUN_TIMEOUT)
    # one task per dbt node: more than one page (the API gives at most 100 a page), read them all
    tasks: list[dict[str, Any]] = []
    while True:
        page = d.request(
            "GET", f"{run_path}/taskInstances?limit=100&offset={len(tasks)}", token=token
        )
        tasks += page["task_instances"]
        if not page["task_instances"] or len(tasks) >= page["total_entries"]:
            break
    states = {t["task_id"]: t["state"] for t in tasks}
    assert len(states) == len(tasks) == page["total_entries"]
    assert state == "success", f"{states}\n{d.logs()}"
    assert states["report.run_summary"] == "success"

    plan = _plan_figures(d.home)
    with duckdb.connect(str(d.home / "published" / "dx.duckdb"), read_only=True) as con:
        row = con.execute(
            "select sum(n_staff), sum(n_dedicated), sum(n_concurrent) from marts.fct_staffing "
            "where period_id = ? and unit_level in ('province', 'district') "
            # the plan's figures are Quảng Nam's; the demo also holds legacy Đà Nẵng's units
            "and province_id = '49'",
            [PERIOD],
        ).fetchone()
    assert row is not None
    assert (int(row[0]), int(row[1]), int(row[2])) == (
        plan["n_staff"],
        plan["n_dedicated"],
        plan["n_concurrent"],
    )

    # the published-warehouse asset starts the export DAG
    def exported() -> bool:
        runs = d.request("GET", "/api/v2/dags/dx_export_on_publish/dagRuns", token=token)
        return any(r["state"] == "success" for r in runs["dag_runs"])

    d.wait_for("dx_export_on_publish to run on the asset", exported, STARTUP_CEILING)
    assert (d.home / "exports" / "csv" / "fct_staffing.csv").is_file()
