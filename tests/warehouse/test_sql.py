"""``dxwh sql``: read-only SQL on the published warehouse, one-shot and statements piped in.

The terminal session is tested in ``test_sql_shell.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.db import session
from core.settings import Settings
from pipeline.cli import main as dxwh
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.sql import connect_published, statements


@pytest.fixture
def published(data_home: Settings) -> Settings:
    with session(data_home.build_db) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_x as select range as id, 'Đơn vị ' || range as unit_name "
            "from range(3)"
        )
    publish(data_home, views=())
    return data_home


def _dxwh(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("dxwh")), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "DXWH_HOME": str(settings.home)},
        check=False,
    )


def test_one_query_prints_its_result(published: Settings, capsys: pytest.CaptureFixture) -> None:
    code = dxwh(["sql", "select unit_name from marts.fct_x order by id"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Đơn vị 0" in out and "Đơn vị 2" in out


def test_csv_output(published: Settings, capsys: pytest.CaptureFixture) -> None:
    assert dxwh(["sql", "--csv", "select id, unit_name from marts.fct_x order by id"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "id,unit_name",
        "0,Đơn vị 0",
        "1,Đơn vị 1",
        "2,Đơn vị 2",
    ]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("delete from marts.fct_x", "read-only"),
        ("select * from read_csv('/etc/hostname')", "disabled"),
        ("copy marts.fct_x to '/tmp/dxwh-leak.csv'", "disabled"),
        ("attach '/tmp/dxwh-other.duckdb' as other", "disabled"),
        ("set enable_external_access = true", "locked"),
    ],
)
def test_writes_and_external_access_are_refused(
    published: Settings, capsys: pytest.CaptureFixture, statement: str, message: str
) -> None:
    code = dxwh(["sql", statement])

    assert code == 1
    assert message in capsys.readouterr().err.lower()


def test_statements_piped_to_stdin_run_in_order(published: Settings) -> None:
    script = (
        "select count(*) as n_units\n"
        "  from marts.fct_x;\n"
        "select * from marts.missing;\n"  # an error does not end the session
        ".tables\n"
        "select 'still here' as msg;\n"
        ".quit\n"
        "select 'after quit' as msg;\n"
    )

    done = _dxwh(published, "sql", stdin=script)

    assert done.returncode == 1  # one statement failed
    assert "n_units" in done.stdout and re.search(r"│ +3 │", done.stdout)
    assert "marts.fct_x" in done.stdout
    assert "still here" in done.stdout
    assert "after quit" not in done.stdout
    assert "Table with name missing does not exist" in done.stderr


def test_psql_describe_commands_piped_in_answer_with_the_relations(published: Settings) -> None:
    script = "\\d\n\\dt\n\\d marts.fct_x\n\\d+\n\\d marts.missing\n"

    done = _dxwh(published, "sql", stdin=script)

    assert "Parser Error" not in done.stderr
    listed = [line for line in done.stdout.splitlines() if line.startswith("marts.fct_x  (")]
    assert len(listed) == 3, done.stdout  # \d, \dt and \d+ each list the relations
    assert re.search(r"^  unit_name +VARCHAR", done.stdout, re.MULTILINE), done.stdout
    assert done.returncode == 1  # the missing relation is an error, said in one line
    assert done.stderr.count("Error:") == 1 and "marts.missing" in done.stderr


def test_psql_describe_as_one_query(published: Settings, capsys: pytest.CaptureFixture) -> None:
    assert dxwh(["sql", "\\d"]) == 0

    assert "marts.fct_x  (table)" in capsys.readouterr().out


# what a one-shot query never needs: the terminal session's toolkit, the orchestrator, the
# loaders, the portal's web stack, pandas and matplotlib (each is tenths of a second of start-up)
NOT_FOR_ONE_QUERY = (
    "prompt_toolkit", "airflow", "cosmos", "ingest", "fastapi", "jinja2", "pandas", "matplotlib",
)  # fmt: skip


def test_one_query_starts_without_the_terminal_session_or_the_night(published: Settings) -> None:
    probe = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "code = main(['sql', 'select count(*) from marts.fct_x'])\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({NOT_FOR_ONE_QUERY!r}))\n"
        "print('loaded:', ','.join(loaded))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "DXWH_HOME": str(published.home)},
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded: "


def test_query_file_by_name(published: Settings, tmp_path: Path) -> None:
    query = tmp_path / "ids.sql"
    query.write_text("-- ids\nselect max(id) as top_id from marts.fct_x\n")

    done = _dxwh(published, "sql", "--csv", "--file", str(query))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["top_id", "2"]


def test_missing_published_file_is_explained(
    data_home: Settings, capsys: pytest.CaptureFixture
) -> None:
    assert dxwh(["sql", "select 1"]) == 2
    assert "no published warehouse" in capsys.readouterr().err


def test_statements_split_on_semicolons_at_line_end() -> None:
    lines = ["select 1;\n", "\n", "select\n", "  2;\n", ".tables\n", "\\dt\n", "select 3\n"]

    assert list(statements(lines)) == ["select 1", "select\n  2", ".tables", "\\dt", "select 3"]


def test_a_wide_query_file_shows_every_column_and_rounds_doubles(data_home: Settings) -> None:
    build_sample_marts(data_home)
    publish(data_home)

    done = _dxwh(data_home, "sql", "-f", "target_progress")

    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[1]
    with connect_published(data_home.published_db) as con:
        columns = con.sql("select * from analyst.target_progress").columns
        (n_rows,) = con.execute("select count(*) from analyst.target_progress").fetchone() or (0,)
    assert [c.strip() for c in header.strip("│").split("│")] == columns
    assert n_rows > 1 and f"({n_rows} rows)" in done.stdout


def test_doubles_are_rounded_and_nulls_named(published: Settings) -> None:
    done = _dxwh(published, "sql", "select 1 / 36 as gap, null as missing, 0.7069::double as dti")

    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[3]
    assert [c.strip() for c in row.strip("│").split("│")] == ["0.0277778", "NULL", "0.7069"]


def test_csv_keeps_full_precision(published: Settings) -> None:
    done = _dxwh(published, "sql", "--csv", "select 1 / 36 as gap")

    assert done.stdout.splitlines() == ["gap", repr(1 / 36)]


ENDLESS = "select count(*) from range(1000000000000)"


@pytest.mark.parametrize("as_csv", [False, True])
def test_a_statement_past_the_time_out_is_stopped_with_one_line(
    published: Settings, as_csv: bool
) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "sql", *(["--csv"] if as_csv else []), ENDLESS],
        capture_output=True,
        text=True,
        env={**os.environ, "DXWH_HOME": str(published.home), "DXWH_SQL_TIMEOUT_SECONDS": "1"},
        timeout=300,  # without a time-out the statement runs for hours
    )
    assert done.returncode == 1
    assert "quá 1 giây nên đã bị dừng" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 240


def test_the_time_out_defaults_to_a_minute_and_zero_turns_it_off() -> None:
    from core.settings import sql_timeout_seconds

    assert sql_timeout_seconds({}) == 60
    assert sql_timeout_seconds({"DXWH_SQL_TIMEOUT_SECONDS": "5"}) == 5
    assert sql_timeout_seconds({"DXWH_SQL_TIMEOUT_SECONDS": "0"}) is None
