"""One process at a time: an exclusive lock on a file, held for a ``with`` block."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (created if missing), waiting for it.

    For work that processes started together would otherwise do at once in the same folder
    (two ``dxwh`` commands, parallel test workers). The lock goes with the process: one that
    dies holding it releases it.
    """
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Held(Exception):
    """Another process holds the lock; ``holder`` is what it wrote about itself."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


@contextmanager
def held_by_me(lock_file: Path, about: str) -> Iterator[None]:
    """Hold ``lock_file`` for a ``with`` block without waiting, writing ``about`` (who holds it)
    into it; :class:`Held` with the holder's line when another process has it.

    The lock goes with the process (``flock``): a killed holder never leaves it behind.
    """
    import os

    from core.private_files import PRIVATE_FILE_MODE, private_dir

    private_dir(lock_file.parent)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(lock_file, flags, PRIVATE_FILE_MODE)
    with open(fd, "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Held(handle.read().strip() or "unknown") from None
        try:
            handle.truncate(0)
            handle.write(about + "\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def holder(lock_file: Path) -> str | None:
    """Who holds ``lock_file`` now (its line), or ``None`` when nobody does."""
    if not lock_file.is_file():
        return None
    with lock_file.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return handle.read().strip() or "unknown"
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
