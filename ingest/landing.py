"""What both loaders (submissions and DTI) do to land a file: find it, hash it, archive it.

The inbox is a drop folder open to many people, so it is read as hostile: a symlink is never
followed (``ln -s /etc/shadow inbox/x.csv`` must not copy the target into the archive), FIFOs,
devices and sockets are skipped (opening a FIFO blocks forever), and a file still being written
is left for the next run. What is parsed is the archived copy, so what is loaded is exactly
what is archived.

The archive is content-addressed (``<archive>/<sha[:2]>/<sha><suffix>``): the same bytes are
stored once, whatever name or folder they arrived under. ``index.jsonl`` beside it records each
landed file's original name, arrival order, loader and unit/period, so the landing tables can
be rebuilt from the archive alone. Archive and index hold personal data (names, birth years):
folders are 0700 and files 0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from core.private_files import create_private, private_dir

log = logging.getLogger(__name__)

INDEX_NAME = "index.jsonl"
_CHUNK = 1 << 20


def _open_regular(path: Path) -> int:
    """A read descriptor on ``path``, refusing symlinks and anything but a regular file.

    ``O_NONBLOCK`` keeps a FIFO from blocking the open; the ``fstat`` then refuses it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path.name}: not a regular file")
    return fd


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a regular file's bytes, read in 1 MiB chunks (symlinks refused)."""
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(path), "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class InboxFile:
    """A regular file of the inbox as it was when scanned."""

    path: Path
    source: str  # path relative to the inbox, as recorded in audit
    size: int
    mtime_ns: int


@dataclass
class InboxScan:
    files: list[InboxFile]  # in arrival order (modification time, then name)
    skipped: list[tuple[str, str]]  # (relative path, reason) — each also logged


def scan_inbox(
    inbox: Path,
    wanted: Callable[[str], bool],
    settle_seconds: float = 0.0,
) -> InboxScan:
    """Regular files under ``inbox`` whose name ``wanted`` accepts, stable for ``settle_seconds``.

    Symlinks (to files or folders) and special files are skipped with a log line. A file
    modified less than ``settle_seconds`` ago is looked at again once the settle time has
    passed (one wait per scan, at most ``settle_seconds``) and taken only if its size and
    modification time did not change.
    """
    files: list[InboxFile] = []
    skipped: list[tuple[str, str]] = []

    def skip(rel: str, reason: str) -> None:
        log.warning("inbox %s: %s skipped: %s", inbox, rel, reason)
        skipped.append((rel, reason))

    for folder, dirnames, filenames in os.walk(inbox, followlinks=False):
        base = Path(folder)
        for name in list(dirnames):
            if (base / name).is_symlink():
                skip(str((base / name).relative_to(inbox)), "symlink to a folder: not followed")
                dirnames.remove(name)
        for name in filenames:
            path = base / name
            rel = str(path.relative_to(inbox))
            if not wanted(name):
                continue
            try:
                info = path.lstat()
            except OSError as exc:
                skip(rel, f"cannot stat: {exc}")
                continue
            if stat.S_ISLNK(info.st_mode):
                skip(rel, "symlink: not followed")
            elif not stat.S_ISREG(info.st_mode):
                skip(rel, "not a regular file (FIFO, device or socket)")
            else:
                files.append(InboxFile(path, rel, info.st_size, info.st_mtime_ns))
    files = _settled(files, settle_seconds, skip)
    files.sort(key=lambda f: (f.mtime_ns, f.path.name))
    return InboxScan(files, skipped)


def _settled(
    files: list[InboxFile], settle_seconds: float, skip: Callable[[str, str], None]
) -> list[InboxFile]:
    if settle_seconds <= 0:
        return files
    now_ns = time.time_ns()
    settle_ns = int(settle_seconds * 1e9)
    young = [f for f in files if now_ns - f.mtime_ns < settle_ns]
    if not young:
        return files
    newest = max(f.mtime_ns for f in young)
    time.sleep(min(settle_seconds, max(0.0, (newest + settle_ns - now_ns) / 1e9)))
    changed: set[Path] = set()
    for f in young:
        try:
            info = f.path.lstat()
        except OSError:
            changed.add(f.path)
            continue
        if (info.st_size, info.st_mtime_ns) != (f.size, f.mtime_ns):
            changed.add(f.path)
            skip(f.source, "still being written: left for the next run")
    return [f for f in files if f.path not in changed]


