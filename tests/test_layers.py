"""Layers point one way: a lower layer never imports a higher one.

ground    core                                  (imports nothing of the project)
middle    ingest · expectations · warehouse     (import core and themselves only)
top       pipeline · dags · portal              (orchestration, dbt, the CLI, the submission
                                                portal: import anything below; only the CLI
                                                imports the portal)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"core", "ingest", "expectations", "warehouse", "pipeline", "dags", "portal"}
ALLOWED = {
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "expectations": {"core", "expectations"},
    "warehouse": {"core", "warehouse"},
    "pipeline": {"core", "ingest", "expectations", "warehouse", "pipeline", "portal"},
    "dags": {"core", "ingest", "expectations", "warehouse", "pipeline"},
    "portal": {"core", "ingest", "warehouse", "portal"},
}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """Top-level project packages a module imports (at any depth, including inside functions)."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {
            (n.split(".")[0], node.lineno) for n in names if n.split(".")[0] in PROJECT_PACKAGES
        }
    return found


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from pipeline.cli import main\n    import warehouse.sql\n")
    assert imported_packages(module) == {("pipeline", 2), ("warehouse", 3)}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layer_imports_point_down(package: str) -> None:
    wrong = [
        f"{path.relative_to(REPO)}:{line} imports {target}"
        for path in sorted((REPO / package).rglob("*.py"))
        for target, line in sorted(imported_packages(path))
        if target not in ALLOWED[package]
    ]
    assert wrong == [], "a lower layer imports a higher one:\n" + "\n".join(wrong)
