"""One rule for files holding personal data or a secret: this user only, from the first byte.

The inbox, the archive, the build database, the feedback for the clerks, the portal's state and
uploads, the Airflow home (its password file and task logs) and the SQL history hold names and
birth years (Decree 13/2023/NĐ-CP) or secrets. Their folders are created 0700 and their files
0600 *as they are created* (``os.mkdir``/``os.open`` with the mode, never written then
chmod-ed), whatever the umask. Files that libraries create inside them (DuckDB, SQLite,
Airflow's logs) are covered by the process umask, 077 from :func:`restrict_umask`, which every
dxwh process sets when it loads its settings.

What is meant to be read by others (the published warehouse, its Parquet and docs, the CSV
exports, the scorecard) is made readable explicitly with :func:`make_readable`; the data home
itself is 0711, so others pass through to those and list nothing else.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
READABLE_DIR_MODE = 0o755
READABLE_FILE_MODE = 0o644
PASS_THROUGH_MODE = 0o711  # others reach what they are given the path of, and list nothing
HOME_MODE = PASS_THROUGH_MODE  # others may pass through to published/ and reports/
PRIVATE_UMASK = 0o077

_seq = itertools.count()


def restrict_umask() -> int:
    """Make what this process (and its libraries) creates private; returns the old umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents 0700 (an existing ``path`` is tightened to 0700).

    Each folder is created with its mode (``os.mkdir(path, 0o700)``): it is never open to
    others, not even for an instant. An existing folder left wider by an older release is
    tightened.
    """
    missing: list[Path] = []
    probe = path
    while not os.path.lexists(probe):
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, PRIVATE_DIR_MODE)
    if stat.S_IMODE(os.stat(path).st_mode) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)  # never wider than the 0700 it was created with
    return path


def create_private(path: Path | str, *, append: bool = False) -> int:
    """A write descriptor on a file readable by this user only (0600 from its creation).

    A new file unless ``append`` (then an existing file is appended to and kept 0600); a
    symlink in its place is refused, never followed.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if append else os.O_EXCL
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    if stat.S_IMODE(os.fstat(fd).st_mode) != PRIVATE_FILE_MODE:
        # an odd umask took bits away, or an older release left it wider: 0600 exactly
        os.fchmod(fd, PRIVATE_FILE_MODE)
    return fd


def write_private(
    path: Path, data: bytes | str, *, durable: bool = True, exclusive: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically, 0600, in a private folder.

    The bytes go to a new private file beside ``path`` that is renamed over it: a reader sees
    the old content or the new, never a file open to others or half written. ``durable``
    flushes it to disk first (secrets, state); feedback pages written by the hundred skip it.
    ``exclusive`` never replaces an existing ``path`` (:class:`FileExistsError`): of two
    processes making the same secret at once, one wins and both then read the same value.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{next(_seq)}.tmp")
    fd = create_private(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
            tmp.unlink()
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def make_readable(root: Path) -> Path:
    """Open what is meant for readers: folders 0755, files 0644 (read-only ones 0444), below
    and including ``root``; symlinks are left alone."""
    if root.is_symlink() or not root.exists():
        return root
    paths = [root, *root.rglob("*")] if root.is_dir() else [root]
    for path in paths:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            os.chmod(path, READABLE_DIR_MODE)
        elif not mode & stat.S_IWUSR:
            os.chmod(path, 0o444)
        else:
            os.chmod(path, READABLE_FILE_MODE)
    return root
