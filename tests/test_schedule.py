"""The suite's order: each test process starts with its share of the long tests."""

from __future__ import annotations

from tests.schedule import SLOW_DEFAULT, WEIGHTS, lanes, module_of

DEPLOY, BENCH, E2E = (
    "tests/deploy/test_production_like.py",
    "tests/benchmarks/test_bench_national.py",
    "tests/test_pipeline_e2e.py",
)


def _suite() -> list[str]:
    fast = [f"tests/core/test_fast.py::test_{n}" for n in range(40)]
    slow = [
        f"{E2E}::test_nightly_dag_end_to_end",
        f"{E2E}::test_second_run_changes_nothing",
        "tests/test_pages.py::test_a",
        "tests/test_pages.py::test_b",
        f"{BENCH}::test_quick_bench_writes_every_figure",
        f"{DEPLOY}::test_nightly_run_triggered_through_the_rest_api",
    ]
    return [*fast[:20], *slow, *fast[20:]]


def _is_slow(test_id: str) -> bool:
    return "test_fast" not in test_id


def _work(lane: list[str]) -> float:
    modules = {module_of(t) for t in lane if _is_slow(t)}
    n = {m: sum(module_of(t) == m for t in lane) for m in modules}
    return sum(WEIGHTS.get(m, SLOW_DEFAULT * n[m]) for m in modules)


def test_each_process_starts_with_an_even_share_of_the_long_tests() -> None:
    suite = _suite()

    order = lanes(suite, 2, test_id=str, slow=_is_slow)

    assert sorted(order) == sorted(suite)  # every test once
    # worksteal hands the first half of the order to one process, the rest to the other
    first, second = order[: len(order) // 2], order[len(order) // 2 :]
    for lane in (first, second):
        slow = [t for t in lane if _is_slow(t)]
        assert slow and lane[: len(slow)] == slow, "a lane's long tests come first"
    # the two longest in different processes, and the lanes' long work within one module's
    assert {module_of(first[0]), module_of(second[0])} == {DEPLOY, BENCH}
    assert abs(_work(first) - _work(second)) <= max(WEIGHTS.values())
    # a module's long tests stay together (a module-scoped fixture is built once)
    assert sum(E2E in t for t in first) in (0, 2)
    # the short tests keep their order within each lane
    fast = [t for t in order if not _is_slow(t)]
    assert [t for t in first if t in fast] + [t for t in second if t in fast] == sorted(
        fast, key=suite.index
    )


def test_one_process_runs_the_heaviest_first() -> None:
    order = lanes(_suite(), 1, test_id=str, slow=_is_slow)

    assert order[0].startswith(DEPLOY) and order[1].startswith(BENCH)
    assert not any(_is_slow(t) for t in order[6:])
