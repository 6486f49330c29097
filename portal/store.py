"""The portal's own state in SQLite: access tokens (hashed), uploads and the audit log.

SQLite (standard library) rather than DuckDB: the portal makes many small concurrent writes
from request threads and worker processes, which SQLite's WAL mode handles, and it must never hold
a DuckDB lock that the nightly writer or the published warehouse's readers would meet.

Each thread keeps one connection (opening one per call, and closing the last one, which
checkpoints the WAL, cost more than the query). Commits use ``synchronous = NORMAL``: a
committed row is in the WAL file, written through the operating system, before the call
returns, so it survives the portal being killed (``kill -9``); it is flushed to the disk with
the WAL's checkpoints. The uploaded files are kept to the same rule (written, not flushed), so
a record and its file stand or fall together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.private_files import create_private, private_dir

TOKEN_PREFIX = "dxp_"
ROLES = ("unit", "office")
# a token's "last used" is kept to the minute: a program sending many files in a minute makes
# one write for its token, not one per request
LAST_USED_GRAIN = dt.timedelta(minutes=1)
# an upload's slot in the hourly limit is released when it is recorded or refused; a slot left
# by a process killed in between counts for this long
SLOT_TIMEOUT = dt.timedelta(minutes=10)

SCHEMA = """
create table if not exists access_tokens (
    token_id text primary key,           -- public id, shown in lists and the audit log
    token_hash text not null unique,     -- sha256 of the token; the token itself is never stored
    role text not null check (role in ('unit', 'office')),
    unit_id text,                        -- set for role 'unit'
    label text not null,
    issued_at text not null,
    issued_by text not null,
    revoked_at text,
    last_used_at text
);
create table if not exists uploads (
    upload_id text primary key,
    unit_id text not null,
    token_id text not null,
    channel text not null,               -- web | api
    original_name text not null,         -- shown to people only; never part of a path
    size_bytes integer not null,
    sha256 text not null,
    file_format text,
    period_id text,
    submitted_on text,
    verdict text not null,               -- accepted | accepted_warn | partial | rejected
    n_errors integer not null,
    n_warnings integer not null,
    rows_ok integer not null,
    rows_bad integer not null,
    problems_json text not null,
    stored_path text not null,           -- relative to the data home
    is_queued integer not null,
    uploaded_at text not null
);
create index if not exists uploads_by_unit on uploads (unit_id, uploaded_at);
create table if not exists sessions (
    session_hash text primary key,       -- sha256 of the session id the cookie carries
    token_id text not null,
    started_at text not null,
    expires_at text not null,
    ended_at text                        -- signed out, or its token revoked
);
create index if not exists sessions_by_token on sessions (token_id);
create table if not exists upload_slots (
    slot_id text primary key,            -- an upload being received and checked
    unit_id text not null,
    taken_at text not null
);
create table if not exists failed_sign_ins (
    client text not null,                -- the client's address
    at real not null                     -- seconds since the epoch
);
create index if not exists failed_sign_ins_by_client on failed_sign_ins (client, at);
create table if not exists audit_log (
    seq integer primary key autoincrement,
    at text not null,
    actor text not null,
    unit_id text,
    action text not null,
    detail text not null
);
"""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def hash_token(token: str) -> str:
    """SHA-256 of a token.

    A token is 256 random bits, not a password a person chose: there is no dictionary to guess
    from, so a fast hash is enough (a slow KDF protects low-entropy secrets only).
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessToken:
    token_id: str
    role: str
    unit_id: str | None
    label: str
    issued_at: str
    issued_by: str
    revoked_at: str | None
    last_used_at: str | None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Upload:
    upload_id: str
    unit_id: str
    token_id: str
    channel: str
    original_name: str
    size_bytes: int
    sha256: str
    file_format: str | None
    period_id: str | None
    submitted_on: str | None
    verdict: str
    n_errors: int
    n_warnings: int
    rows_ok: int
    rows_bad: int
    problems: list[dict[str, Any]]
    stored_path: str
    is_queued: bool
    uploaded_at: str


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    unit_id: str | None
    action: str
    detail: str


