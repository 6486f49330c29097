"""Failure alerts: a real failed dx_nightly run posts to a real local webhook."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from core.settings import AlertSettings, alert_settings
from pipeline.alerts import send_alert


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(
            {"content_type": self.headers["Content-Type"], "body": json.loads(body)}
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts", _Hook.received
    finally:
        server.shutdown()
        server.server_close()


def test_no_channel_configured_logs_a_clear_line(caplog: pytest.LogCaptureFixture) -> None:
    payload = {"dag_id": "dx_nightly", "task_id": "ingest.submissions", "error": "boom"}
    with caplog.at_level(logging.WARNING, logger="dxwh.alerts"):
        result = send_alert(payload, AlertSettings())
    assert not result.configured
    assert "no alert sent: set DXWH_ALERT_WEBHOOK_URL or DXWH_ALERT_EMAIL" in caplog.text
    assert "dx_nightly.ingest.submissions failed" in caplog.text


def test_unreachable_webhook_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    # port 9 on 127.0.0.1: nothing listens there on a test machine
    channels = alert_settings({"DXWH_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/x"})
    result = send_alert({"dag_id": "d"}, channels)
    assert result.sent == []
    assert "webhook" in result.failed


@pytest.mark.slow
def test_failed_task_posts_to_the_webhook(
    airflow_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    url, received = webhook
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("the data home cannot be created below a file")
    monkeypatch.setenv("DXWH_HOME", str(blocker / "home"))
    monkeypatch.setenv("DXWH_ALERT_WEBHOOK_URL", url)

    dag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).dags["dx_nightly"]
    dag_run = dag.test()

    assert str(dag_run.state) == "failed"
    # both ingest tasks need the data home: one alert for each, nothing for the tasks after them
    alerts = {alert["body"]["task_id"]: alert for alert in received}
    assert len(received) == 2 and set(alerts) == {"ingest.submissions", "ingest.dti"}, received
    for task_id, alert in alerts.items():
        assert alert["content_type"].startswith("application/json")
        body = alert["body"]
        assert body["dag_id"] == "dx_nightly"
        assert body["run_id"] == dag_run.run_id
        assert "NotADirectoryError" in body["error"] or "FileExistsError" in body["error"]
        assert body["text"].startswith(f"dxwh: task dx_nightly.{task_id} failed")
