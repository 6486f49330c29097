"""The analyst views of the published warehouse: the plan's questions, one SQL file each.

Every file in ``warehouse/queries/`` is one ``select`` over the marts. It is published as the
view ``analyst.<file name>`` (so BI tools see the questions as tables) and runs as it is with
``dxwh sql --file``. The file's leading ``--`` comment lines are the view's description; the
YAML file of the same name beside it describes each column (like a dbt model's YAML): either a
Vietnamese label and an English description, or the published column it passes through
(``marts.fct_staffing`` for the column of the same name, ``marts.dim_period.end_date`` for
another), whose dbt documentation it then carries. A view may read another view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
ANALYST_SCHEMA = "analyst"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ColumnDoc:
    """One view column's documentation: its own label and description, or where it comes from."""

    label_vi: str = ""
    description: str = ""
    same_as: str = ""  # ``schema.relation.column`` of the published column it passes through


@dataclass(frozen=True)
class AnalystView:
    name: str
    description: str
    sql: str  # one select statement, no trailing semicolon
    # each column in the view's order (empty when the file has no YAML beside it)
    columns: dict[str, ColumnDoc] = field(default_factory=dict)

    @property
    def qualified_name(self) -> str:
        return f"{ANALYST_SCHEMA}.{self.name}"


def read_view(path: Path) -> AnalystView:
    """Read one query file; raise ``ValueError`` naming the file if it cannot be a view."""
    if not _NAME.match(path.stem):
        raise ValueError(f"{path}: query file names must be lowercase snake_case (view names)")
    text = path.read_text(encoding="utf-8")
    description_lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        description_lines.append(stripped.removeprefix("--").strip())
    sql = text.strip().rstrip(";").strip()
    if ";" in _strip_comments(sql):
        raise ValueError(f"{path}: a query file holds exactly one statement")
    description = " ".join(line for line in description_lines if line)
    if not description:
        raise ValueError(f"{path}: start the file with '--' comment lines describing the question")
    return AnalystView(name=path.stem, description=description, sql=sql, columns=read_columns(path))


def read_columns(path: Path) -> dict[str, ColumnDoc]:
    """The column documentation in the YAML beside a query file (empty when there is none)."""
    docs = path.with_suffix(".yml")
    if not docs.is_file():
        return {}
    data: Any = yaml.safe_load(docs.read_text(encoding="utf-8")) or {}
    columns: dict[str, ColumnDoc] = {}
    for name, entry in (data.get("columns") or {}).items():
        if isinstance(entry, str):
            relation = entry if entry.count(".") == 2 else f"{entry}.{name}"
            columns[str(name)] = ColumnDoc(same_as=relation)
        elif isinstance(entry, dict) and entry.get("label_vi") and entry.get("description"):
            columns[str(name)] = ColumnDoc(
                label_vi=" ".join(str(entry["label_vi"]).split()),
                description=" ".join(str(entry["description"]).split()),
            )
        else:
            raise ValueError(
                f"{docs}: column {name}: give a published column (schema.relation[.column]) "
                "or both label_vi and description"
            )
    return columns


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def load_views(directory: Path = QUERIES_DIR) -> list[AnalystView]:
    """Every query file of ``directory``, sorted by name."""
    return [read_view(path) for path in sorted(directory.glob("*.sql"))]


def find_query(name_or_path: str, directory: Path = QUERIES_DIR) -> Path:
    """A query given as a file path or as the name of a file in ``warehouse/queries/``."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = directory / f"{path.stem}.sql"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in sorted(directory.glob("*.sql")))
    raise FileNotFoundError(f"no query file {name_or_path!r}; known queries: {known}")
