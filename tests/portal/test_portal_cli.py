"""``dxwh portal token|tokens|revoke`` on a temporary data home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from pipeline.cli import main as dxwh
from portal.cli import DEMO_UNIT
from portal.config import load_portal_config
from portal.store import PortalStore


def test_issue_list_and_revoke(data_home: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert dxwh(["portal", "token", "48-SKHCN", "--label", "văn thư"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    store = PortalStore(load_portal_config(data_home).state_db)
    record = store.verify_token(token)
    assert record is not None and record.unit_id == "48-SKHCN" and record.label == "văn thư"

    assert dxwh(["portal", "token", "--office"]) == 0
    capsys.readouterr()
    assert dxwh(["portal", "tokens"]) == 0
    listed = capsys.readouterr().out
    assert record.token_id in listed and "office" in listed

    assert dxwh(["portal", "revoke", record.token_id]) == 0
    assert store.verify_token(token) is None
    assert dxwh(["portal", "revoke", record.token_id]) == 1
    capsys.readouterr()
    assert dxwh(["portal", "tokens"]) == 0
    assert record.token_id not in capsys.readouterr().out
    assert dxwh(["portal", "tokens", "--all"]) == 0
    assert "revoked" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["portal", "token", "99-NOPE"], ["portal", "token"]])
def test_a_token_needs_a_known_unit(
    data_home: Settings, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert dxwh(argv) == 2
    assert "portal token" in capsys.readouterr().err
    assert PortalStore(load_portal_config(data_home).state_db).list_tokens() == []


def test_serve_prints_the_url_and_demo_tokens_that_work(data_home: Settings) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dxwh")), "portal", "serve", "--demo",
         "--port", str(port)],
        env={**os.environ, "DXWH_HOME": str(data_home.home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]  # printed before serving
        assert lines[0].startswith(f"portal: http://127.0.0.1:{port}/"), lines
        unit_token = lines[1].split()[-1]
        office_token = lines[2].split()[-1]
        store = PortalStore(load_portal_config(data_home).state_db)
        unit, office = store.verify_token(unit_token), store.verify_token(office_token)
        assert unit is not None and unit.unit_id == DEMO_UNIT
        assert office is not None and office.role == "office"
    finally:
        process.terminate()
        process.communicate(timeout=60)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 2), (4, 4), (64, 4)])
def test_the_default_is_one_worker_per_core_up_to_four(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    from portal.cli import default_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert default_workers() == workers
