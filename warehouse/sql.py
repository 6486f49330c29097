"""``dxwh sql``: SQL on the published warehouse, one query, a script, or a terminal session.

The published file is opened read-only with external access disabled: a query can read the
warehouse and nothing else (no files, no ``attach``, no ``copy … to``), and it never holds a
lock that the nightly publish would wait on. In a terminal, the session is
:mod:`warehouse.sql_shell` (history, completion, multi-line editing); statements piped in are
run one after the other, as in the DuckDB shell.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import duckdb

from warehouse.sql_render import (
    MAX_ROWS,
    QUIT_COMMANDS,
    Expanded,
    render,
    run_interruptible,
    time_limit,
    timeout_seconds,
)

HELP = (
    "End each statement with ';'. Commands: .tables or \\d (list tables and views), "
    "\\d NAME (its columns), .quit (or Ctrl-D) to leave."
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


def _terminal_width(out: TextIO) -> int | None:
    """The terminal's width when ``out`` is one; ``None`` for a pipe or a file (no limit)."""
    try:
        is_terminal = out.isatty()
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns if is_terminal else None


def write_result(
    con: duckdb.DuckDBPyConnection, sql: str, out: TextIO, *, as_csv: bool = False
) -> None:
    """Run one statement and write its result (nothing for statements without one).

    As a table every column is shown and doubles are rounded (see :mod:`warehouse.sql_render`);
    on a terminal too narrow for the table, records are shown vertically. CSV keeps every row
    and full precision.
    """
    if as_csv:
        with time_limit(con, timeout_seconds()):
            cursor = con.execute(sql)
            if not cursor.description:
                return
            rows = cursor.fetchall()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([d[0] for d in cursor.description])
        writer.writerows(rows)
        return
    text = render(
        run_interruptible(con, sql, MAX_ROWS), width=_terminal_width(out), expanded=Expanded.AUTO
    )
    if text:
        out.write(text + "\n")


def statements(lines: Iterable[str]) -> Iterator[str]:
    """Group input lines into statements ending with ';' (or meta-commands on one line: ``.``
    or, as in psql, ``\\``)."""
    buffer: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not buffer and (stripped.startswith((".", "\\")) or stripped.lower() in QUIT_COMMANDS):
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


def write_backslash_command(con: duckdb.DuckDBPyConnection, command: str, out: TextIO) -> None:
    """psql's habits (``\\d``, ``\\dt``: the relations; ``\\d NAME``: its columns), answered
    as the terminal session answers them rather than sent to DuckDB as SQL."""
    from warehouse.sql_shell import Catalog, ShellState, run_input

    command = command.strip().rstrip(";")
    name, _, argument = command.partition(" ")
    if name in ("\\dv", "\\dt+", "\\d+", "\\dv+") and not argument.strip():
        command = "\\dt"  # psql's variants of the list: one list of tables and views here
    for block in run_input(con, Catalog.read(con), ShellState(), command, width=None):
        out.write(block + "\n")


def repl(
    con: duckdb.DuckDBPyConnection,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    *,
    as_csv: bool = False,
) -> int:
    """Run the statements read from ``stdin`` until its end or ``.quit``; return the error count.

    A failing statement prints its error and the rest goes on, as in the DuckDB shell.
    """
    errors = 0
    for statement in statements(iter(stdin.readline, "")):
        lowered = statement.lower()
        if lowered in QUIT_COMMANDS:
            break
        try:
            if lowered == ".tables":
                write_result(con, TABLES_SQL, out, as_csv=as_csv)
            elif lowered in (".help", "help"):
                out.write(HELP + "\n")
            elif statement.startswith("\\"):
                write_backslash_command(con, statement, out)
            elif statement.startswith("."):
                raise ValueError(f"unknown command {statement}; {HELP}")
            else:
                write_result(con, statement, out, as_csv=as_csv)
        except (duckdb.Error, ValueError) as exc:
            errors += 1
            err.write(f"Error: {exc}\n")
            err.flush()
    return errors


def run_sql(
    path: Path, sql: str | None, *, as_csv: bool = False, history_file: Path | None = None
) -> int:
    """The ``dxwh sql`` command: exit status 0 when every statement succeeded.

    With no ``sql`` and a terminal on both ends, the interactive session starts (its history
    kept in ``history_file``); otherwise statements are read from standard input.
    """
    try:
        con = connect_published(path)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            print(f"Error: {exc}", file=sys.stderr)
            return 2
        print(
            f"{path} đang được một tiến trình khác ghi (lần chạy hằng đêm): không mở được lúc "
            f"này; chờ tiến trình đó xong. / {path} is being written by another process (the "
            f"night): try again once it has finished. ({exc})",
            file=sys.stderr,
        )
        return 2
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    with con:
        try:
            return _run(con, sql, as_csv=as_csv, history_file=history_file)
        except KeyboardInterrupt:
            print("Query cancelled.", file=sys.stderr)
            return 130  # the shell's status for a command ended by Ctrl-C


def _run(
    con: duckdb.DuckDBPyConnection, sql: str | None, *, as_csv: bool, history_file: Path | None
) -> int:
    if sql is None:
        if sys.stdin.isatty() and sys.stdout.isatty() and not as_csv:
            from warehouse.sql_shell import interactive

            return 1 if interactive(con, history_file, sys.stdout, sys.stderr) else 0
        return 1 if repl(con, sys.stdin, sys.stdout, sys.stderr, as_csv=as_csv) else 0
    try:
        if sql.strip().startswith("\\"):
            write_backslash_command(con, sql, sys.stdout)
        else:
            write_result(con, sql, sys.stdout, as_csv=as_csv)
    except (duckdb.Error, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0
