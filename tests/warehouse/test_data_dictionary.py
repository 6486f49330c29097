"""docs/data-dictionary.md's column section is what the documentation generates, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.settings import Settings
from warehouse.analyst_views import load_views
from warehouse.data_dictionary import DICTIONARY, main, render
from warehouse.sql import connect_published


def test_the_committed_data_dictionary_is_generated(dbt_manifest: Path) -> None:
    # run `python -m warehouse.data_dictionary` when this fails
    assert main(["--manifest", str(dbt_manifest), "--check"]) == 0


def test_the_check_fails_when_the_dictionary_drifts(dbt_manifest: Path, tmp_path: Path) -> None:
    drifted = tmp_path / "data-dictionary.md"
    text = DICTIONARY.read_text(encoding="utf-8")
    drifted.write_text(text.replace("| `actual_value` |", "| `value` |", 1), encoding="utf-8")

    assert main(["--manifest", str(dbt_manifest), "--output", str(drifted), "--check"]) == 1


def test_every_published_relation_and_view_column_is_listed(dbt_manifest: Path) -> None:
    section = render(dbt_manifest)

    for name in ("marts.fct_staffing", "reference.plan_targets", "quality.dq_runs"):
        assert f"### `{name}`" in section
    for view in load_views():
        assert f"### `{view.qualified_name}`" in section
        for column in view.columns:
            assert f"| `{column}` |" in section, f"{view.name}.{column}"
    # a column's row has a label and a description, never an empty cell
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    assert rows
    for cells in rows:
        _, _, label, description = cells
        assert label.strip() and description.strip(" |"), cells[0]


ROW = re.compile(r"^\| `(T\d{4}_[A-Z_]+)` \| ([^|]+) \| ([^|]+) \| (\w+)", re.M)


def _first_number(cell: str) -> float:
    match = re.search(r"\d+(?:\.\d+)?", cell)
    assert match, cell
    value = float(match[0])
    return value / 100 if "%" in cell else value


@pytest.mark.slow
def test_the_demo_target_figures_quoted_are_the_demo_warehouses(demo_warehouse: Settings) -> None:
    text = DICTIONARY.read_text(encoding="utf-8")
    table = text[text.index("On the demo (`make run`") :]
    rows = ROW.findall(table[: table.index("\n\n", table.index("| target |"))])
    assert len(rows) >= 3
    with connect_published(demo_warehouse.published_db) as con:
        for target, actual, threshold, status in rows:
            found = con.execute(
                "select actual_value, threshold_value, status from marts.fct_target_progress "
                "where target_id = ? and scope = 'successor:48' and period_id = '2025-H2'",
                [target],
            ).fetchone()
            assert found is not None, target
            quoted = (_first_number(actual), _first_number(threshold), status)
            assert quoted == (round(found[0], 3), round(found[1], 3), found[2]), target
            # a restated threshold is the sum of the predecessors quoted beside it
            parts = re.search(r"Quảng Nam (\d+) \+ old Đà Nẵng (\d+)", threshold)
            if parts:
                assert int(parts[1]) + int(parts[2]) == found[1], target
