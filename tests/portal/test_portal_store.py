"""The portal's state: tokens are random, stored hashed, verified and revoked."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from portal.store import PortalStore, Upload, hash_token, now_utc


def test_tokens_are_stored_hashed_and_revocable(tmp_path: Path) -> None:
    store = PortalStore(tmp_path / "portal.sqlite")
    record, token = store.issue_token("unit", "502", "văn thư", "cli")
    other_record, other = store.issue_token("unit", "502", "văn thư 2", "cli")
    assert token != other and token.startswith("dxp_") and len(token) > 40

    with sqlite3.connect(tmp_path / "portal.sqlite") as con:
        stored = con.execute("select token_hash from access_tokens").fetchall()
    assert {row[0] for row in stored} == {hash_token(token), hash_token(other)}
    for path in tmp_path.iterdir():  # the token itself is in no file (WAL included)
        assert token.encode() not in path.read_bytes()

    verified = store.verify_token(token)
    assert verified is not None and verified.unit_id == "502"
    assert store.verify_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None

    assert store.revoke_token(record.token_id, "office")
    assert not store.revoke_token(record.token_id, "office")  # already revoked
    assert store.verify_token(token) is None
    assert store.verify_token(other) is not None  # revoking one leaves the others
    assert [t.token_id for t in store.list_tokens(include_revoked=False)] == [other_record.token_id]
    actions = [e.action for e in store.audit()]
    assert actions.count("token_issued") == 2 and actions[0] == "token_revoked"


@pytest.mark.parametrize(("role", "unit_id"), [("unit", None), ("office", "502"), ("admin", None)])
def test_a_token_names_a_unit_exactly_when_it_is_a_unit_token(
    tmp_path: Path, role: str, unit_id: str | None
) -> None:
    with pytest.raises(ValueError):
        PortalStore(tmp_path / "portal.sqlite").issue_token(role, unit_id, "x", "cli")


def test_the_threads_of_a_process_take_turns_before_sqlite_s_lock(tmp_path: Path) -> None:
    """Uploads recorded by many request threads at once never meet SQLite's lock: they queue
    on the store's own, rather than sleep in SQLite's growing steps (here: not wait at all)."""
    store = PortalStore(tmp_path / "portal.sqlite")
    store.busy_timeout = 0.0  # meeting SQLite's lock would be an error ("database is locked")
    start = threading.Barrier(16)

    def record(unit: int) -> int:
        start.wait(timeout=120)
        for i in range(20):
            slot = store.take_upload_slot(f"u{unit}", 100)
            assert slot is not None
            upload = Upload(
                f"{unit}-{i}", f"u{unit}", "t", "api", f"{i}.xlsx", 1, "0" * 64, "xlsx",
                "2026-H1", None, "accepted", 0, 0, 1, 0, [], f"inbox/{unit}-{i}", True,
                now_utc().isoformat(timespec="seconds"),
            )  # fmt: skip
            store.add_upload(upload, audit=("upload_queued", f"{i}.xlsx"), slot=slot)
        return unit

    with ThreadPoolExecutor(16) as pool:
        assert sorted(pool.map(record, range(16))) == list(range(16))
    assert sum(len(store.uploads_of(f"u{unit}")) for unit in range(16)) == 16 * 20
    assert sum(1 for e in store.audit(1000) if e.action == "upload_queued") == 16 * 20
