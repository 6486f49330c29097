"""Read and check many submission files across processes, yielding results in input order.

Parsing spreadsheets is CPU-bound Python; DuckDB allows one writer. So workers read and check,
and the caller writes each result in order: the tables do not depend on which worker finished
first. If a worker dies, the files it did not return are read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Generator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ingest.registry import ReportingUnit
from ingest.submissions.checks import CheckedSubmission, check_submission
from ingest.submissions.reader import read_submission

# A spawned worker needs 1-1.5 s of imports before its first file; one process reads and checks
# about 250-350 small files a second (tests/benchmarks/bench_ingest.py on a shared 2-core
# machine). Below this many files per worker, one process is faster.
MIN_FILES_PER_WORKER = 500
# "spawn": each worker is a fresh interpreter. "fork" starts faster, but forking the threaded
# Airflow task process left a worker waiting forever on a lock copied mid-use (seen in
# dag.test()); a fresh interpreter inherits no lock. The cost is about a second of imports per
# worker, paid once per batch, hence MIN_FILES_PER_WORKER.
_START_METHOD = "spawn"

_registry: Mapping[str, list[ReportingUnit]] = {}
_max_bytes = 0


def _init(registry: Mapping[str, list[ReportingUnit]], max_bytes: int) -> None:
    global _registry, _max_bytes
    _registry, _max_bytes = registry, max_bytes


def _check(path: Path) -> CheckedSubmission:
    return check_submission(read_submission(path, _max_bytes), _registry)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_files(
    paths: Sequence[Path],
    registry: Mapping[str, list[ReportingUnit]],
    max_bytes: int,
    workers: int = 0,
    min_files_per_worker: int | None = None,
) -> Generator[CheckedSubmission, None, None]:
    """Read and check ``paths``; results come in the order of ``paths``.

    ``workers`` = 0 means one per core; 1 (or few files) reads in this process.
    """
    per_worker = min_files_per_worker or MIN_FILES_PER_WORKER
    workers = min(workers or default_workers(), max(1, len(paths) // per_worker))
    if workers <= 1:
        _init(registry, max_bytes)
        yield from (_check(p) for p in paths)
        return
    context = multiprocessing.get_context(_START_METHOD)
    done = 0
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init,
            initargs=(dict(registry), max_bytes),
        ) as pool:
            for checked in pool.map(_check, paths, chunksize=max(1, len(paths) // (workers * 8))):
                done += 1
                yield checked
    except BrokenProcessPool:
        # A worker died (out of memory, or it could not start here): the files it did not
        # return are read in this process; none is lost or read twice.
        _init(registry, max_bytes)
        yield from (_check(p) for p in paths[done:])
