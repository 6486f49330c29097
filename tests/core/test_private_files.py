"""Personal data and secrets stay this user's: a data home after a demo night and a portal
session has no private path readable by others, whatever the umask; what is published stays
readable."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
from pathlib import Path

import pytest

from core.private_files import create_private, private_dir, write_private
from core.settings import PortalSettings, Settings, load_settings
from portal.app import create_app
from portal.config import load_portal_config
from portal.store import PortalStore
from tests.portal.portal_helpers import TODAY, UNIT, sign_in, write_bad, write_good

# What readers are meant to open: the published warehouse, the exports and the reports.
READABLE = ("published", "reports", "exports")


def _walk(home: Path) -> list[Path]:
    return [home, *sorted(home.rglob("*"))]


def _open_to_others(home: Path) -> list[str]:
    """Paths outside the readable areas whose mode lets others read, write or enter them (the
    home itself may be entered, 0711, to reach the readable areas)."""
    found = []
    for path in _walk(home):
        if path.is_symlink():
            continue
        relative = path.relative_to(home)
        if relative.parts and relative.parts[0] in READABLE:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        allowed = 0o011 if path == home else 0
        if mode & 0o077 & ~allowed:
            found.append(f"{relative} {oct(mode)}")
    return found


def _portal_session(settings: Settings, tmp_path: Path) -> None:
    """A clerk signs in, sends a report with mistakes (kept aside) and a good one (queued)."""
    config = load_portal_config(dataclasses.replace(settings, portal=PortalSettings()))
    app = create_app(settings, config, today=lambda: TODAY)
    store: PortalStore = app.state.store
    token = store.issue_token("unit", UNIT, "văn thư", "test")[1]
    from fastapi.testclient import TestClient

    client = TestClient(app)
    csrf = sign_in(client, token)
    for path in (write_bad(tmp_path / "sai.xlsx"), write_good(tmp_path / "dung.xlsx")):
        with path.open("rb") as handle:
            response = client.post(
                "/unit/upload", data={"csrf_token": csrf}, files={"file": (path.name, handle)}
            )
        assert response.status_code == 200
    assert list(config.rejected_dir.rglob("*.xlsx")), "the bad report was not kept aside"
    assert list((settings.inbox_submissions / "portal").glob("*.xlsx"))


@pytest.mark.slow
def test_no_private_path_is_readable_by_others_after_a_night_and_a_portal_session(
    demo_warehouse: Settings, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_warehouse.home, home, symlinks=True)  # modes copied as they are
    old = os.umask(0o022)  # a host's usual umask: what is private must not depend on it
    try:
        settings = load_settings({"DXWH_HOME": str(home)})
        os.umask(0o022)  # loading the settings restricted it; the writers below must not need that
        _portal_session(settings, tmp_path)
    finally:
        os.umask(old)

    assert _open_to_others(home) == []
    assert stat.S_IMODE(home.stat().st_mode) == 0o711
    published = home / "published" / "dx.duckdb"
    assert published.stat().st_mode & stat.S_IROTH
    assert (home / "reports" / "scorecard" / "index.html").stat().st_mode & stat.S_IROTH
    parquet = home / "published" / "parquet" / "manifest.json"
    assert parquet.stat().st_mode & stat.S_IROTH
    for folder in (home / "published" / "versions", home / "reports" / "scorecard"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_private_helpers_never_create_anything_open_to_others(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        secret = write_private(folder / "key", "s3cret")
        os.close(create_private(folder / "log", append=True))
    finally:
        os.umask(old)
    for path in (tmp_path / "a", folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in (secret, folder / "log"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret.read_text() == "s3cret"
    assert [p.name for p in folder.iterdir()] != [] and not list(folder.glob(".*.tmp"))


def test_a_symlink_planted_where_a_private_file_goes_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("x")
    (tmp_path / "log").symlink_to(outside)
    with pytest.raises(OSError):
        create_private(tmp_path / "log", append=True)
    assert outside.read_text() == "x"


def test_file_modes_are_set_in_core_private_files_only() -> None:
    """One rule: outside core/private_files.py (and the portal, which uses its helpers), no
    module of the night spells a file mode of its own."""
    import re

    repo = Path(__file__).resolve().parents[2]
    mode = re.compile(r"\b0o[0-7]{3}\b")
    spelled = [
        f"{path.relative_to(repo)}:{number}: {line.strip()}"
        for package in ("core", "pipeline", "dags", "expectations")
        for path in sorted((repo / package).rglob("*.py"))
        if path.name != "private_files.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if mode.search(line.split("#")[0])
    ]
    assert spelled == []
