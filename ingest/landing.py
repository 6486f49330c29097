"""What both loaders (submissions and DTI) do to land a file: hash it and archive it.

The archive is content-addressed (``<archive>/<sha[:2]>/<sha><suffix>``): the same bytes are
stored once, whatever name or folder they arrived under.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive(path: Path, sha: str, archive_dir: Path) -> Path:
    """Copy ``path`` to the content-addressed archive (idempotent); returns the archived path."""
    target = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target
