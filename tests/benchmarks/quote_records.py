"""Rewrite the benchmark tables quoted in README.md and docs/operations.md from the records.

    python -m tests.benchmarks.quote_records

After ``make bench``, ``make bench-portal`` or ``make bench-history`` ran with ``--record``
(figures in ``docs/bench/*.json``), every fenced block in the docs that starts like one of
those tables is replaced by the table generated from its record, so a quote is never typed by
hand. ``tests/benchmarks/test_bench_record.py`` fails while a quote and its record differ; the
prose around a table (what changed, why) is still written by a person.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks import bench_commands, bench_history, bench_portal

REPO = Path(__file__).resolve().parents[2]
RECORDS = REPO / "docs" / "bench"
DOCS = (REPO / "README.md", REPO / "docs" / "operations.md")
# record file, how its table starts, how it is drawn
KINDS: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
    ("commands.json", r"dxwh bench \(", bench_commands.format_table),
    ("portal.json", r"dxwh bench-portal \(", bench_portal.format_table),
    (
        "history-province.json",
        r"dxwh bench-history \([^)]*\): province ",
        bench_history.format_table,
    ),
    (
        "history-national.json",
        r"dxwh bench-history \([^)]*\): national ",
        bench_history.format_table,
    ),
)
TABLE_START = re.compile(r"^dxwh bench(-portal|-history)? \(", re.MULTILINE)


def recorded_tables() -> dict[str, str]:
    """Each recorded run's table, by record file name."""
    return {
        name: draw(json.loads((RECORDS / name).read_text(encoding="utf-8")))
        for name, _, draw in KINDS
        if (RECORDS / name).is_file()
    }


def quoted_tables(doc: Path) -> list[str]:
    """Every fenced block of ``doc`` that starts like a benchmark table."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    return [b.rstrip("\n") for b in blocks if TABLE_START.match(b)]


def requote(text: str, tables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        block = match.group(2)
        for name, start, _ in KINDS:
            if name in tables and re.match(start, block):
                return f"{match.group(1)}{tables[name]}\n```"
        return match.group(0)

    return re.sub(r"(```[a-z]*\n)(.*?)```", replace, text, flags=re.DOTALL)


def main() -> int:
    tables = recorded_tables()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        new = requote(text, tables)
        if new != text:
            doc.write_text(new, encoding="utf-8")
            print(f"requoted {doc.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
