"""Where one submission file's time goes: each step of the ingest path, timed apart.

    python -m tests.benchmarks.file_path_profile [--files 2000] [--scope national] FOLDER

Runs every step of a file's path through ``dxwh ingest`` one after the other, in this one
process, on up to ``--files`` workbooks found under ``FOLDER`` (the national demo's inbox, say),
and prints the milliseconds per file of each step beside the raw-parse limit's own work
(python-calamine reading every cell). ``make bench-national`` runs it on the national demo and
keeps the figures with the others. Serial and in one process: the figures add up to the CPU a
file costs, not to the wall time of the parallel ingest. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import pickle
import random
import tempfile
import time
from pathlib import Path
from typing import Any

STEPS = (
    ("limit", "limit's work: calamine reads every cell of every sheet"),
    ("archive", "archive: copy into the archive, hashing as it copies"),
    ("inspect", "inspect: one open, size, zip and far-away-cell checks"),
    ("calamine", "calamine: open the workbook, read its two sheets"),
    ("text", "text: NFC, control characters, legacy-font repair"),
    ("sheets", "sheets: DonVi labels, header row, staff rows"),
    ("checks", "checks: unit, registry, every value"),
    ("rows", "rows: landing records, pseudonyms, bounds"),
    ("transfer", "transfer: result pickled by a worker, read by the parent"),
    ("append", "append: share of a 1,024-file batched DuckDB append"),
)


def _files(folder: Path, n: int) -> list[Path]:
    found = sorted(p for p in folder.rglob("*.xlsx") if p.is_file())
    return random.Random(7).sample(found, min(n, len(found)))


def profile_file_path(
    files: list[Path], scope: str = "national", *, cpu: bool = False
) -> dict[str, Any]:
    """Milliseconds per file of each step in :data:`STEPS` over ``files``: wall time, or with
    ``cpu`` this process's CPU time (``time.process_time``), which a loaded machine inflates
    far less (but which leaves out waiting on the disk)."""
    clock = time.process_time if cpu else time.perf_counter
    from python_calamine import CalamineWorkbook

    from core.db import ensure_landing_tables, session
    from ingest.landing import archive, make_durable
    from ingest.loader import BatchContext, append_landed
    from ingest.registry import build_registry
    from ingest.submissions import reader
    from ingest.submissions.checks import check_submission, index_registry
    from ingest.submissions.rows import landed_rows
    from ingest.submissions.sniff import inspect

    registry = index_registry(build_registry(scope))
    ctx = BatchContext("profile", dt.datetime.now(dt.UTC), "profile-key")
    spent = dict.fromkeys((key for key, _ in STEPS), 0.0)

    mark = clock()

    def lap(key: str) -> None:
        """Charge the time since the last lap to ``key``."""
        nonlocal mark
        now = clock()
        spent[key] += now - mark
        mark = now

    def every_cell(path: Path) -> None:
        try:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception:  # a broken download: read as far as it goes, like the limit
            return

    def two_sheets(data: bytes) -> list[list[list[object]]]:
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception:  # unreadable: the ingest rejects it with FILE_UNREADABLE
            return []
        names = list(book.sheet_names)
        found = [reader._find_sheet(names, s) for s in (reader.SHEET_UNIT, reader.SHEET_STAFF)]
        return [
            [list(r) for r in book.get_sheet_by_name(n).to_python(skip_empty_area=False)]
            for n in found
            if n is not None
        ]

    landed = []
    seen: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="dxwh-profile-") as tmp:
        archive_dir = Path(tmp) / "archive"
        private: set[str] = set()  # folders made private once per run, as the loader does
        for path in files:
            mark = clock()
            every_cell(path)
            lap("limit")
            sha, archived = archive(path, None, archive_dir, durable=False, private=private)
            lap("archive")
            kind, refusal, data = inspect(archived, 20 << 20)
            lap("inspect")
            parsed = reader.ParsedFile(path=path, file_format=kind)
            grids = two_sheets(data) if data is not None and refusal is None else []
            lap("calamine")
            if len(grids) == 2:
                text = reader._Text(grids)
                (unit, unit_typed), (staff, staff_typed) = (text.fix_grid(g, "s") for g in grids)
                lap("text")
                parsed.unit_sheet, parsed.staff_sheet = reader.SHEET_UNIT, reader.SHEET_STAFF
                reader.read_unit_sheet(unit, unit_typed, parsed, reader.SHEET_UNIT)
                reader.read_staff_sheet(staff, staff_typed, parsed, reader.SHEET_STAFF)
                lap("sheets")
            checked = check_submission(parsed, registry)
            lap("checks")
            rows = landed_rows(
                checked, sha=sha, source=path.name, archived=str(archived), arrival_seq=1, ctx=ctx
            )
            lap("rows")
            received = pickle.loads(pickle.dumps((0, True, rows), protocol=5))[2]
            lap("transfer")
            if sha not in seen:  # the same bytes again are a duplicate: no rows of their own
                seen.add(sha)
                landed.append(received)
        mark = clock()
        make_durable()  # as the ingest does: one flush of the archive per batch, not per file
        lap("archive")
        with session(Path(tmp) / "profile.duckdb") as con:
            ensure_landing_tables(con)
            mark = clock()
            for start in range(0, len(landed), 1024):
                append_landed(con, landed[start : start + 1024])
            lap("append")
    n = max(len(files), 1)
    per_file = {key: round(seconds / n * 1000, 4) for key, seconds in spent.items()}
    path_total = sum(v for k, v in per_file.items() if k != "limit")
    return {
        "clock": "cpu" if cpu else "wall",
        "files": len(files),
        "ms_per_file": per_file,
        "path_total_ms": round(path_total, 4),
        "path_vs_limit": round(path_total / max(per_file["limit"], 1e-9), 1),
    }


def format_profile(profile: dict[str, Any]) -> str:
    per_file, total = profile["ms_per_file"], profile["path_total_ms"]
    lines = [
        f"where a file's time goes ({profile['files']} files, one process, ms per file"
        + (", CPU time):" if profile.get("clock") == "cpu" else "):"),
    ]
    for key, label in STEPS:
        share = "" if key == "limit" else f"{per_file[key] / max(total, 1e-9):>6.0%}"
        lines.append(f"  {label:<62} {per_file[key]:>7.3f} {share}")
    lines.append(
        f"  {'the whole path (all but the limit)':<62} {total:>7.3f}"
        f"   = {profile['path_vs_limit']}x the limit's work"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--scope", default="national")
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    files = _files(args.folder, args.files)
    print(format_profile(profile_file_path(files, args.scope, cpu=args.cpu)))


if __name__ == "__main__":
    main()
