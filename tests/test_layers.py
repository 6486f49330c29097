"""Layers point one way: a lower layer never imports a higher one, and no file imports
itself back through others (no import circle between files, at any depth).

ground    core                                  (imports nothing of the project)
middle    ingest · expectations · warehouse     (import core and themselves only)
top       pipeline · dags · portal              (orchestration, dbt, the CLI, the submission
                                                portal: import anything below; only the CLI
                                                imports the portal)
"""

from __future__ import annotations

import ast
import re
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


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The project modules (files) ``path`` imports, at any depth: ``from a.b import c`` is
    ``a.b.c`` when that is a module of its own, else ``a.b``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph(root: Path = REPO) -> dict[str, set[str]]:
    files = {
        module_name(path, root): path
        for package in sorted(PROJECT_PACKAGES)
        if (root / package).is_dir()
        for path in sorted((root / package).rglob("*.py"))
    }
    known = set(files)
    return {name: imported_modules(path, known) - {name} for name, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or around a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_circle_finder_sees_a_loop_through_a_function_level_import(tmp_path: Path) -> None:
    package = tmp_path / "warehouse"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from warehouse.b import LIMIT\n")
    (package / "b.py").write_text("LIMIT = 1\ndef f():\n    from warehouse import c\n")
    (package / "c.py").write_text("import warehouse.a\n")
    (package / "d.py").write_text("from warehouse.a import x\n")  # imports, not a loop

    assert circles(import_graph(tmp_path)) == [["warehouse.a", "warehouse.b", "warehouse.c"]]


def test_no_import_circle_between_files() -> None:
    found = circles(import_graph())
    assert found == [], "files that import each other:\n" + "\n".join(map(" <-> ".join, found))


# the house's own modules: core (its row formats are the loaders'), orchestration, the quality
# gate and the SQL tool
DEAD_CODE_SCOPE = ("core", "pipeline", "expectations", "warehouse/sql*.py")
# where a name counts as used outside Python: entry points, the image, the compose services
USE_SITES = ("pyproject.toml", "Makefile", "Dockerfile", "docker-compose.yml")


def test_every_function_and_class_of_the_house_is_used_outside_the_tests() -> None:
    """A def or class named nowhere but at its definition (tests aside) is dead code."""
    sources = [
        path
        for package in sorted(PROJECT_PACKAGES)
        for path in sorted((REPO / package).rglob("*.py"))
    ]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    text += "\n".join((REPO / name).read_text(encoding="utf-8") for name in USE_SITES)
    scope = sorted(
        {
            path
            for pattern in DEAD_CODE_SCOPE
            for path in (
                REPO.glob(pattern) if pattern.endswith(".py") else (REPO / pattern).rglob("*.py")
            )
            if path != REPO / "core" / "db.py"
        }
    )
    unused = [
        f"{path.relative_to(REPO)}: {node.name}"
        for path in scope
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and len(re.findall(rf"\b{re.escape(node.name)}\b", text)) <= 1
    ]
    assert unused == [], "defined but never used outside the tests:\n" + "\n".join(unused)
