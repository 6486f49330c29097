"""The interactive ``dxwh sql`` session in a terminal, built on prompt-toolkit.

prompt-toolkit (the line editor of IPython and pgcli) gives what an analyst expects of a SQL
prompt without hand-written terminal code: arrow-key editing, a history kept in a file and
searched with Up or Ctrl-R, completion from a menu, multi-line statements. What is ours is only
what is specific to the warehouse: the completion candidates (SQL keywords and functions, and
the published file's schemas, tables and columns, described by their comments), the rule that
a statement ends at ``;``, and the meta-commands.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb
from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from core.private_files import create_private, private_dir
from warehouse.sql_render import MAX_ROWS, QUIT_COMMANDS, Expanded, render, run_interruptible

PROMPT = "dx> "
CONTINUATION = "..> "
HELP = """\
End each statement with ';' (Enter before it continues the statement on a new line).
  Tab            complete keywords, functions, schemas, tables and columns
  Up / Ctrl-R    recall / search earlier statements (kept between sessions)
  Ctrl-C         cancel the statement being typed (or the running query)
  Ctrl-D         leave (also .quit)
  .tables        list tables and views with their descriptions
  \\d NAME        the columns of a table or view, with types and descriptions
  \\x [on|off|auto]  records one per block (on), as a table (off), or vertical when too wide"""

_INTERNAL_SCHEMAS = ("information_schema", "pg_catalog")
_FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# the word being completed: identifiers, possibly qualified (schema.table.column)
_WORD_BEFORE_CURSOR = re.compile(r"[A-Za-z_][\w.]*$|$")
# `schema.table [as] alias` in the statement, to complete `alias.` with the table's columns
_TABLE_REFERENCE = re.compile(
    r"\b([a-z_]\w*)\.([a-z_]\w*)(?:\s+(?:as\s+)?([a-z_]\w*))?", re.IGNORECASE
)
_NOT_ALIASES = frozenset(
    {"where", "group", "order", "left", "right", "inner", "join", "on", "limit", "union"}
)


@dataclass
class Catalog:
    """What the published file holds, read once when the session starts."""

    schemas: list[str] = field(default_factory=list)
    # (schema, name) -> (kind, comment)
    relations: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (schema, name) -> [(column, type, comment)]
    columns: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Catalog:
        """The relations, columns and comments of the open file, and DuckDB's keywords and
        function names."""
        catalog = cls()
        excluded = ", ".join(f"'{s}'" for s in _INTERNAL_SCHEMAS)
        for schema, name, kind, comment in con.execute(
            "select schema_name, table_name, 'table', coalesce(comment, '') from duckdb_tables() "
            "where not internal union all "
            "select schema_name, view_name, 'view', coalesce(comment, '') from duckdb_views() "
            f"where not internal and schema_name not in ({excluded})"
        ).fetchall():
            catalog.relations[(str(schema), str(name))] = (str(kind), str(comment))
        catalog.schemas = sorted({schema for schema, _ in catalog.relations})
        for schema, table, column, data_type, comment in con.execute(
            "select schema_name, table_name, column_name, data_type, coalesce(comment, '') "
            f"from duckdb_columns() where schema_name not in ({excluded}) "
            "order by schema_name, table_name, column_index"
        ).fetchall():
            key = (str(schema), str(table))
            if key in catalog.relations:
                catalog.columns.setdefault(key, []).append(
                    (str(column), str(data_type), str(comment))
                )
        catalog.keywords = sorted(
            str(k).lower()
            for (k,) in con.execute("select keyword_name from duckdb_keywords()").fetchall()
        )
        catalog.functions = sorted(
            {
                str(f)
                for (f,) in con.execute(
                    "select function_name from duckdb_functions() "
                    "where function_type in ('scalar', 'aggregate', 'table', 'macro')"
                ).fetchall()
                if _FUNCTION_NAME.match(str(f))
            }
        )
        return catalog

    def find(self, name: str) -> tuple[str, str] | None:
        """A relation named ``schema.name`` or, when unambiguous, just ``name``."""
        schema, _, table = name.lower().rpartition(".")
        matches = [
            key for key in self.relations if key[1] == table and (not schema or key[0] == schema)
        ]
        return matches[0] if len(matches) == 1 else None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WarehouseCompleter(Completer):
    """Completes SQL keywords and functions, and the published schemas, tables and columns.

    After ``schema.`` it offers that schema's tables and views; after ``table.`` or an alias
    (``from marts.fct_staffing as s`` … ``s.``) that relation's columns. Elsewhere it offers
    the columns of the relations the statement names first, then relations, schemas, keywords
    and functions. The menu shows each table's and column's description.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def _referenced(self, text: str) -> dict[str, tuple[str, str]]:
        """Relations the statement names, by the names it can use for them (alias, table)."""
        found: dict[str, tuple[str, str]] = {}
        for schema, table, alias in _TABLE_REFERENCE.findall(text):
            key = (schema.lower(), table.lower())
            if key not in self.catalog.relations:
                continue
            found[table.lower()] = key
            if alias and alias.lower() not in _NOT_ALIASES:
                found[alias.lower()] = key
        return found

    def _columns(self, key: tuple[str, str], partial: str) -> Iterator[Completion]:
        for column, data_type, comment in self.catalog.columns.get(key, []):
            if column.lower().startswith(partial.lower()):
                yield Completion(
                    column,
                    start_position=-len(partial),
                    display_meta=_short(f"{data_type} {comment}".strip()),
                )

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        match = _WORD_BEFORE_CURSOR.search(document.text_before_cursor)
        word = match.group() if match else ""
        referenced = self._referenced(document.text)
        if "." in word:
            prefix, _, partial = word.rpartition(".")
            lowered = prefix.lower()
            if lowered in self.catalog.schemas:
                for (schema, name), (kind, comment) in sorted(self.catalog.relations.items()):
                    if schema == lowered and name.startswith(partial.lower()):
                        yield Completion(
                            name,
                            start_position=-len(partial),
                            display_meta=_short(f"{kind}: {comment}" if comment else kind),
                        )
                return
            key = referenced.get(lowered) or self.catalog.find(lowered)
            if key:
                yield from self._columns(key, partial)
            return
        if not word:
            return
        seen: set[str] = set()
        for key in dict.fromkeys(referenced.values()):
            for completion in self._columns(key, word):
                if completion.text not in seen:
                    seen.add(completion.text)
                    yield completion
        lowered = word.lower()
        for schema, name in sorted(self.catalog.relations):
            qualified = f"{schema}.{name}"
            if name.startswith(lowered) or qualified.startswith(lowered):
                kind, comment = self.catalog.relations[(schema, name)]
                yield Completion(
                    qualified,
                    start_position=-len(word),
                    display_meta=_short(f"{kind}: {comment}" if comment else kind),
                )
        for candidates, meta in (
            (self.catalog.schemas, "schema"),
            (self.catalog.keywords, "keyword"),
            (self.catalog.functions, "function"),
        ):
            for candidate in candidates:
                if candidate.startswith(lowered) and candidate not in seen:
                    seen.add(candidate)
                    yield Completion(candidate, start_position=-len(word), display_meta=meta)


