"""The runner on a real build database: results in audit, row-count history, Data Docs, gate."""

from __future__ import annotations

import duckdb
import great_expectations.expectations as gxe
import pytest

from core.db import ensure_landing_tables, session
from core.settings import Settings
from expectations.gate import QualityGateClosed
from expectations.runner import run_validations
from expectations.spec import SuiteSpec, critical, warning
from pipeline.nightly import format_summary, step_validate
from pipeline.orchestrate import read_run_summary

STAFFING_SUITE = SuiteSpec(
    name="marts.fct_staffing",
    query="select * from marts.fct_staffing",
    build=lambda: [
        gxe.ExpectColumnValuesToBeBetween(
            column="n_staff", min_value=0, meta=critical("n_staff is not negative")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="n_staff", max_value=100, meta=warning("n_staff is at most 100")
        ),
    ],
)
DROP_RULE = "marts.fct_staffing keeps more than half of its 10 rows"


def _build_db(settings: Settings, n_staff: list[int]) -> None:
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.fct_staffing (unit_id varchar, n_staff int)")
        con.executemany(
            "insert into marts.fct_staffing values (?, ?)",
            [[f"u{i}", n] for i, n in enumerate(n_staff)],
        )


def _failed_rules(report: object) -> dict[str, str]:
    return {str(o.rule): o.severity for o in report.outcomes if not o.success}  # type: ignore[attr-defined]


def test_results_are_recorded_and_data_docs_built(data_home: Settings) -> None:
    _build_db(data_home, [3, 2, 150])

    report = run_validations(data_home, "run-1", suites=(STAFFING_SUITE,))

    assert report.gate_open
    assert [o.describe() for o in report.warnings] == [
        "marts.fct_staffing: n_staff is at most 100 [n_staff] — 1 of 3 rows break it "
        "— observed [150]"
    ]
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        rows = con.execute(
            "select suite, rule, severity, success, unexpected_count from audit.dq_results "
            "where run_id = 'run-1' order by rule"
        ).fetchall()
    assert rows == [
        ("marts.fct_staffing", "n_staff is at most 100", "warning", False, 1),
        ("marts.fct_staffing", "n_staff is not negative", "critical", True, 0),
    ]
    index = data_home.docs_dir / "gx" / "index.html"
    assert report.docs_index == str(index)
    assert "marts.fct_staffing" in index.read_text(encoding="utf-8")


def test_a_missing_table_is_a_critical_failure_not_a_skip(data_home: Settings) -> None:
    with session(data_home.build_db) as con:
        ensure_landing_tables(con)

    report = run_validations(data_home, "run-1", suites=(STAFFING_SUITE,))

    assert not report.gate_open
    [failure] = report.critical_failures
    assert failure.expectation == "table_exists"
    assert "marts.fct_staffing" in str(failure.error_message)


def test_row_count_drop_blocks_until_fixed_or_accepted(data_home: Settings) -> None:
    _build_db(data_home, [1] * 10)
    first = run_validations(data_home, "night-1", suites=())
    assert first.gate_open and not first.outcomes  # nothing to compare with yet

    _build_db(data_home, [1] * 8)  # −20%: worth a look, not a reason to stop
    second = run_validations(data_home, "night-2", suites=())
    assert _failed_rules(second) == {
        "marts.fct_staffing stays within −10%…×3 of its 10 rows": "warning"
    }
    assert second.gate_open

    _build_db(data_home, [1] * 4)  # the baseline is night 2 (8 rows): 4 is a 50% drop
    third = run_validations(data_home, "night-3", suites=())
    assert "marts.fct_staffing keeps more than half of its 8 rows" in _failed_rules(third)
    assert not third.gate_open

    # the defect persists: still compared with the last good night, still closed
    fourth = run_validations(data_home, "night-4", suites=())
    assert not fourth.gate_open

    # an operator confirms the removal was deliberate; the next night compares with it
    run_validations(data_home, "night-5", suites=(), accept_row_counts=True)
    sixth = run_validations(data_home, "night-6", suites=())
    assert sixth.gate_open and not sixth.warnings


def test_step_validate_records_a_closed_gate_and_names_the_failure(data_home: Settings) -> None:
    _build_db(data_home, [10] * 10)
    run_validations(data_home, "night-1", suites=())
    _build_db(data_home, [10] * 3)

    with pytest.raises(QualityGateClosed) as closed:
        step_validate(data_home, "night-2")

    assert "marts.fct_staffing keeps more than half of its 10 rows" in str(closed.value)
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        runs = con.execute(
            "select status, summary->>'$.validate.gate' from audit.pipeline_runs "
            "where run_id = 'night-2'"
        ).fetchall()
    assert runs == [("gate_closed", "closed")]
    summary = read_run_summary(data_home, "night-2")
    assert summary is not None
    text = format_summary(summary)
    assert "the quality gate is closed" in text
    assert "CRITICAL: audit.dq_row_counts: marts.fct_staffing keeps more than half" in text


def test_summary_lists_warnings_by_name() -> None:
    validate = {
        "expectations_passed": 9,
        "expectations_total": 10,
        "gate": "open",
        "warnings": ["raw.staff_rows: gender is Nam or Nữ [gender] — 1 of 5 rows break it"],
        "critical_failures": [],
        "data_docs": "/home/docs/gx/index.html",
    }

    text = format_summary({"run_id": "r", "validate": validate, "publish": {"published_path": "p"}})

    assert "9 of 10 passed, 1 warnings, 0 critical failures" in text
    assert "    warning: raw.staff_rows: gender is Nam or Nữ [gender]" in text
    assert "  published: p" in text


def test_suites_are_read_and_validated_one_frame_at_a_time(
    data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every frame held at once grew the night's memory with every period of history
    import dataclasses
    import gc
    import weakref

    from expectations import runner

    _build_db(data_home, [3, 2, 1])
    frames: list[weakref.ref[object]] = []
    held_at_validation: list[int] = []
    read, validate = runner._read, runner._validate

    def reading(*args: object) -> object:
        item = read(*args)  # type: ignore[arg-type]
        if item.frame is not None:
            frames.append(weakref.ref(item.frame))
        return item

    def validating(*args: object) -> object:
        gc.collect()
        held_at_validation.append(sum(frame() is not None for frame in frames))
        return validate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_read", reading)
    monkeypatch.setattr(runner, "_validate", validating)
    again = dataclasses.replace(
        STAFFING_SUITE, name="marts.fct_staffing_again", reads=("marts.fct_staffing",)
    )

    report = run_validations(data_home, "run-1", suites=(STAFFING_SUITE, again))

    assert report.gate_open
    assert held_at_validation == [1, 1, 1]  # two suites and the row counts, each alone
