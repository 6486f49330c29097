"""The archive's folders are private (0700) whatever the umask, also the short-lived ones."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ingest.landing import staging


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_staging_folders_are_0700_under_an_odd_umask(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    archived = tmp_path / "copy.xlsx"
    archived.write_bytes(b"bytes")
    old = os.umask(0o277)  # takes the owner's write bit: a folder made with mkdir(0o700) is 0500
    try:
        with staging(archive_dir) as stage:
            first = stage(archived, "bao_cao.xlsx")
            second = stage(archived, "bao_cao.xlsx")  # a second name collision: a second folder
            folders = [first.parent, second.parent, first.parent.parent]
            modes = {str(f.relative_to(archive_dir)): _mode(f) for f in folders}
            staged = first.read_bytes()
    finally:
        os.umask(old)
    assert first.parent != second.parent
    assert modes == dict.fromkeys(modes, 0o700), modes
    assert staged == b"bytes"
