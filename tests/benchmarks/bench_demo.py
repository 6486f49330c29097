"""Benchmark: demo-data generation speed (files/s), province and national scale.

Run with ``make bench-demo`` (or ``python tests/benchmarks/bench_demo.py [--periods N]``).
Prints wall-clock files/s and the CPU time per file of the whole process tree, which does not
depend on what else the machine is running.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
from pathlib import Path

from ingest.demo.generate import DEFAULT_MESS_SHARE, generate_demo, national_periods


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench(scale: str, periods: int, workers: int | None) -> None:
    root = Path(tempfile.mkdtemp(prefix="dxwh-bench-demo-"))
    try:
        cpu_before = _cpu_seconds()
        result = generate_demo(
            root / "inbox",
            root / "manifest.json",
            periods=national_periods(periods) if scale == "national" else None,
            mess_share=DEFAULT_MESS_SHARE,
            scale=scale,
            workers=workers,
        )
        cpu = _cpu_seconds() - cpu_before
        size = sum(p.stat().st_size for p in (root / "inbox").rglob("*") if p.is_file())
        print(
            f"{scale:9} periods={periods:<2} files={len(result.files):>6} "
            f"wall={result.seconds:6.1f}s  {result.files_per_second:7.0f} files/s  "
            f"cpu={1000 * cpu / len(result.files):5.2f} ms/file  "
            f"processes={result.workers}  size={size / 1e6:.0f} MB  "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--periods", type=int, default=1, help="national periods (default 1)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    args = parser.parse_args()
    bench("province", 7, args.workers)
    bench("national", args.periods, args.workers)


if __name__ == "__main__":
    main()