# Skips that resolve themselves (the file is taken once it has settled): not recorded.
_TRANSIENT = ("still being written", "changed while it was archived")


def too_large(f: InboxFile, max_bytes: int) -> str | None:
    """Why ``f`` is not copied into the archive: over the size limit, from its ``stat`` (a 2 GB
    sparse file is refused without a byte being read)."""
    if f.size <= max_bytes:
        return None
    return (
        f"vượt giới hạn kích thước ({f.size / 1048576:.1f} MB > {max_bytes / 1048576:.0f} MB): "
        "không chép vào kho lưu / over the size limit: not archived"
    )


def record_skips(
    con: Any, loader: str, batch_id: str, inbox: Path, skipped: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Record skipped inbox entries in ``audit.inbox_skips``; return those not recorded before
    (the summary names an entry the night it appears, not every night)."""
    now = dt.datetime.now(dt.UTC)
    new: list[tuple[str, str]] = []
    for source, reason in skipped:
        if reason.startswith(_TRANSIENT):
            continue
        try:
            info = os.lstat(inbox / source)
            size, mtime_ns = info.st_size, info.st_mtime_ns
        except OSError:
            size = mtime_ns = -1
        key = [loader, source, reason, size, mtime_ns]
        found = con.execute(
            "select count(*) from audit.inbox_skips where loader = ? and source_file = ? "
            "and reason = ? and size_bytes = ? and mtime_ns = ?",
            key,
        ).fetchone()
        if found and found[0]:
            continue
        con.execute(
            "insert into audit.inbox_skips values (?, ?, ?, ?, ?, ?, ?)", [*key, batch_id, now]
        )
        new.append((source, reason))
    return new


def archive_path(archive_dir: Path, sha: str, suffix: str) -> Path:
    """Where the bytes with hash ``sha`` are archived."""
    return archive_dir / sha[:2] / f"{sha}{suffix.lower()}"


def archived_relative(archived: Path, archive_dir: Path) -> str:
    """An archived copy's path relative to the archive (as the index records it): a string
    cut for the archive's own copies, ``relative_to`` for anything else (which raises as it
    does for a path outside the archive)."""
    text, root = os.fspath(archived), os.path.join(archive_dir, "")
    if text.startswith(root) and ".." not in text and "//" not in text:
        return text[len(root) :]
    return str(archived.relative_to(archive_dir))


def archive(
    path: Path,
    sha: str | None,
    archive_dir: Path,
    durable: bool = True,
    scanned: InboxFile | None = None,
    private: set[str] | None = None,
) -> tuple[str, Path] | None:
    """Copy ``path`` into the archive (idempotent): ``(sha, archived path)``, or ``None`` when
    the file changed while it was copied (it is left for later).

    The copy is hashed as it is written, so the archived file is exactly the file whose hash
    is recorded: with ``sha`` given (the file was hashed before), the copy must have that hash;
    with ``scanned`` given, the file's size and modification time must still be those of the
    scan once the copy is done. A new file is so read once, not hashed and then copied.

    With ``durable`` the copy is fsynced before it takes its name; a loader archiving many
    files passes ``False`` and calls :func:`make_durable` once before it records them (one
    fsync per file cost more than reading and checking the file).

    ``private`` holds the archive folders already made private (0700) in this run: a loader
    archiving many files passes one set for the run, so each folder is checked once, not for
    every file (the checks were a third of archiving a small file).
    """
    suffix = path.suffix.lower()
    if sha is not None:
        target = archive_path(archive_dir, sha, suffix)
        if target.exists():
            return sha, target
    _private(archive_dir, private)
    digest = hashlib.sha256()
    tmp_fd, tmp_name = _incoming(archive_dir)
    try:
        with os.fdopen(_open_regular(path), "rb") as src, os.fdopen(tmp_fd, "wb") as dst:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            if durable:
                os.fsync(dst.fileno())
            after = os.fstat(src.fileno())
        copied = digest.hexdigest()
        moved = scanned is not None and (after.st_size, after.st_mtime_ns) != (
            scanned.size,
            scanned.mtime_ns,
        )
        if moved or (sha is not None and copied != sha):
            log.warning("inbox file %s changed while it was archived: left for later", path)
            os.unlink(tmp_name)
            return None
        # plain strings on the way (a Path per step cost more than the rename itself)
        folder = os.path.join(archive_dir, copied[:2])
        name = os.path.join(folder, f"{copied}{suffix}")
        if os.path.exists(name):
            os.unlink(tmp_name)
        else:
            _private(folder, private)
            os.replace(tmp_name, name)
        target = Path(name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return copied, target


def _private(folder: Path | str, known: set[str] | None) -> None:
    """Make ``folder`` private (0700), unless ``known`` says it was made so in this run."""
    key = os.fspath(folder)
    if known is None or key not in known:
        private_dir(Path(key))
        if known is not None:
            known.add(key)


_incoming_seq = itertools.count()


def _incoming(archive_dir: Path) -> tuple[int, str]:
    """A new private file for a copy on its way into the archive (what ``tempfile.mkstemp``
    does, without its random names: they cost a third of archiving a small file)."""
    while True:
        name = os.path.join(archive_dir, f".incoming-{os.getpid()}-{next(_incoming_seq)}.part")
        try:
            return create_private(name), name
        except FileExistsError:  # left by an earlier process with the same pid
            continue


def remove_stale_work(archive_dir: Path) -> None:
    """Remove staging folders and half-written copies a killed run left in the archive (only
    one loader writes at a time: DuckDB's lock on the build database)."""
    if not archive_dir.is_dir():
        return
    for stale in archive_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for partial in archive_dir.glob(".incoming-*.part"):
        partial.unlink(missing_ok=True)


def make_durable() -> None:
    """Flush archived copies to disk before the database records them (one ``sync`` for a
    whole batch of copies)."""
    os.sync()


@contextlib.contextmanager
def staging(archive_dir: Path) -> Iterator[Callable[[Path, str], Path]]:
    """``stage(archived, name)`` → a path named ``name`` whose bytes are the archived copy.

    Readers report a CSV's sheet by its file name and find a DTI sidecar beside the file, so
    the archived bytes are read under their original name: a hard link in a private folder
    that is removed afterwards (a copy where links are not possible). Names share a folder
    until two collide (``a/bao_cao.xlsx`` and ``b/bao_cao.xlsx``).
    """
    root = private_dir(Path(tempfile.mkdtemp(prefix=".staging-", dir=private_dir(archive_dir))))
    folders: list[Path] = []

    def stage(archived: Path, name: str) -> Path:
        folder = next((f for f in folders if not (f / name).exists()), None)
        if folder is None:
            folder = private_dir(root / str(len(folders)))
            folders.append(folder)
        target = folder / name
        try:
            os.link(archived, target)
        except OSError:
            shutil.copyfile(archived, target)
        return target

    try:
        yield stage
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class ArchiveEntry:
    """One landed file in the archive index: enough to land it again without the inbox."""

    loader: str  # submissions | dti
    source_file: str
    sha256: str
    archived: str  # path relative to the archive folder
    arrival_seq: int
    status: str
    unit_code: str | None = None
    period_id: str | None = None
    sidecar: str | None = None  # DTI: archived sidecar (``.meta.json``) read with the file


def append_index(archive_dir: Path, entries: Iterable[ArchiveEntry]) -> None:
    """Append entries to ``index.jsonl`` (fsynced; one JSON object per line)."""
    names = [f.name for f in fields(ArchiveEntry)]  # plain values: no deep copy (asdict)
    lines = [
        json.dumps({n: getattr(e, n) for n in names}, ensure_ascii=False) + "\n" for e in entries
    ]
    if not lines:
        return
    path = private_dir(archive_dir) / INDEX_NAME
    fd = create_private(path, append=True)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.writelines(lines)
        handle.flush()
        os.fsync(handle.fileno())


def read_index(archive_dir: Path, loader: str | None = None) -> list[ArchiveEntry]:
    """The index's entries (of one loader), in arrival order; a torn last line is ignored."""
    path = archive_dir / INDEX_NAME
    if not path.exists():
        return []
    entries: dict[tuple[str, str, str], ArchiveEntry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = ArchiveEntry(**json.loads(line))
        except (ValueError, TypeError):
            continue
        if loader is None or entry.loader == loader:
            entries.setdefault((entry.loader, entry.source_file, entry.sha256), entry)
    return sorted(entries.values(), key=lambda e: (e.loader, e.arrival_seq))
