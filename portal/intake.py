"""An upload, from the request body to the inbox: receive, check, then queue or keep aside.

The checks are the ones ``dxwh check`` and the nightly loader run (:mod:`ingest.submissions`);
the verdict and every problem are returned at once. A file accepted whole or in part is moved
into ``inbox/submissions/portal/`` atomically: it is written under a ``.part`` name, which the
loader skips, then renamed. A rejected file is kept under ``<data home>/portal/rejected/`` for
the operator and never queued. No part of the uploaded file's name becomes a path: stored names
are built from the unit, the period, the time and a random id; the extension is the format the
bytes show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import HTTPException, UploadFile

from core.private_files import create_private, private_dir
from core.settings import Settings
from ingest.landing import sha256_of
from ingest.problems import Problem
from ingest.registry import ReportingUnit
from ingest.submissions.checks import CheckedSubmission, check_submission
from ingest.submissions.feedback import record_upload_name, verdict, verdict_label
from ingest.submissions.reader import read_submission
from portal.config import PortalConfig
from portal.deps import Portal
from portal.pages import too_large_message
from portal.security import Identity, take_upload_slot
from portal.store import PortalStore, Upload, now_utc
from portal.upload_names import PORTAL_INBOX

CHUNK = 1 << 16
_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
_SAFE_UNIT = re.compile(r"[A-Za-z0-9-]{1,32}")
MAX_NAME_CHARS = 200


class UploadTooLarge(Exception):
    """The body went past the size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


