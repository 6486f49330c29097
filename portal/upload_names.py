"""The names clerks uploaded their files under, kept for the night, and forgotten once no
feedback can show them any more.

The portal writes ``<data home>/state/upload_names/<stored name>.name`` for every queued upload
(:func:`ingest.submissions.feedback.record_upload_name`): the night's feedback names the file as
the clerk sent it. The night reads a name twice: when it loads the file (the feedback page of a
file with problems keeps the name it was shown under) and, each night after, in the feedback
index, where a loaded file is named as the one that replaced an earlier report of its unit and
period; the index names the latest loaded file of that unit and period only.

So once the night's record (:mod:`core.intake_record`) lists a portal file, its name is needed
only while that file is the latest loaded one of its unit and period: a rejected or duplicate
file, a file whose rows did not load, and a loaded file a later loaded file has superseded are
forgotten. What is left is at most one name per unit and period, plus the uploads still waiting
for a night. A name may carry a person's name: it is kept no longer than it serves.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from core.intake_record import FileLoad, read_record, record_path
from ingest.submissions.feedback import upload_names_dir

PORTAL_INBOX = "portal"  # sub-folder of inbox/submissions the portal writes into
log = logging.getLogger(__name__)
LOADED = frozenset({"accepted", "partial"})  # statuses whose rows reached the warehouse


def _may_be_named(row: FileLoad, latest: dict[tuple[str, str | None], int]) -> bool:
    """Whether the feedback index may still name this file: the latest loaded file of its
    unit and period (the file that replaced an earlier one, if any did)."""
    if row.status not in LOADED or row.unit_code is None:
        return False
    return latest[(row.unit_code, row.period_id)] == row.arrival_seq


def forget_upload_names(home: Path) -> int:
    """Delete the upload names the night no longer needs (see the module's docstring);
    returns how many were deleted."""
    folder = upload_names_dir(home)
    if not folder.is_dir():
        return 0
    record = read_record(home)
    latest: dict[tuple[str, str | None], int] = {}
    for row in record:
        if row.status in LOADED and row.unit_code is not None:
            key = (row.unit_code, row.period_id)
            latest[key] = max(latest.get(key, row.arrival_seq), row.arrival_seq)
    forgotten = 0
    for row in record:
        folder_name, _, stored = row.source_file.partition("/")
        if folder_name != PORTAL_INBOX or not stored or "/" in stored:
            continue  # not a portal upload (or not a name the portal gives)
        if _may_be_named(row, latest):
            continue
        try:
            (folder / f"{stored}.name").unlink()
        except FileNotFoundError:
            continue
        forgotten += 1
    return forgotten


class UploadNames:
    """Forgets the names once each time the night's record changes: checked at start and on
    each upload (a ``stat`` of the record), the work done in a thread of its own so that no
    clerk waits for it. Each worker process has its own; two deleting the same name at once
    is harmless."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._seen: int | None = None
        self._lock = threading.Lock()

    def tidy(self, *, wait: bool = False) -> None:
        path = record_path(self.home)
        try:
            changed = path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        with self._lock:
            if changed == self._seen:
                return
            self._seen = changed
        worker = threading.Thread(target=self._forget, name="upload-names", daemon=True)
        worker.start()
        if wait:
            worker.join()

    def _forget(self) -> None:
        try:
            forget_upload_names(self.home)
        except (OSError, ValueError) as exc:  # a torn record: the next one will do
            log.warning("upload names not tidied: %s", exc)
