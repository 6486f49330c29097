"""The published area's layout: complete versions side by side, and pointers to the current one.

```
published/
  dx.duckdb               hard link to versions/<current>/dx.duckdb (what readers open)
  current -> versions/<current>
  parquet -> current/parquet
  docs    -> current/docs
  superset -> current/superset
  versions/<version>/     dx.duckdb, parquet/*.parquet + manifest.json, docs/, superset/
```

A version directory is written in full under a temporary name and renamed into
``versions/`` only once verified. Making it current is two ``os.replace`` calls (the file, then
the ``current`` symlink), each atomic: a reader sees the old version or the new one, never a
mix within one file, and a reader holding the old ``dx.duckdb`` open keeps reading it (its inode
lives on in ``versions/``, or until the reader closes it once pruned).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

DB_NAME = "dx.duckdb"
VERSIONS = "versions"
CURRENT = "current"
KEEP_VERSIONS = 5

_VERSION = re.compile(r"^\d{8}T\d{6}\d{6}Z$")


def new_version_id(now: dt.datetime) -> str:
    """A version id that sorts by time (UTC, microseconds)."""
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def versions_dir(published_dir: Path) -> Path:
    return published_dir / VERSIONS


def list_versions(published_dir: Path) -> list[str]:
    """Complete versions, oldest first (temporary directories are not versions)."""
    root = versions_dir(published_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name))


def current_version(published_dir: Path) -> str | None:
    link = published_dir / CURRENT
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).name
    return name if _VERSION.match(name) else None


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if link.exists() and not link.is_symlink():
        # an old layout left a real directory here; it cannot be swapped atomically
        shutil.rmtree(link)
    os.replace(tmp, link)


def make_current(published_dir: Path, version: str) -> Path:
    """Point ``dx.duckdb``, ``current``, ``parquet``, ``docs`` and ``superset`` at ``version``."""
    source = versions_dir(published_dir) / version / DB_NAME
    if not source.is_file():
        raise FileNotFoundError(f"published version {version} has no {DB_NAME}: {source}")
    target = published_dir / DB_NAME
    tmp = published_dir / f".{DB_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        # a filesystem without hard links: a copy costs disk, not correctness
        shutil.copy2(source, tmp)
    os.replace(tmp, target)
    _replace_symlink(published_dir / CURRENT, f"{VERSIONS}/{version}")
    for name in ("parquet", "docs", "superset"):
        link = published_dir / name
        if not link.is_symlink():
            _replace_symlink(link, f"{CURRENT}/{name}")
    return target


_LEFTOVER = re.compile(r"^\..+\.(\d+)\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_leftovers(published_dir: Path) -> list[str]:
    """Remove what a killed publish left (``.<name>.<pid>.tmp`` folders, links and files) when
    the process that wrote it is gone; return the names removed."""
    removed = []
    for folder in (published_dir, versions_dir(published_dir)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _LEFTOVER.match(path.name)
            if not match or _alive(int(match.group(1))):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)


def prune(published_dir: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Delete all but the ``keep`` newest versions (never the current one); return the deleted."""
    current = current_version(published_dir)
    versions = list_versions(published_dir)
    doomed = [v for v in versions[: max(len(versions) - keep, 0)] if v != current]
    for version in doomed:
        shutil.rmtree(versions_dir(published_dir) / version)
    return doomed
