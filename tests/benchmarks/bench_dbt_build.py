"""Benchmark: ``dbt build`` on the demo warehouse (full, then a night with no new file) and
``dbt docs generate``.

Run with ``make bench-dbt`` (or ``python tests/benchmarks/bench_dbt_build.py``). Prints wall
clock and the CPU time of the dbt processes, which does not depend on what else the machine is
running.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.settings import Settings, load_settings
from ingest.demo.generate import generate_demo
from ingest.dti.demo import write_dti_publications
from pipeline.dbt_runner import generate_docs, run_dbt
from pipeline.nightly import step_ingest, step_ingest_dti


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(label: str, action: Callable[[], object]) -> None:
    cpu, wall = _children_cpu(), time.perf_counter()
    action()
    print(
        f"{label:<34} {time.perf_counter() - wall:6.1f} s wall  {_children_cpu() - cpu:6.1f} s CPU"
    )


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="dxwh-bench-dbt-"))
    try:
        base = load_settings({"DXWH_HOME": str(home)})
        settings = Settings(home=base.home, pseudonym_key=base.pseudonym_key)
        settings.ensure_dirs()
        result = generate_demo(settings.inbox_submissions, home / "demo" / "manifest.json")
        write_dti_publications(settings.inbox_dti)
        step_ingest(settings, "bench")
        step_ingest_dti(settings, "bench")
        print(f"demo: {len(result.files)} submission files")
        _timed("dbt build (first night, full)", lambda: run_dbt(settings, "build"))
        _timed("dbt build (no new file)", lambda: run_dbt(settings, "build"))
        _timed("dbt docs generate", lambda: generate_docs(settings))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
