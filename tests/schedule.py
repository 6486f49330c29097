"""The order the suite runs in, so that its processes finish together.

``make test`` spreads the tests over one process per core with pytest-xdist's ``worksteal``
scheduler: it hands the first half of the collected order to one process and the second half to
the other (``n // workers`` each, in order), then an idle process takes the *last* half of the
busiest one's queue. With every long test at the front (one process's half), the long tests ran
one after another in one process while the other ran the short ones; and a long test left to the
end kept one core busy while the other sat idle.

:func:`lanes` orders the collected tests as one lane per process: the modules of long tests
(marked ``slow``, or in :data:`WEIGHTS`) dealt out heaviest first to the lane with the least
work so far, each lane's long tests first, its short tests after (the short ones are what an
idle process takes from the end of another's queue). A module's long tests stay in one lane, so
a module-scoped fixture is built once. The weights are the seconds a module's long tests took
in a run of the whole suite (``--durations``): they decide the order only, never what a test
checks; a module missing from the table counts :data:`SLOW_DEFAULT` a slow test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# seconds of setup + call of each module's long tests (its ``slow`` ones; all of its tests for a
# module not marked slow) in a run of the whole suite, 2 processes on a 2-core machine (pytest
# --durations=0, scaled to a quiet machine); a module-scoped or session fixture is counted where
# it is built (the session's first night with tests/test_pipeline_e2e.py)
WEIGHTS = {
    "tests/deploy/test_production_like.py": 245.0,
    "tests/benchmarks/test_bench_national.py": 140.0,
    "tests/test_pipeline_e2e.py": 110.0,
    "tests/warehouse/test_superset.py": 105.0,
    "tests/expectations/test_gate_e2e.py": 100.0,
    "tests/dags/test_quiet_night_dag.py": 90.0,
    "tests/dbt/test_incremental.py": 60.0,
    "tests/ingest/dti/test_dti_current.py": 50.0,
    "tests/portal/test_portal_browser.py": 45.0,
    "tests/pipeline/test_period_drill.py": 45.0,
    "tests/dags/test_reprocess_period.py": 35.0,
    "tests/dags/test_failed_nights.py": 30.0,
    "tests/pipeline/test_local_airflow.py": 28.0,
    "tests/dbt/test_unknown_fields.py": 21.0,
    "tests/dbt/test_clerk_corpus.py": 20.0,
}
SLOW_DEFAULT = 20.0


def module_of(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def lanes(
    items: Sequence[T], workers: int, test_id: Callable[[T], str], slow: Callable[[T], bool]
) -> list[T]:
    """``items`` reordered as ``workers`` lanes back to back, each as long (in tests) as the
    share worksteal first hands its process, the slow modules dealt so the lanes' work is even."""

    def long(item: T) -> bool:
        return slow(item) or module_of(test_id(item)) in WEIGHTS

    modules: dict[str, list[T]] = {}
    for item in items:
        if long(item):
            modules.setdefault(module_of(test_id(item)), []).append(item)

    def weight(module: str) -> float:
        return WEIGHTS.get(module, SLOW_DEFAULT * len(modules[module]))

    heaviest = sorted(modules, key=weight, reverse=True)  # stable: ties keep their order
    short = [i for i in items if not long(i)]
    if workers <= 1:
        return [*(i for m in heaviest for i in modules[m]), *short]
    # worksteal's first hand-out: process k gets len(pending) // (workers - k) of what is left
    sizes, left = [], len(items)
    for k in range(workers):
        sizes.append(left // (workers - k))
        left -= sizes[-1]
    dealt: list[list[T]] = [[] for _ in range(workers)]
    work = [0.0] * workers
    for module in heaviest:
        group = modules[module]
        # the lightest lane that still has room for the module's tests
        fits = [k for k in range(workers) if len(dealt[k]) + len(group) <= sizes[k]]
        lane = min(fits or range(workers), key=work.__getitem__)
        dealt[lane].extend(group)
        work[lane] += weight(module)
    rest = iter(short)
    for k in range(workers):
        dealt[k].extend(next(rest) for _ in range(sizes[k] - len(dealt[k])))
    dealt[-1].extend(rest)  # only when the slow tests alone overfill a lane
    return [item for lane in dealt for item in lane]
