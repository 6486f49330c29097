"""The interactive ``dxwh sql`` session, driven in a real pseudo-terminal as an analyst types.

Keys are sent as a terminal sends them (Tab, Enter as ``\\r``, Up as ``ESC [ A``, Ctrl-C, Ctrl-D)
and the rendered output is read back. Every wait is on something appearing, with a generous
ceiling for a loaded machine.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from core.settings import Settings
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.sql import connect_published
from warehouse.sql_shell import Catalog, WarehouseCompleter, is_complete

CEILING = 120  # seconds; only reached when something is wrong
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"
# the prompt as prompt-toolkit draws it (the space after it is drawn as a cursor move)
PROMPT = "dx>"
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


def plain(text: str) -> str:
    """Terminal output without its escape sequences and carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


@pytest.fixture
def published(data_home: Settings) -> Settings:
    build_sample_marts(data_home)
    publish(data_home)
    return data_home


def spawn(settings: Settings, *, columns: int = 120) -> pexpect.spawn:
    """``dxwh sql`` in a pseudo-terminal of ``columns`` × 40, at its first prompt."""
    child = pexpect.spawn(
        str(Path(sys.executable).with_name("dxwh")),
        ["sql"],
        env={
            **os.environ,
            "DXWH_HOME": str(settings.home),
            "TERM": "xterm-256color",
            # a pseudo-terminal answers no cursor-position request; do not wait for one
            "PROMPT_TOOLKIT_NO_CPR": "1",
        },
        encoding="utf-8",
        dimensions=(40, columns),
        timeout=CEILING,
    )
    child.logfile_read = io.StringIO()  # everything the terminal showed, for transcript()
    child.expect_exact(PROMPT)
    return child


def transcript(child: pexpect.spawn) -> str:
    """All the session has written to the terminal so far, as plain text."""
    return plain(child.logfile_read.getvalue())


@pytest.fixture
def session(published: Settings) -> Iterator[pexpect.spawn]:
    child = spawn(published)
    yield child
    child.close(force=True)


def run(child: pexpect.spawn, text: str, until: str = r"\(\d+ rows?\)") -> str:
    """Type ``text`` and Enter; return the plain output up to ``until``."""
    child.send(text + "\r")
    child.expect(until)
    return plain(child.before + child.after)


def leave(child: pexpect.spawn) -> int:
    child.send(CTRL_D)
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus or 0)


def test_tab_completes_a_table_and_the_result_is_drawn(session: pexpect.spawn) -> None:
    session.send("select count(*) as n_rows from marts.fct_sta")
    session.send("\t")
    session.expect_exact("ffing")  # the one table that fits is inserted

    output = run(session, ";")

    assert re.search(r"│ +n_rows │", output)
    assert re.search(r"│ +5 │", output)  # fct_staffing's sample rows
    assert "(1 row)" in output
    assert leave(session) == 0


def test_ctrl_c_drops_the_typed_statement_without_a_traceback(session: pexpect.spawn) -> None:
    session.send("select 'never run")
    session.send(CTRL_C)

    output = run(session, "select 42 as answer;")

    assert re.search(r"│ +42 │", output)
    assert "Traceback" not in transcript(session) and "KeyboardInterrupt" not in output
    assert "never run" not in output.split("select 42")[-1]
    assert leave(session) == 0


def test_ctrl_c_cancels_a_running_query_and_the_session_goes_on(session: pexpect.spawn) -> None:
    # a query that would run for hours
    session.send("select count(*) from range(100000000000) as a, range(10) as b;\r")
    # Ctrl-C stops it only once the prompt has handed the terminal back; until the query is
    # seen cancelled, press it again (a press that reaches a prompt only clears it)
    for _ in range(CEILING):
        session.send(CTRL_C)
        if session.expect_exact(["Query cancelled.", pexpect.TIMEOUT], timeout=1) == 0:
            break
    else:
        pytest.fail("the running query was not cancelled")

    output = run(session, "select 'still here' as msg;")

    assert "│ still here │" in output
    assert "Traceback" not in transcript(session)
    assert leave(session) == 0


