"""``dxwh portal serve --workers N``: worker processes share one data home, and an upload the
portal answered outlives the portal killed at once (``kill -9``)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from core.settings import Settings
from portal.config import load_portal_config
from portal.store import PortalStore
from tests.portal.portal_helpers import UNIT, Portal, csrf_of, write_good

READY_CEILING_S = 180.0  # a loaded machine starts two workers slowly; never a fixed sleep


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn started for the server ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _serve(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dxwh")), "portal", "serve",
         "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "DXWH_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: killed whole below
    )  # fmt: skip


def _wait_for(url: str, server: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + READY_CEILING_S
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the portal ended with {server.returncode}"
        try:
            answered = httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            answered = False
        if answered and len(_workers_of(server.pid)) == workers:
            return
        time.sleep(0.2)  # polling a condition, with a generous ceiling
    raise AssertionError(f"the portal's {workers} workers did not answer in time")


def test_workers_share_the_home_and_answered_uploads_survive_kill_9(
    data_home: Settings, tmp_path: Path
) -> None:
    store = PortalStore(load_portal_config(data_home).state_db)
    _, token = store.issue_token("unit", UNIT, "văn thư", "test")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve(data_home.home, port, workers=2)
    try:
        _wait_for(url, server, workers=2)
        data = write_good(tmp_path / "g.xlsx").read_bytes()
        answers = []
        with httpx.Client(base_url=url, timeout=120) as client:
            for i in range(6):
                answer = client.post(
                    "/api/submissions",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": (f"bao_cao_{i}.xlsx", data)},
                )
                assert answer.status_code == 200, answer.text
                answers.append(answer.json())
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # no shutdown, no flush: killed at once
        server.wait(timeout=60)

    after = PortalStore(load_portal_config(data_home).state_db)
    queued = data_home.inbox_submissions / "portal"
    for answer in answers:
        assert answer["queued"] and answer["sha256"] == hashlib.sha256(data).hexdigest()
        upload = after.get_upload(answer["upload_id"])
        assert upload is not None and upload.is_queued
        stored = data_home.home / upload.stored_path
        assert stored.parent == queued and hashlib.sha256(stored.read_bytes()).digest() == (
            hashlib.sha256(data).digest()
        )
    logged = [e.detail for e in after.audit() if e.action == "upload_queued"]
    assert sorted(d.split(" → ")[0] for d in logged) == [f"bao_cao_{i}.xlsx" for i in range(6)]


def test_failed_sign_ins_are_counted_across_worker_processes(
    make_portal: Callable[..., Portal],
) -> None:
    # two apps on one data home, as two worker processes are
    first, second = make_portal(), make_portal()
    codes = []
    for i in range(11):
        client = (first if i % 2 else second).client()
        csrf = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"token": f"dxp_guess{i}", "csrf_token": csrf})
        codes.append(answer.status_code)
    assert codes == [401] * 10 + [429]
