"""The incremental facts grown night by night equal a full refresh of the same inputs, and a
night rebuilds only the periods whose inputs changed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from core.settings import DBT_PROJECT_DIR, Settings
from ingest.demo.generate import generate_demo
from pipeline import dbt_runner
from pipeline.dbt_runner import as_of_vars, macros_digest, run_dbt
from pipeline.nightly import step_ingest
from pipeline.quiet_night import code_fingerprint

INCREMENTAL_MODELS = (
    "intermediate.int_staff_members_enriched",
    "marts.fct_staffing",
    "intermediate.int_units_measured",
    "marts.fct_reporting_compliance",
    "marts.fct_target_holdbacks",
)
# the models incremental by period (macros/incremental_by_period.sql)
BY_PERIOD = ("int_units_measured", "fct_reporting_compliance", "fct_target_holdbacks")
# only what the incremental models need: no tests, no docs, so the builds stay quick
SELECT = (
    "--select",
    "+fct_staffing",
    "+fct_reporting_compliance",
    "+fct_target_holdbacks",
    "--exclude-resource-type",
    "test",
    "unit_test",
)
# night 1: the year 2023 is due, 2024-H1 still in progress; night 2: 2024-H1 is due too
NIGHT_1 = dt.date(2024, 7, 10)
NIGHT_2 = dt.date(2024, 8, 20)


def _tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            name: con.execute(f"select * from {name} order by all").fetchall()
            for name in INCREMENTAL_MODELS
        }


def _periods_to_build(settings: Settings) -> dict[str, set[str]]:
    """Per model built by period: the periods whose inputs differ from those of its last build."""
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            model: {
                period
                for (period,) in con.execute(
                    "select inputs.period_id from intermediate.int_period_inputs as inputs "
                    f"left join incremental_state.{model} as built "
                    "on inputs.period_id = built.period_id "
                    "and inputs.inputs_hash = built.inputs_hash where built.period_id is null"
                ).fetchall()
            }
            for model in BY_PERIOD
        }


def test_incremental_build_equals_full_refresh(data_home: Settings, tmp_path: Path) -> None:
    inbox = data_home.inbox_submissions
    # a year and a half-year of the departments, with the demo's messy files: each period has
    # a file that a corrected one supersedes
    files = generate_demo(
        inbox,
        data_home.home / "demo" / "manifest.json",
        periods=("2023", "2024-H1"),
        levels=("province",),
        mess_share=0.2,
        workers=1,  # no process pool inside the test process
    ).files
    superseded = next(
        f for f in files if f["period_id"] == "2024-H1" and f["expected_status"] == "superseded"
    )
    correction = next(
        f
        for f in files
        if (f["unit_id"], f["period_id"]) == (superseded["unit_id"], superseded["period_id"])
        and f["expected_status"] in ("accepted", "partial")
    )
    # night 1: the year and the first half-year without its correction; night 2: the correction
    held_back = tmp_path / "held_back"
    target = held_back / str(correction["file"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(inbox / str(correction["file"]), target)

    step_ingest(data_home, "night-1")
    run_dbt(data_home, "build", *SELECT, as_of=NIGHT_1)
    first_night = _tables(data_home)
    assert _periods_to_build(data_home) == {model: set() for model in BY_PERIOD}

    shutil.copytree(held_back, inbox, dirs_exist_ok=True)
    step_ingest(data_home, "night-2")
    # the inputs as night 2 sees them (its as-of day), before its build
    run_dbt(data_home, "run", "--select", "int_periods", "int_period_inputs", as_of=NIGHT_2)
    # 2024-H1: a correction and now due; 2024-H2: begun; 2023 untouched, kept as built
    assert _periods_to_build(data_home) == {model: {"2024-H1", "2024-H2"} for model in BY_PERIOD}

    run_dbt(data_home, "build", *SELECT, as_of=NIGHT_2)
    incremental = _tables(data_home)
    assert _periods_to_build(data_home) == {model: set() for model in BY_PERIOD}
    run_dbt(data_home, "build", *SELECT, "--full-refresh", as_of=NIGHT_2)
    full_refresh = _tables(data_home)

    assert incremental == full_refresh
    for name in INCREMENTAL_MODELS:
        assert incremental[name], name
    assert incremental != first_night
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        n_staff = con.execute(
            "select n_staff from marts.fct_staffing where unit_id = ? and period_id = ?",
            [superseded["unit_id"], superseded["period_id"]],
        ).fetchone()
        statuses = dict(
            con.execute(
                "select period_id, count(*) filter (where reporting_status = 'not_yet_due') "
                "from marts.fct_reporting_compliance group by period_id"
            ).fetchall()
        )
    assert n_staff == (correction["n_staff"],), "the correction must supersede the first file"
    assert superseded["n_staff"] != correction["n_staff"]
    # 2024-H1 was in progress on night 1; night 2 rebuilt it as due
    assert statuses["2024-H1"] == 0
    assert "2024-H2" in statuses


def _one_built_year(data_home: Settings) -> set[str]:
    """A night of the province's 2023 reports, built; the periods begun by then."""
    generate_demo(
        data_home.inbox_submissions,
        data_home.home / "demo" / "manifest.json",
        periods=("2023",),
        levels=("province",),
        mess_share=0.0,
        workers=1,
    )
    step_ingest(data_home, "night-1")
    run_dbt(data_home, "build", *SELECT, as_of=NIGHT_1)
    assert _periods_to_build(data_home) == {model: set() for model in BY_PERIOD}
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        return {
            p for (p,) in con.execute("select period_id from intermediate.int_periods").fetchall()
        }


def test_registry_change_rebuilds_every_period(data_home: Settings) -> None:
    begun = _one_built_year(data_home)
    with duckdb.connect(str(data_home.build_db)) as con:
        # a unit renamed in the registry (the snapshot records the new state)
        con.execute(
            "update raw.reporting_units set unit_name = unit_name || ' (mới)' "
            "where unit_id = (select min(unit_id) from raw.reporting_units)"
        )
    run_dbt(data_home, "snapshot", as_of=NIGHT_1)
    run_dbt(data_home, "run", "--select", "int_periods", "int_period_inputs", as_of=NIGHT_1)
    assert len(begun) > 1
    assert _periods_to_build(data_home) == {model: begun for model in BY_PERIOD}


def test_a_changed_macro_rebuilds_every_period(
    data_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dbt's checksums cover models and seeds, not macros: the nightly passes the macros' digest
    copy = tmp_path / "macros"
    shutil.copytree(DBT_PROJECT_DIR / "macros", copy)
    assert code_fingerprint([copy]) == code_fingerprint([DBT_PROJECT_DIR / "macros"])
    edited = copy / "as_of_date.sql"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert code_fingerprint([copy]) != code_fingerprint([DBT_PROJECT_DIR / "macros"])
    assert json.loads(as_of_vars(None)[1]) == {"macros_digest": macros_digest()}

    begun = _one_built_year(data_home)
    # a deployment whose macros differ: the digest the nightly would pass for them
    monkeypatch.setattr(dbt_runner, "macros_digest", lambda: code_fingerprint([copy])[:16])
    run_dbt(data_home, "run", "--select", "int_period_inputs", as_of=NIGHT_1)
    assert len(begun) > 1
    assert _periods_to_build(data_home) == {model: begun for model in BY_PERIOD}