def test_up_recalls_the_last_statement_across_sessions(published: Settings) -> None:
    first = spawn(published)
    run(first, "select 'from history' as msg;")
    assert leave(first) == 0

    second = spawn(published)
    second.send(UP)
    second.expect_exact("from history")  # recalled into the prompt
    output = run(second, "")

    assert re.search(r"│ from history │", output)
    assert leave(second) == 0
    history = published.home / "history" / "sql"
    assert "select 'from history' as msg;" in history.read_text(encoding="utf-8")


def test_a_statement_runs_only_when_it_ends_with_a_semicolon(session: pexpect.spawn) -> None:
    session.send("select\r")
    session.send("    6 * 7 as answer\r")
    session.expect_exact("..>")  # the continuation prompt: nothing has run yet

    output = run(session, "    ;")

    assert re.search(r"│ +42 │", output)
    assert "(1 row)" in output and "Error" not in output


def test_a_wide_result_is_shown_vertically_with_every_column(published: Settings) -> None:
    child = spawn(published, columns=60)

    output = run(child, "select * from analyst.target_progress;")

    with connect_published(published.published_db) as con:
        columns = con.sql("select * from analyst.target_progress").columns
    assert "-[ RECORD 1 ]" in output and "-[ RECORD 4 ]" in output
    for column in columns:
        assert re.search(rf"^{column} +│ ", output, re.MULTILINE), column
    assert re.search(r"^gap +│ 0\.5$", output, re.MULTILINE)

    run(child, "\\x off", until="Expanded display is off")
    output = run(child, "select target_id, status from analyst.target_progress limit 1;")
    assert "RECORD" not in output and re.search(r"│ target_id +│ status +│", output)
    assert leave(child) == 0


def test_describe_shows_columns_with_types_and_descriptions(session: pexpect.spawn) -> None:
    output = run(session, "\\d quality.dq_runs", until=r"gate +VARCHAR +[^\n]+\n")

    assert "table quality.dq_runs: " in output
    assert re.search(r"n_passed +BIGINT +Số kiểm tra đạt — Expectations that held\.", output)
    assert "open (data published) or closed" in output


def test_the_session_stays_read_only(session: pexpect.spawn) -> None:
    session.send("copy marts.fct_staffing to '/tmp/dxwh-shell-leak.csv';\r")
    session.expect(r"(?i)disabled")
    output = plain(session.before)

    assert "Error: " in output
    assert not Path("/tmp/dxwh-shell-leak.csv").exists()


def _completions(catalog: Catalog, text: str, cursor: int | None = None) -> list[str]:
    document = Document(text, cursor_position=len(text) if cursor is None else cursor)
    found = WarehouseCompleter(catalog).get_completions(document, CompleteEvent())
    return [c.text for c in found]


def test_completion_knows_schemas_tables_columns_and_keywords(published: Settings) -> None:
    with connect_published(published.published_db) as con:
        catalog = Catalog.read(con)
    aliased = "select s.n_de from marts.fct_staffing as s"
    unqualified = "select n_sta from marts.fct_staffing"

    assert _completions(catalog, "select * from marts.fct_s") == ["fct_staffing"]
    assert "analyst" in _completions(catalog, "select * from an")
    assert _completions(catalog, aliased, cursor=len("select s.n_de")) == ["n_dedicated"]
    assert _completions(catalog, "select s.n_de") == []  # no relation called s
    assert _completions(catalog, "select fct_staffing.n_con") == ["n_concurrent"]
    assert _completions(catalog, unqualified, cursor=len("select n_sta"))[0] == "n_staff"
    assert "group" in _completions(catalog, "select 1 gro")
    assert "sum" in _completions(catalog, "select su")


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("select 1;", True),
        ("select 1", False),
        ("select\n  1\n;  ", True),
        (".tables", True),
        ("\\x", True),
        ("", True),
        ("exit", True),
    ],
)
def test_enter_runs_only_complete_input(text: str, complete: bool) -> None:
    assert is_complete(text) is complete
