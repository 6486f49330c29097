"""Query results as people read them in a terminal: every column, numbers rounded sensibly.

DuckDB's own ``show()`` drops the middle columns of a wide result and prints doubles with every
binary digit (``0.02777777777777779``). Here a result is a table drawn by ``tabulate`` (which
measures Vietnamese and other wide characters correctly) with all its columns, or, when that is
wider than the terminal, one record per block with a line per column (psql's expanded display).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

import duckdb
from tabulate import tabulate  # type: ignore[import-untyped]
from wcwidth import wcwidth  # tabulate's own measure of wide characters

from core.settings import SQL_TIMEOUT_SETTING, sql_timeout_seconds

NULL = "NULL"
# significant digits of a double: enough for a DTI score (0.7069) or a share, never the noise
SIGNIFICANT_DIGITS = 6
# how often a query being stopped is interrupted again (see stop())
STOP_POLL_SECONDS = 0.05
TIMEOUT_SETTING = SQL_TIMEOUT_SETTING
# what ends a session, piped or in a terminal
QUIT_COMMANDS = frozenset({".quit", ".exit", "\\q", "quit", "exit"})
# rows shown as a table; --csv writes every row
MAX_ROWS = 1000


def get_cwidth(text: str) -> int:
    """The columns ``text`` takes on a terminal (wide characters 2, combining marks 0).

    What prompt_toolkit measures, without importing it: a one-shot ``dxwh sql`` never draws a
    terminal session, and prompt_toolkit alone is about a third of its start-up.
    """
    return sum(max(0, wcwidth(char)) for char in text)


class StatementTimeout(duckdb.InterruptException):
    """A statement ran past ``DXWH_SQL_TIMEOUT_SECONDS`` and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"câu lệnh chạy quá {seconds:g} giây nên đã bị dừng; thu hẹp truy vấn hoặc đặt "
            f"{TIMEOUT_SETTING} lớn hơn (0: không giới hạn). / statement stopped after "
            f"{seconds:g} s ({TIMEOUT_SETTING}; 0 for no limit)"
        )
        self.seconds = seconds


def timeout_seconds() -> float | None:
    """The statement time-out of ``dxwh sql`` (``DXWH_SQL_TIMEOUT_SECONDS``, read by
    :mod:`core.settings`; default 60 s, none at 0)."""
    return sql_timeout_seconds()


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float | None) -> Iterator[None]:
    """Interrupt ``con`` once ``seconds`` have passed; the interrupted statement then raises
    :class:`StatementTimeout` instead of DuckDB's interrupt error."""
    if seconds is None:
        yield
        return
    finished = threading.Event()
    fired = threading.Event()

    def watchdog() -> None:
        if finished.wait(seconds):
            return
        fired.set()
        # an interrupt that arrives before DuckDB starts is forgotten: ask until it has ended
        while not finished.is_set():
            con.interrupt()
            finished.wait(STOP_POLL_SECONDS)

    thread = threading.Thread(target=watchdog, name="dxwh-sql-timeout", daemon=True)
    thread.start()
    try:
        yield
    except duckdb.InterruptException:
        if fired.is_set():
            raise StatementTimeout(seconds) from None
        raise
    finally:
        finished.set()
        thread.join()


_NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


class Expanded(StrEnum):
    """How records are laid out: ``auto`` switches to vertical when the table does not fit."""

    OFF = "off"
    ON = "on"
    AUTO = "auto"


@dataclass(frozen=True)
class Result:
    """A fetched result: column names and types, the rows shown, and whether more exist."""

    columns: list[str]
    types: list[str]
    rows: list[tuple[object, ...]]
    truncated: bool = False