def is_complete(text: str) -> bool:
    """Whether Enter should run the input: it ends with ``;``, or is a meta-command or empty."""
    stripped = text.strip()
    return (
        not stripped
        or stripped.endswith(";")
        or stripped.startswith((".", "\\"))
        or stripped.lower() in QUIT_COMMANDS
    )


@dataclass
class ShellState:
    expanded: Expanded = Expanded.AUTO


def describe(catalog: Catalog, name: str) -> str:
    """``\\d NAME``: the relation's description and its columns with types and descriptions."""
    key = catalog.find(name)
    if key is None:
        raise ValueError(f"no table or view {name!r}; .tables lists them")
    kind, comment = catalog.relations[key]
    lines = [f"{kind} {key[0]}.{key[1]}" + (f": {comment}" if comment else "")]
    columns = catalog.columns.get(key, [])
    width = max((len(c) for c, _, _ in columns), default=0)
    type_width = max((len(t) for _, t, _ in columns), default=0)
    lines += [f"  {c.ljust(width)}  {t.ljust(type_width)}  {d}".rstrip() for c, t, d in columns]
    return "\n".join(lines)


def set_expanded(state: ShellState, argument: str) -> str:
    """``\\x``: toggle vertical records, or set them ``on``, ``off`` or ``auto``."""
    if argument:
        try:
            state.expanded = Expanded(argument.lower())
        except ValueError:
            raise ValueError(f"\\x takes on, off or auto, not {argument!r}") from None
    else:
        state.expanded = Expanded.OFF if state.expanded is Expanded.ON else Expanded.ON
    return f"Expanded display is {state.expanded.value}."


