"""``make airflow``: the configuration it builds, and the UI it starts (natively, bounded)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from core.settings import DAGS_DIR, Settings
from pipeline.local_airflow import admin_password, local_airflow_env, machine_cores

# generous: on a loaded 2-core machine the four Airflow components take minutes to come up
READY_CEILING_S = 600


def test_configuration_uses_the_projects_dags_the_data_home_and_the_cores(
    data_home: Settings,
) -> None:
    env = local_airflow_env(data_home, port=8793, cores=3)

    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(DAGS_DIR)
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW_HOME"] == str(data_home.airflow_home)
    assert env["DXWH_HOME"] == str(data_home.home)
    assert env["AIRFLOW__CORE__PARALLELISM"] == "3"
    assert env["AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG"] == "3"
    assert env["AIRFLOW__API__PORT"] == "8793"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://localhost:8793/execution/"
    assert Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).is_relative_to(
        data_home.home
    )
    assert local_airflow_env(data_home)["AIRFLOW__CORE__PARALLELISM"] == str(machine_cores())
    # the components `airflow standalone` starts are found without an activated environment
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


def test_the_admin_password_is_generated_once_and_kept(data_home: Settings) -> None:
    first = admin_password(data_home)

    assert len(first) >= 12
    assert admin_password(data_home) == first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return 0, None


def _token(base: str, password: str) -> str | None:
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["access_token"])
    except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
        return None


@pytest.mark.slow
def test_make_airflow_serves_the_project_dags_and_stops(data_home: Settings) -> None:
    port = _free_port()
    base = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["DXWH_HOME"] = str(data_home.home)
    # started as from an environment nobody activated: its bin is not on PATH
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    # its scheduler's and triggerer's log servers on free ports, not 8793 and 8794: another
    # Airflow may be running on this machine (a parallel test worker)
    env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(_free_port())
    env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(_free_port())
    log = (data_home.home / "airflow-standalone.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.local_airflow", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
    )
    try:
        deadline = time.monotonic() + READY_CEILING_S
        dags: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            status, _ = _get(f"{base}/api/v2/monitor/health")
            token = _token(base, admin_password(data_home)) if status == 200 else None
            if token:
                status, body = _get(f"{base}/api/v2/dags?limit=100", token)
                dags = [d["dag_id"] for d in (body or {}).get("dags", [])]
                if "dx_nightly" in dags:
                    break
            time.sleep(2)  # polling interval between checks of a condition, not a wait for time
        output = (data_home.home / "airflow-standalone.log").read_text(errors="replace")
        assert proc.poll() is None, f"make airflow exited early:\n{output[-3000:]}"
        assert "dx_nightly" in dags, f"dx_nightly not served within the ceiling:\n{output[-3000:]}"
        assert not [d for d in dags if d.startswith("example_")]
        assert f"http://localhost:{port}" in output and "login: admin / " in output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def test_the_ui_listens_on_this_machine_only_and_the_pause_state_is_said(
    data_home: Settings,
) -> None:
    from pipeline.local_airflow import pause_note

    assert local_airflow_env(data_home)["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert local_airflow_env(data_home, host="0.0.0.0")["AIRFLOW__API__HOST"] == "0.0.0.0"
    note = pause_note(data_home)
    assert "tạm dừng" in note and "airflow dags unpause dx_nightly" in note
