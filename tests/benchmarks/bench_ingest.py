"""Benchmark: submission ingest, serial against parallel, on generated real workbooks.

    python tests/benchmarks/bench_ingest.py [--files 240] [--rows 25] [--workers 0]

Prints files/s and rows/s for reading + checking alone and for the whole ingest (archive,
read, check, batched appends to DuckDB), with one worker and with ``--workers`` (0 = one per
core), and the serial/parallel ratio. Numbers depend on the machine; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from core.db import session
from core.settings import load_settings
from ingest.demo.workbook import write_submission_xlsx
from ingest.registry import build_registry
from ingest.submissions.checks import index_registry
from ingest.submissions.load import ingest_submissions
from ingest.submissions.parallel import check_files, default_workers

_GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hương", "Ngọc Lan", "Đức Long"]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]


def build_inbox(inbox: Path, n_files: int, n_rows: int) -> int:
    communes = [u for u in build_registry() if u.unit_level == "commune"]
    rows = 0
    for i in range(n_files):
        unit = communes[i % len(communes)]
        period = ("2023", "2024-H1", "2024-H2")[i // len(communes) % 3]
        people = [
            {
                "row_no": r + 1,
                "full_name": f"{_FAMILY[(i + r) % 8]} {_GIVEN[(i * 3 + r) % 7]}",
                "birth_year": 1960 + (i + r) % 40,
                "gender": ("Nam", "Nữ")[r % 2],
                "assignment": ("Chuyên trách", "Kiêm nhiệm")[(i + r) % 2],
                "education_level": "Đại học",
                "field_of_study": "CNTT",
                "trainings_in_period": r % 3,
                "dx_network_member": "Có",
                "platform_access": ("Có", "Không")[r % 2],
            }
            for r in range(n_rows)
        ]
        write_submission_xlsx(
            inbox / f"{unit.unit_id}_{period}_{i}.xlsx",
            {
                "unit_code": unit.unit_id,
                "unit_name": unit.unit_name,
                "unit_type": unit.unit_type,
                "period": period,
                "has_dx_focal_point": "Có",
                "community_teams": 1,
                "community_team_members": 5,
                "community_team_members_trained": 3,
                "submitted_on": "15/01/2025",
            },
            people,
        )
        rows += n_rows
    return rows


def time_read(paths: list[Path], workers: int) -> float:
    registry = index_registry(build_registry())
    started = time.perf_counter()
    for _ in check_files(paths, registry, 20 << 20, workers):
        pass
    return time.perf_counter() - started


def time_ingest(source: Path, workers: int) -> tuple[float, int]:
    home = Path(tempfile.mkdtemp(prefix="dxwh-bench-"))
    try:
        os.environ["DXWH_HOME"] = str(home)
        settings = load_settings()
        settings.ensure_dirs()
        shutil.copytree(source, settings.inbox_submissions, dirs_exist_ok=True)
        units = build_registry()
        with session(settings.build_db) as con:
            result = ingest_submissions(con, settings, units, "bench", workers=workers)
        return result.seconds, result.rows_loaded
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=240)
    parser.add_argument("--rows", type=int, default=25, help="people per file")
    parser.add_argument("--workers", type=int, default=0, help="0 = one per core")
    args = parser.parse_args()
    workers = args.workers or default_workers()

    with tempfile.TemporaryDirectory(prefix="dxwh-bench-inbox-") as tmp:
        inbox = Path(tmp)
        rows = build_inbox(inbox, args.files, args.rows)
        paths = sorted(inbox.glob("*.xlsx"))
        print(f"{args.files} files x {args.rows} people = {rows} rows; {workers} workers")
        print(f"{'stage':<24}{'workers':>8}{'seconds':>10}{'files/s':>10}{'rows/s':>10}")
        figures: dict[tuple[str, int], float] = {}
        # one-off costs (the fork server importing the readers, first DuckDB use) unmeasured
        time_read(paths[:2], 1)
        time_ingest(inbox, 1)
        for stage in ("read + check", "ingest (to DuckDB)"):
            for n in (1, workers):
                if stage == "read + check":
                    seconds = time_read(paths, n)
                else:
                    seconds, loaded = time_ingest(inbox, n)
                    assert loaded == rows, f"loaded {loaded} of {rows} rows"
                figures[(stage, n)] = seconds
                print(
                    f"{stage:<24}{n:>8}{seconds:>10.2f}{args.files / seconds:>10.1f}"
                    f"{rows / seconds:>10.0f}"
                )
            ratio = figures[(stage, 1)] / figures[(stage, workers)]
            print(f"{stage}: parallel is {ratio:.2f}x the serial speed")


if __name__ == "__main__":
    main()