def run_input(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    state: ShellState,
    text: str,
    *,
    width: int | None,
) -> Iterator[str]:
    """Run one accepted input (statements or a meta-command); yield what to print.

    Raises ``duckdb.Error`` or ``ValueError`` for the first failing statement.
    """
    stripped = text.strip()
    command, _, argument = stripped.partition(" ")
    if command in (".tables", "\\dt") or (command == "\\d" and not argument):
        yield "\n".join(
            f"{schema}.{name}  ({kind}){': ' + comment if comment else ''}"
            for (schema, name), (kind, comment) in sorted(catalog.relations.items())
        )
    elif command == "\\d":
        yield describe(catalog, argument.strip().rstrip(";"))
    elif command == "\\x":
        yield set_expanded(state, argument.strip().rstrip(";"))
    elif command in (".help", "\\?", "help"):
        yield HELP
    elif stripped.startswith((".", "\\")):
        raise ValueError(f"unknown command {command}; .help lists the commands")
    else:
        for statement in con.extract_statements(stripped):
            result = run_interruptible(con, str(statement.query), MAX_ROWS)
            yield render(result, width=width, expanded=state.expanded)


def interactive(
    con: duckdb.DuckDBPyConnection, history_file: Path | None, out: TextIO, err: TextIO
) -> int:
    """The terminal session: read, run and print until Ctrl-D or ``.quit``; return the errors.

    Ctrl-C clears the statement being typed, or cancels the running query; neither ends the
    session nor prints a traceback. The history is kept in ``history_file`` (``None``: for
    this session only).
    """
    history: History = InMemoryHistory()
    if history_file is not None:
        # what was typed may quote names: the history is this user's only (core.private_files)
        private_dir(history_file.parent)
        os.close(create_private(history_file, append=True))
        history = FileHistory(str(history_file))
    catalog = Catalog.read(con)
    state = ShellState()
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=WarehouseCompleter(catalog),
        # completion on Tab, as in psql and the DuckDB shell: a menu opening at every key
        # press covers the lines being typed
        complete_while_typing=False,
        auto_suggest=AutoSuggestFromHistory(),
        multiline=Condition(lambda: not is_complete(session.default_buffer.text)),
        prompt_continuation=CONTINUATION,
        enable_history_search=False,
    )
    out.write("dxwh sql: the published warehouse, read-only. .help for help, Ctrl-D to leave.\n")
    out.flush()
    errors = 0
    while True:
        try:
            text = session.prompt(PROMPT)
        except KeyboardInterrupt:
            continue  # the input is dropped; a new prompt follows
        except EOFError:
            break
        if text.strip().lower().rstrip(";") in QUIT_COMMANDS:
            break
        if not text.strip():
            continue
        width = session.output.get_size().columns
        try:
            errors += evaluate(con, catalog, state, text, width, out, err)
        except KeyboardInterrupt:
            # a second Ctrl-C while the first was being answered: the query has already stopped
            err.write("Query cancelled.\n")
            err.flush()
    return errors


def evaluate(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    state: ShellState,
    text: str,
    width: int,
    out: TextIO,
    err: TextIO,
) -> int:
    """Run one input and print its results or its error; return 1 on an error, else 0."""
    failed = 0
    try:
        for block in run_input(con, catalog, state, text, width=width):
            out.write(block + "\n")
            out.flush()
    except KeyboardInterrupt:
        con.interrupt()
        err.write("Query cancelled.\n")
    except (duckdb.Error, ValueError) as exc:
        failed = 1
        err.write(f"Error: {exc}\n")
    err.flush()
    return failed
