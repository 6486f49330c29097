"""The analyst views of the published warehouse: the plan's questions, one SQL file each.

Every file in ``warehouse/queries/`` is one ``select`` over the marts. It is published as the
view ``analyst.<file name>`` (so BI tools see the questions as tables) and runs as it is with
``dxwh sql --file``. The file's leading ``--`` comment lines are the view's description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
ANALYST_SCHEMA = "analyst"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class AnalystView:
    name: str
    description: str
    sql: str  # one select statement, no trailing semicolon

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
    return AnalystView(name=path.stem, description=description, sql=sql)


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