def receive(stream: BinaryIO, config: PortalConfig) -> tuple[Path, int]:
    """Copy an upload into the private incoming folder, refusing it past the size limit."""
    path = private_dir(config.incoming_dir) / f"{uuid.uuid4().hex}.upload"
    size = 0
    try:
        with os.fdopen(create_private(path), "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > config.max_upload_bytes:
                    raise UploadTooLarge(config.max_upload_bytes)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def display_name(name: str | None) -> str:
    """The uploaded file's name as people see it: the last path component, printable, short."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:MAX_NAME_CHARS] or "(không tên)"


def problem_record(p: Problem) -> dict[str, Any]:
    """A problem as the pages and the API show it: where, what was found, what is wrong, the fix."""
    return {
        "code": p.code,
        "severity": p.severity,
        "scope": p.scope,
        "sheet": p.sheet,
        "row": p.row,
        "column": p.column,
        "value": p.value,
        "location": p.location("vi"),
        "message": p.message("vi"),
        "fix": p.fix("vi"),
        "message_en": p.message("en"),
        "fix_en": p.fix("en"),
    }


def _as_uploaded(problem: Problem, stored: str, shown: str) -> Problem:
    """The problem as the clerk knows the file: a CSV's "sheet" is its name, and some details
    quote it; the reader saw the private stored name, the clerk sent ``shown``."""

    def swap(text: str | None) -> str | None:
        return text.replace(stored, shown) if text else text

    return dataclasses.replace(
        problem,
        sheet=swap(problem.sheet),
        value=swap(problem.value),
        params={key: swap(value) or "" for key, value in problem.params.items()},
    )


def other_unit_problem(declared: str, unit_id: str) -> dict[str, Any]:
    """A portal rule the nightly loader does not need: a unit sends its own reports only."""
    return {
        "code": "PORTAL_OTHER_UNIT",
        "severity": "error",
        "scope": "file",
        "sheet": "DonVi",
        "row": None,
        "column": "B",
        "value": declared,
        "location": "trang DonVi, cột B",
        "message": f"Tệp là báo cáo của đơn vị '{declared}', không phải của đơn vị {unit_id} "
        "đang đăng nhập.",
        "fix": f"Ghi đúng Mã đơn vị {unit_id}, hoặc để đơn vị {declared} tự gửi báo cáo của mình.",
        "message_en": f"The file is the report of unit '{declared}', not of the signed-in unit "
        f"{unit_id}.",
        "fix_en": f"Write unit code {unit_id}, or let unit {declared} send its own report.",
    }


# How the audit log names the way a file came in (in Vietnamese, as the office reads it).
_CHANNELS = {"web": "gửi qua trang web", "api": "gửi qua giao diện lập trình (API)"}


@dataclass(frozen=True)
class Intake:
    """The outcome of one upload: the stored record and the checked file."""

    upload: Upload
    checked: CheckedSubmission


def _stored_name(unit_id: str, period_id: str | None, at: dt.datetime, ext: str) -> str:
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    return f"{unit_id}__{period_id or 'ky-chua-ro'}__{stamp}__{uuid.uuid4().hex[:8]}{ext}"


def _place(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` atomically: a ``.part`` name first, then one rename."""
    private_dir(target.parent)
    part = target.with_name(target.name + ".part")
    try:
        os.rename(source, part)  # the upload is 0600 already
    except OSError:  # the data home spans file systems: a private copy
        with source.open("rb") as src, os.fdopen(create_private(part), "wb") as dst:
            shutil.copyfileobj(src, dst)
        source.unlink()
    os.replace(part, target)


def check_and_file(
    incoming: Path,
    size: int,
    original_name: str,
    *,
    unit_id: str,
    token_id: str,
    channel: str,
    settings: Settings,
    config: PortalConfig,
    store: PortalStore,
    registry: Mapping[str, list[ReportingUnit]],
    slot: str | None = None,
) -> Intake:
    """Check a received file as ``dxwh check`` does, then queue it or keep it aside; record it
    (releasing its ``slot`` in the hourly limit in the same transaction)."""
    if not _SAFE_UNIT.fullmatch(unit_id):
        raise ValueError(f"unit id {unit_id!r} is not a registry code")
    suffix = Path(original_name).suffix.lower()
    # the reader tells CSV from an unsupported type by the name: give it the suffix, nothing else
    named = incoming.with_name(incoming.stem + (suffix if _SAFE_SUFFIX.fullmatch(suffix) else ""))
    incoming.rename(named)
    try:
        checked = check_submission(read_submission(named, config.max_upload_bytes), registry)
        problems = [
            problem_record(_as_uploaded(p, named.name, original_name)) for p in checked.all_problems
        ]
        status = verdict(checked)
        declared = str(checked.unit.get("unit_code") or "")
        if declared and declared != unit_id:
            problems.insert(0, other_unit_problem(declared, unit_id))
            status = "rejected"
        period = checked.unit.get("period_id")
        period_id = period if isinstance(period, str) else None
        at = now_utc()
        fmt = checked.parsed.file_format
        ext = f".{fmt}" if fmt else (suffix if _SAFE_SUFFIX.fullmatch(suffix) else ".bin")
        name = _stored_name(unit_id, period_id, at, ext)
        queued = status != "rejected"
        target = (
            settings.inbox_submissions / PORTAL_INBOX / name
            if queued
            else config.rejected_dir / unit_id / name
        )
        sha = sha256_of(named)
        _place(named, target)
        if queued:  # the night's feedback names the file as the clerk sent it
            record_upload_name(settings.home, name, original_name, durable=False)
    finally:
        named.unlink(missing_ok=True)
    submitted_on = checked.unit.get("submitted_on")
    upload = Upload(
        upload_id=uuid.uuid4().hex,
        unit_id=unit_id,
        token_id=token_id,
        channel=channel,
        original_name=original_name,
        size_bytes=size,
        sha256=sha,
        file_format=fmt,
        period_id=period_id,
        submitted_on=submitted_on.isoformat() if isinstance(submitted_on, dt.date) else None,
        verdict=status,
        n_errors=sum(1 for p in problems if p["severity"] == "error"),
        n_warnings=sum(1 for p in problems if p["severity"] != "error"),
        # people the report counts, and rows still to fix (a value unknown, or no one named)
        rows_ok=sum(1 for r in checked.rows if r.loads) if status != "rejected" else 0,
        rows_bad=sum(1 for r in checked.rows if not r.ok),
        problems=problems,
        stored_path=str(target.relative_to(settings.home)),
        is_queued=queued,
        uploaded_at=at.isoformat(timespec="seconds"),
    )
    store.add_upload(
        upload,
        audit=(
            "upload_queued" if queued else "upload_rejected",
            f"{original_name} → {upload.stored_path} ({verdict_label(status)}, "
            f"{upload.n_errors} lỗi, {_CHANNELS.get(channel, channel)})",
        ),
        slot=slot,
    )
    return Intake(upload, checked)


def accept(portal: Portal, who: Identity, file: UploadFile, channel: str) -> Upload:
    """An upload of ``who``'s unit through the pages (``web``) or the API (``api``): a slot in
    the hourly limit, the size limit while it streams in, then :func:`check_and_file`."""
    assert who.unit_id is not None
    slot = take_upload_slot(portal.store, who.unit_id, portal.config.uploads_per_hour)
    try:
        name = display_name(file.filename)
        try:
            incoming, size = receive(file.file, portal.config)
        except UploadTooLarge as exc:
            portal.store.log(who.actor, who.unit_id, "upload_too_large", name)
            raise HTTPException(413, too_large_message(exc.limit)) from exc
        upload = check_and_file(
            incoming,
            size,
            name,
            unit_id=who.unit_id,
            token_id=who.token_id,
            channel=channel,
            settings=portal.settings,
            config=portal.config,
            store=portal.store,
            registry=portal.by_code,
            slot=slot,
        ).upload
    except BaseException:
        portal.store.release_upload_slot(slot)  # refused or failed: it counts for nothing
        raise
    portal.upload_names.tidy()  # a night since the last upload: forget the names it took
    return upload