def format_float(value: float) -> str:
    """A double with :data:`SIGNIFICANT_DIGITS` significant digits, trailing zeros dropped.

    The integer part is never rounded away (``1234567.891`` prints ``1234568``); very small
    and very large magnitudes use exponent notation.
    """
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-4 or magnitude >= 1e15:
        return f"{value:.{SIGNIFICANT_DIGITS}g}"
    integer_digits = math.floor(math.log10(magnitude)) + 1
    decimals = max(SIGNIFICANT_DIGITS - integer_digits, 0)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: object) -> str:
    """One cell as text: ``NULL``, ``true``/``false``, rounded doubles, ISO dates."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, str):
        # a line break inside a cell would break the table's lines
        return value.replace("\r\n", "↵").replace("\n", "↵")
    return str(value)


def _is_numeric(type_name: str) -> bool:
    return type_name.upper().startswith(_NUMERIC_TYPES)


def render_table(result: Result) -> str:
    """All columns side by side, numbers right-aligned."""
    align = ["right" if _is_numeric(t) else "left" for t in result.types]
    table: str = tabulate(
        [[format_value(v) for v in row] for row in result.rows],
        headers=result.columns,
        tablefmt="rounded_outline",
        disable_numparse=True,
        colalign=align or None,
    )
    return table


def render_vertical(result: Result) -> str:
    """One block per record, one ``column | value`` line per column (psql's ``\\x``)."""
    width = max((get_cwidth(c) for c in result.columns), default=0)
    blocks = []
    for number, row in enumerate(result.rows, start=1):
        lines = [f"-[ RECORD {number} ]" + "-" * max(width - 10, 3)]
        lines += [
            f"{column}{' ' * (width - get_cwidth(column))} │ {format_value(value)}"
            for column, value in zip(result.columns, row, strict=True)
        ]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _footer(result: Result) -> str:
    n = len(result.rows)
    if result.truncated:
        return f"(first {n} rows shown; add a limit or use --csv for all)"
    return f"({n} row{'' if n == 1 else 's'})"


def render(result: Result, *, width: int | None = None, expanded: Expanded = Expanded.AUTO) -> str:
    """The result as text, ending with a row-count line.

    ``width`` is the terminal's width (``None``: not a terminal, never switch to vertical).
    With ``expanded`` ``auto``, a table wider than ``width`` is shown vertically instead, so
    no column is ever hidden or cut.
    """
    if not result.columns:
        return ""
    if expanded is Expanded.ON or not result.rows:
        body = render_vertical(result) if result.rows else render_table(result)
    else:
        body = render_table(result)
        too_wide = width is not None and max(map(get_cwidth, body.splitlines())) > width
        if expanded is Expanded.AUTO and too_wide:
            body = render_vertical(result)
    return f"{body}\n{_footer(result)}"


def run_query(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int) -> Result:
    """Run one statement and fetch at most ``max_rows`` rows of its result.

    The rest of a longer result is cancelled, so a ``select *`` on a big table costs what is
    shown. A statement without a result gives a :class:`Result` with no columns.
    """
    cursor = con.execute(sql)
    try:
        description = cursor.description or []
        rows = cursor.fetchmany(max_rows + 1) if description else []
    finally:
        con.abort()
    return Result(
        columns=[str(d[0]) for d in description],
        types=[str(d[1]) for d in description],
        rows=[tuple(r) for r in rows[:max_rows]],
        truncated=len(rows) > max_rows,
    )


def run_interruptible(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int) -> Result:
    """Run a query so that Ctrl-C stops it: ``KeyboardInterrupt`` once DuckDB has stopped.

    Python handles a signal only between bytecodes of the main thread, and DuckDB holds the
    main thread in C++ for the whole query; so the query runs in a worker thread while the main
    thread waits, and Ctrl-C asks DuckDB to interrupt the connection. While the query is in
    the worker, Ctrl-C only raises a flag (:func:`_ctrl_c_flags`): a ``KeyboardInterrupt``
    raised between any two bytecodes could leave this function after the query was handed to
    the worker but before anything stops it, and the next statement would then meet a
    connection still busy with the old one.
    """
    pressed = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxwh-sql")
    with pool, _ctrl_c_flags(pressed):
        future = pool.submit(_limited, con, sql, max_rows)
        while not pressed.is_set():
            done, _ = wait([future], timeout=STOP_POLL_SECONDS)
            if done:
                return future.result()
        stop(con, future)
    raise KeyboardInterrupt


@contextmanager
def _ctrl_c_flags(pressed: threading.Event) -> Iterator[None]:
    """Within the block, SIGINT sets ``pressed`` instead of raising (main thread only: no
    other thread receives signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda _signum, _frame: pressed.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _limited(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int) -> Result:
    with time_limit(con, timeout_seconds()):
        return run_query(con, sql, max_rows)


def stop(con: duckdb.DuckDBPyConnection, future: Future[Result]) -> None:
    """Interrupt ``con`` until the query of ``future`` has ended; return once it has.

    DuckDB forgets an interrupt that arrives before the query starts (each query clears the
    flag as it begins), and on a loaded machine Ctrl-C can come before the worker thread has
    reached DuckDB: one interrupt would then be lost and the query run on. So it is asked
    again at every short wait. More Ctrl-C presses while stopping change nothing.
    """
    while True:
        con.interrupt()
        try:
            done, _ = wait([future], timeout=STOP_POLL_SECONDS)
        except KeyboardInterrupt:
            continue
        if done:
            return
