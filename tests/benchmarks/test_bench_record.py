"""The benchmark tables quoted in README.md and docs/operations.md are the recorded runs'.

``make bench``, ``make bench-portal`` and ``make bench-history`` with ``--record`` write their
figures to ``docs/bench/*.json``; the tables in the docs are generated from those files by the
benchmarks' own ``format_table``. A quoted table that no longer matches its record (a figure
edited by hand, a rerun recorded without updating the docs) fails here. Timings are never
asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks import bench_commands
from tests.benchmarks.quote_records import (
    DOCS,
    KINDS,
    REPO,
    quoted_tables,
    recorded_tables,
    requote,
)


def test_the_command_benchmark_is_recorded() -> None:
    assert "commands.json" in recorded_tables(), "run `make bench BENCH_ARGS=--record`"


def test_every_recorded_run_is_quoted_in_operations() -> None:
    quoted = quoted_tables(REPO / "docs" / "operations.md")
    for name, table in recorded_tables().items():
        assert table in quoted, f"docs/operations.md does not quote docs/bench/{name}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_quoted_bench_table_is_a_recorded_run(doc: Path) -> None:
    recorded = set(recorded_tables().values())
    quoted = quoted_tables(doc)
    assert quoted, f"{doc.name} quotes no benchmark table"
    for table in quoted:
        assert table in recorded, (
            f"{doc.name} quotes a table no record gives (python -m "
            f"tests.benchmarks.quote_records rewrites it):\n{table}"
        )


def test_requote_replaces_a_stale_table_and_leaves_prose() -> None:
    tables = recorded_tables()
    name = next(kind[0] for kind in KINDS if kind[0] in tables)
    first_line = tables[name].splitlines()[0]
    stale = f"Before.\n\n```\n{first_line}\nan edited figure\n```\n\nAfter.\n"

    assert requote(stale, tables) == f"Before.\n\n```\n{tables[name]}\n```\n\nAfter.\n"
    assert requote("```\nnot a table\n```\n", tables) == "```\nnot a table\n```\n"


def test_summary_takes_ratios_within_each_round() -> None:
    rounds = [
        {
            "floor": {"seconds": 1.0},
            "parse_limit": {"seconds": 0.5},
            "naive_script": {"seconds": 10.0},
            "dxwh_ingest": {"seconds": s, "in_process_seconds": s - 1},
        }
        for s in (3.0, 4.0, 2.0)
    ]
    summary = bench_commands.summarise(rounds, n_files=100, n_sample=10)

    assert summary["dxwh_ingest_files_per_s"] == {"min": 25.0, "median": 33.3, "max": 50.0}
    assert summary["floor_files_per_s"]["median"] == 100.0
    assert summary["ingest_vs_floor"] == {"min": 0.25, "median": 0.333, "max": 0.5}
    assert summary["ingest_vs_parse_limit"]["max"] == 0.25
    # 100 files in 3 s against 10 files in 10 s: 33.3 / 1.0
    assert summary["ingest_vs_naive_script"]["median"] == 33.3
    assert summary["dxwh_ingest_in_process_files_per_s"]["max"] == 100.0
