"""docs/data-dictionary.md's column section is what the documentation generates, word for word."""

from __future__ import annotations

from pathlib import Path

from warehouse.analyst_views import load_views
from warehouse.data_dictionary import DICTIONARY, main, render


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
