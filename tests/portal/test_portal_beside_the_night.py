"""The portal beside the nightly load: its pages never take the build database's lock, so a
visitor loading pages while the night ingests never makes the load fail."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.portal.portal_helpers import PERIOD, Portal, sign_in, write_good

PAGE_EVERY_SECONDS = 0.2


def test_three_ingests_succeed_with_a_visitor_loading_pages_beside_each(
    portal: Portal, tmp_path: Path
) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    with write_good(tmp_path / "a.xlsx").open("rb") as handle:
        sent = client.post(
            "/unit/upload", data={"csrf_token": csrf}, files={"file": ("a.xlsx", handle)}
        )
    assert sent.status_code == 200

    stop = threading.Event()
    pages: list[int] = []

    def visitor() -> None:
        while not stop.is_set():
            pages.append(client.get("/unit").status_code)
            stop.wait(PAGE_EVERY_SECONDS)

    env = {**os.environ, "DXWH_HOME": str(portal.settings.home)}
    thread = threading.Thread(target=visitor, daemon=True)
    thread.start()
    codes, errors = [], []
    try:
        for n in range(3):
            # a file each time, so that each ingest writes to the build database
            write_good(portal.settings.inbox_submissions / f"lan_{n}.xlsx", period=PERIOD)
            done = subprocess.run(
                [sys.executable, "-m", "pipeline.cli", "ingest"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            codes.append(done.returncode)
            errors.append(done.stderr[-2000:])
    finally:
        stop.set()
        thread.join(timeout=60)

    assert codes == [0, 0, 0], errors
    assert pages and set(pages) == {200}
    assert "Could not set lock" not in "".join(errors)