class PortalStore:
    """All reads and writes of the portal's SQLite file; one connection per thread, one
    transaction per call."""

    # how long a writer waits for another process's write transaction to end
    busy_timeout = 30.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        private_dir(path.parent)
        # SQLite gives its -wal and -shm files the mode of the database file: created 0600 here
        if not path.exists():
            os.close(create_private(path))
        with self._connect() as con:
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (a process made by ``fork`` opens its own)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None or self._local.pid != os.getpid():
            con = sqlite3.connect(self.path, timeout=self.busy_timeout)
            con.row_factory = sqlite3.Row
            con.execute("pragma synchronous = normal")  # see the module's docstring
            self._local.con, self._local.pid = con, os.getpid()
        return con

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as con:  # one transaction: committed, or rolled back on error
            yield con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, begun at once (``begin immediate``). The threads of this
        process take turns on a lock first: a writer finding SQLite's lock taken sleeps in
        growing steps (1, 2, 5, 10 ms …) and a burst of uploads would spend its time
        asleep; across processes SQLite's own lock and its timeout still hold."""
        with self._write_lock, self._connect() as con:
            con.execute("begin immediate")
            yield con

    def close(self) -> None:
        """Close this thread's connection (the others close with their threads)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            self._local.con = None
            con.close()

    # access tokens -------------------------------------------------------------------------

    def issue_token(
        self, role: str, unit_id: str | None, label: str, issued_by: str
    ) -> tuple[AccessToken, str]:
        """A new random token; returns its record and the token itself (shown once, never kept)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        if (role == "unit") != (unit_id is not None):
            raise ValueError("a unit token names its unit; an office token names none")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = secrets.token_hex(4)
        at = _iso(now_utc())
        with self._write() as con:
            con.execute(
                "insert into access_tokens (token_id, token_hash, role, unit_id, label, "
                "issued_at, issued_by) values (?, ?, ?, ?, ?, ?, ?)",
                (token_id, hash_token(token), role, unit_id, label, at, issued_by),
            )
        self.log(issued_by, unit_id, "token_issued", f"{role} token {token_id} ({label})")
        record = AccessToken(token_id, role, unit_id, label, at, issued_by, None, None)
        return record, token

    def verify_token(self, token: str) -> AccessToken | None:
        """The active token record for ``token``, or ``None`` (unknown or revoked)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self._connect() as con:
            row = con.execute(
                "select * from access_tokens where token_hash = ? and revoked_at is null",
                (hash_token(token),),
            ).fetchone()
            if row is None:
                return None
        now = now_utc()
        used = row["last_used_at"]
        if used is None or dt.datetime.fromisoformat(used) <= now - LAST_USED_GRAIN:
            with self._write() as con:
                con.execute(
                    "update access_tokens set last_used_at = ? where token_id = ?",
                    (_iso(now), row["token_id"]),
                )
        return _token(row)

    def get_token(self, token_id: str) -> AccessToken | None:
        with self._connect() as con:
            row = con.execute(
                "select * from access_tokens where token_id = ?", (token_id,)
            ).fetchone()
        return _token(row) if row else None

    def list_tokens(self, include_revoked: bool = True) -> list[AccessToken]:
        where = "" if include_revoked else "where revoked_at is null"
        with self._connect() as con:
            rows = con.execute(
                f"select * from access_tokens {where} order by role, unit_id, issued_at"
            ).fetchall()
        return [_token(r) for r in rows]

    def revoke_token(self, token_id: str, revoked_by: str) -> bool:
        """Revoke a token; ``False`` when it is unknown or already revoked."""
        with self._write() as con:
            cursor = con.execute(
                "update access_tokens set revoked_at = ? where token_id = ? and revoked_at is null",
                (_iso(now_utc()), token_id),
            )
            # its sessions end now, not at their next request or their cookie's expiry
            con.execute(
                "update sessions set ended_at = ? where token_id = ? and ended_at is null",
                (_iso(now_utc()), token_id),
            )
        if cursor.rowcount:
            record = self.get_token(token_id)
            self.log(revoked_by, record.unit_id if record else None, "token_revoked", token_id)
        return bool(cursor.rowcount)

    # sessions ------------------------------------------------------------------------------

    def start_session(self, token_id: str, hours: float) -> str:
        """A new server-side session for ``token_id``; returns its id (kept hashed)."""
        session_id = secrets.token_urlsafe(32)
        now = now_utc()
        with self._write() as con:
            con.execute(
                "insert into sessions (session_hash, token_id, started_at, expires_at) "
                "values (?, ?, ?, ?)",
                (
                    hash_token(session_id),
                    token_id,
                    _iso(now),
                    _iso(now + dt.timedelta(hours=hours)),
                ),
            )
        return session_id

    def session_token(self, session_id: str) -> AccessToken | None:
        """The active token of a live session (not ended, not expired), or ``None``."""
        if not session_id or len(session_id) > 200:
            return None
        with self._connect() as con:
            row = con.execute(
                "select t.* from sessions s join access_tokens t using (token_id) "
                "where s.session_hash = ? and s.ended_at is null and s.expires_at > ? "
                "and t.revoked_at is null",
                (hash_token(session_id), _iso(now_utc())),
            ).fetchone()
        return _token(row) if row else None

    def end_session(self, session_id: str) -> None:
        """End a session (sign-out): a copy of its cookie opens nothing afterwards."""
        with self._write() as con:
            con.execute(
                "update sessions set ended_at = ? where session_hash = ? and ended_at is null",
                (_iso(now_utc()), hash_token(session_id)),
            )

    # uploads -------------------------------------------------------------------------------

    def add_upload(
        self, upload: Upload, audit: tuple[str, str] | None = None, slot: str | None = None
    ) -> None:
        """Record an upload and, in the same transaction, its audit entry ``(action, detail)``
        (the actor is the upload's token) and the release of its ``slot``."""
        with self._write() as con:
            if slot is not None:
                con.execute("delete from upload_slots where slot_id = ?", (slot,))
            if audit is not None:
                self._log(con, f"token:{upload.token_id}", upload.unit_id, *audit)
            con.execute(
                "insert into uploads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                (
                    upload.upload_id, upload.unit_id, upload.token_id, upload.channel,
                    upload.original_name, upload.size_bytes, upload.sha256, upload.file_format,
                    upload.period_id, upload.submitted_on, upload.verdict, upload.n_errors,
                    upload.n_warnings, upload.rows_ok, upload.rows_bad,
                    json.dumps(upload.problems, ensure_ascii=False), upload.stored_path,
                    int(upload.is_queued), upload.uploaded_at,
                ),
            )  # fmt: skip

    def get_upload(self, upload_id: str) -> Upload | None:
        with self._connect() as con:
            row = con.execute("select * from uploads where upload_id = ?", (upload_id,)).fetchone()
        return _upload(row) if row else None

    def uploads_of(self, unit_id: str) -> list[Upload]:
        """A unit's uploads, newest first."""
        with self._connect() as con:
            rows = con.execute(
                "select * from uploads where unit_id = ? order by uploaded_at desc, rowid desc",
                (unit_id,),
            ).fetchall()
        return [_upload(r) for r in rows]

    def last_uploads(self) -> dict[tuple[str, str], Upload]:
        """The latest upload of each (unit, period)."""
        with self._connect() as con:
            rows = con.execute(
                "select * from uploads where period_id is not null order by uploaded_at, rowid"
            ).fetchall()
        return {(r["unit_id"], r["period_id"]): _upload(r) for r in rows}

    def take_upload_slot(self, unit_id: str, per_hour: int) -> str | None:
        """A slot for one more upload of ``unit_id`` within its hourly limit, or ``None``.

        The uploads of the last hour and the slots still taken are counted, and the slot
        taken, in one write transaction: of many uploads sent at once, by any number of
        threads and worker processes, no more than the limit get a slot. The slot goes with
        :meth:`add_upload` (``slot=``) or :meth:`release_upload_slot`.
        """
        now = now_utc()
        slot_id = secrets.token_hex(8)
        with self._write() as con:  # counted and taken with no writer in between
            con.execute("delete from upload_slots where taken_at < ?", (_iso(now - SLOT_TIMEOUT),))
            (sent,) = con.execute(
                "select count(*) from uploads where unit_id = ? and uploaded_at >= ?",
                (unit_id, _iso(now - dt.timedelta(hours=1))),
            ).fetchone()
            (pending,) = con.execute(
                "select count(*) from upload_slots where unit_id = ?", (unit_id,)
            ).fetchone()
            if sent + pending >= per_hour:
                return None
            con.execute(
                "insert into upload_slots (slot_id, unit_id, taken_at) values (?, ?, ?)",
                (slot_id, unit_id, _iso(now)),
            )
        return slot_id

    def release_upload_slot(self, slot_id: str) -> None:
        with self._write() as con:
            con.execute("delete from upload_slots where slot_id = ?", (slot_id,))

    # failed sign-ins (shared by every process serving the portal) ---------------------------

    def failed_sign_ins(self, client: str, since: float) -> int:
        """How many sign-ins from ``client`` failed at or after ``since`` (epoch seconds)."""
        with self._connect() as con:
            row = con.execute(
                "select count(*) from failed_sign_ins where client = ? and at >= ?",
                (client, since),
            ).fetchone()
        return int(row[0])

    def sign_in_failed(self, client: str, at: float, forget_before: float) -> None:
        """Count a failed sign-in of ``client``; failures before ``forget_before`` are dropped."""
        with self._write() as con:
            con.execute("delete from failed_sign_ins where at < ?", (forget_before,))
            con.execute("insert into failed_sign_ins (client, at) values (?, ?)", (client, at))

    # audit log -----------------------------------------------------------------------------

    def log(self, actor: str, unit_id: str | None, action: str, detail: str) -> None:
        with self._write() as con:
            self._log(con, actor, unit_id, action, detail)

    @staticmethod
    def _log(
        con: sqlite3.Connection, actor: str, unit_id: str | None, action: str, detail: str
    ) -> None:
        con.execute(
            "insert into audit_log (at, actor, unit_id, action, detail) values (?, ?, ?, ?, ?)",
            (_iso(now_utc()), actor, unit_id, action, detail),
        )

    def audit(self, limit: int = 500) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        with self._connect() as con:
            rows = con.execute(
                "select * from audit_log order by seq desc limit ?", (limit,)
            ).fetchall()
        return [AuditEntry(**dict(r)) for r in rows]


def _token(row: sqlite3.Row) -> AccessToken:
    values = dict(row)
    values.pop("token_hash")
    return AccessToken(**values)


def _upload(row: sqlite3.Row) -> Upload:
    values = dict(row)
    values["problems"] = json.loads(values.pop("problems_json"))
    values["is_queued"] = bool(values["is_queued"])
    return Upload(**values)
