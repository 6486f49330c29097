"""``dxwh sql``: SQL on the published warehouse, one query or an interactive session.

The published file is opened read-only with external access disabled: a query can read the
warehouse and nothing else (no files, no ``attach``, no ``copy … to``), and it never holds a
lock that the nightly publish would wait on.
"""

from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import duckdb

PROMPT = "dx> "
CONTINUATION = "..> "
QUIT_COMMANDS = frozenset({".quit", ".exit", "\\q", "quit", "exit"})
HELP = (
    "End each statement with ';'. Commands: .tables (list tables and views), "
    ".quit (or Ctrl-D) to leave."
)
TABLES_SQL = (
    "select schema_name || '.' || table_name as name, 'table' as kind, comment "
    "from duckdb_tables() where not internal "
    "union all select schema_name || '.' || view_name, 'view', comment "
    "from duckdb_views() where not internal and schema_name not in ('information_schema', "
    "'pg_catalog') order by name"
)


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published file read-only, with external access off and the settings locked."""
    if not path.is_file():
        raise FileNotFoundError(
            f"no published warehouse at {path}: run the nightly pipeline (dxwh run) first"
        )
    return duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "lock_configuration": True},
    )


def write_result(
    con: duckdb.DuckDBPyConnection, sql: str, out: TextIO, *, as_csv: bool = False
) -> None:
    """Run one statement and write its result (nothing for statements without one)."""
    relation = con.sql(sql)
    if relation is None:
        return
    if as_csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(relation.columns)
        writer.writerows(relation.fetchall())
    else:
        # DuckDBPyRelation.show prints to sys.stdout; send it to `out` instead
        with contextlib.redirect_stdout(out):
            relation.show(max_width=200, max_rows=1000, max_col_width=60)


def statements(lines: Iterable[str]) -> Iterator[str]:
    """Group input lines into statements ending with ';' (or meta-commands on one line)."""
    buffer: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not buffer and (stripped.startswith(".") or stripped.lower() in QUIT_COMMANDS):
            yield stripped
            continue
        if not buffer and not stripped:
            continue
        buffer.append(line.rstrip("\n"))
        if stripped.endswith(";"):
            yield "\n".join(buffer).strip().rstrip(";")
            buffer = []
    if buffer and "\n".join(buffer).strip():
        yield "\n".join(buffer).strip().rstrip(";")


def _prompted_lines(stdin: TextIO, out: TextIO, interactive: bool) -> Iterator[str]:
    first = True
    for line in iter(stdin.readline, ""):
        yield line
        if interactive:
            stripped = line.strip()
            first = not stripped or stripped.endswith(";") or stripped.startswith(".")
            out.write(PROMPT if first else CONTINUATION)
            out.flush()


def repl(
    con: duckdb.DuckDBPyConnection,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    *,
    as_csv: bool = False,
) -> int:
    """Read statements from ``stdin`` until end of input or ``.quit``; return the error count.

    A failing statement prints its error and the session goes on, as in the DuckDB shell.
    """
    interactive = stdin.isatty()
    if interactive:
        out.write(f"{HELP}\n{PROMPT}")
        out.flush()
    errors = 0
    for statement in statements(_prompted_lines(stdin, out, interactive)):
        lowered = statement.lower()
        if lowered in QUIT_COMMANDS:
            break
        try:
            if lowered == ".tables":
                write_result(con, TABLES_SQL, out, as_csv=as_csv)
            elif lowered in (".help", "help"):
                out.write(HELP + "\n")
            elif statement.startswith("."):
                raise ValueError(f"unknown command {statement}; {HELP}")
            else:
                write_result(con, statement, out, as_csv=as_csv)
        except (duckdb.Error, ValueError) as exc:
            errors += 1
            err.write(f"Error: {exc}\n")
            err.flush()
    return errors


def run_sql(path: Path, sql: str | None, *, as_csv: bool = False) -> int:
    """The ``dxwh sql`` command: exit status 0 when every statement succeeded."""
    try:
        con = connect_published(path)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    with con:
        if sql is None:
            return 1 if repl(con, sys.stdin, sys.stdout, sys.stderr, as_csv=as_csv) else 0
        try:
            write_result(con, sql, sys.stdout, as_csv=as_csv)
        except duckdb.Error as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
    return 0
