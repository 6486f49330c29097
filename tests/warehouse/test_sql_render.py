"""Results as text: every column, doubles rounded, vertical records when too wide."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import duckdb
import pytest

from warehouse.sql_render import (
    Expanded,
    Result,
    format_float,
    format_value,
    render,
    run_query,
    stop,
)

CEILING = 120  # seconds; only reached when something is wrong


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1 / 36, "0.0277778"),
        (0.7069, "0.7069"),
        (0.1 + 0.2, "0.3"),
        (80.0, "80"),
        (-0.5803, "-0.5803"),
        (1234567.891, "1234568"),
        (0.00012345, "0.00012345"),
        (1e-9, "1e-09"),
        (0.0, "0"),
        (float("nan"), "nan"),
    ],
)
def test_doubles_are_rounded_to_what_a_person_reads(value: float, text: str) -> None:
    assert format_float(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "NULL"),
        (True, "true"),
        (Decimal("0.1234"), "0.1234"),
        (dt.date(2025, 12, 31), "2025-12-31"),
        ("Sở\nThông tin", "Sở↵Thông tin"),
        (7, "7"),
    ],
)
def test_cells_as_text(value: object, text: str) -> None:
    assert format_value(value) == text


WIDE = Result(
    columns=[f"column_{i:02d}" for i in range(30)],
    types=["DOUBLE"] * 30,
    rows=[tuple(i / 7 for i in range(30)), tuple(range(30))],
)


def test_a_table_for_a_pipe_has_every_column() -> None:
    text = render(WIDE, width=None)

    header = text.splitlines()[1]
    assert [c.strip() for c in header.strip("│").split("│")] == WIDE.columns
    assert text.endswith("(2 rows)")


def test_too_wide_for_the_terminal_turns_vertical() -> None:
    text = render(WIDE, width=100)

    assert text.splitlines()[0].startswith("-[ RECORD 1 ]")
    assert "column_29 │ 4.14286" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_expanded_on_and_off_are_obeyed() -> None:
    narrow = Result(columns=["a"], types=["INTEGER"], rows=[(1,)])

    assert "RECORD" in render(narrow, width=100, expanded=Expanded.ON)
    assert "RECORD" not in render(WIDE, width=100, expanded=Expanded.OFF)


def test_a_cut_result_says_so() -> None:
    result = Result(columns=["a"], types=["INTEGER"], rows=[(1,), (2,)], truncated=True)

    assert render(result, width=None).endswith(
        "(first 2 rows shown; add a limit or use --csv for all)"
    )


def test_stopping_a_query_that_has_not_started_yet_still_stops_it() -> None:
    # DuckDB forgets an interrupt that comes before its query starts: the worker here reaches
    # DuckDB only after the first interrupt, as it may on a loaded machine when Ctrl-C is quick
    con = duckdb.connect()
    started = threading.Event()

    def late_query() -> Result:
        started.wait(CEILING)
        return run_query(con, "select count(*) from range(100000000000) as a, range(10) as b", 1)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(late_query)
        con.interrupt()  # before the query: lost
        started.set()
        stop(con, future)  # returns only once the query has ended

        assert future.done()
        with pytest.raises(duckdb.InterruptException):
            future.result()
