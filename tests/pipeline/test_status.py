"""``dxwh status``: inboxes, feedback, the quality gate and the last runs."""

from __future__ import annotations

from core.settings import Settings
from pipeline.nightly import step_record_run
from pipeline.status import status_lines


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_status_shows_both_inboxes_the_feedback_and_no_gate_yet(data_home: Settings) -> None:
    (data_home.inbox_dti / "dti_2023.html").write_text("<table></table>", encoding="utf-8")
    data_home.feedback_dir.mkdir(parents=True, exist_ok=True)
    (data_home.feedback_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    (data_home.feedback_dir / "a.html").write_text("<html></html>", encoding="utf-8")

    lines = status_lines(data_home)

    assert str(data_home.inbox_dti) in _line(lines, "DTI inbox:")
    assert "(1 files)" in _line(lines, "DTI inbox:")
    assert "index.html (1 pages" in _line(lines, "feedback:")


def test_status_shows_a_closed_gate_with_its_failures(data_home: Settings) -> None:
    ok = {"gate": "open", "expectations_passed": 9, "expectations_total": 9, "warnings": []}
    closed = {"gate": "closed", "critical_failures": ["marts.fct_staffing: n_staff < 0"]}
    step_record_run(data_home, "night-1", {"validate": ok})
    step_record_run(data_home, "night-2", {"validate": closed}, status="gate_closed")
    step_record_run(data_home, "night-3", {"plan": {"build": False}}, status="quiet")

    lines = status_lines(data_home)

    gate = _line(lines, "quality gate:")
    assert "CLOSED" in gate and "night-2" in gate
    assert "  CRITICAL: marts.fct_staffing: n_staff < 0" in lines
    assert any("quiet" in line and "night-3" in line for line in lines)


def test_status_shows_an_open_gate(data_home: Settings) -> None:
    ok = {"gate": "open", "expectations_passed": 9, "expectations_total": 10, "warnings": ["w"]}
    step_record_run(data_home, "night-1", {"validate": ok})

    gate = _line(status_lines(data_home), "quality gate:")

    assert gate.startswith("quality gate:     open") and "9 of 10" in gate and "1 warnings" in gate


def test_status_shows_a_night_that_failed_on_a_task(data_home: Settings) -> None:
    from pipeline.nightly import record_failed_night

    step_record_run(data_home, "manual__ok", {"ingest": {"files_new": 2, "rows_loaded": 9}})
    tasks = [f"transform.model_{n}" for n in range(86)]
    record_failed_night(data_home, "manual__broken", "failed", tasks)
    record_failed_night(data_home, "manual__broken", "failed", tasks)  # recorded once

    lines = status_lines(data_home)
    runs = lines[lines.index("last runs:") + 1 :]
    broken = [line for line in runs if "manual__broken" in line]
    assert len(broken) == 1
    assert "failed" in broken[0] and "transform.model_0" in broken[0] and "81 more" in broken[0]
    assert any("manual__ok" in line and "2 new files" in line for line in runs)


def test_status_keeps_off_the_build_database_while_a_night_holds_it(data_home: Settings) -> None:
    from core.locks import held_by_me

    step_record_run(data_home, "manual__ok", {"ingest": {"files_new": 2, "rows_loaded": 9}})
    with held_by_me(data_home.night_lock, "dxwh run, pid 7, started 2026-12-07 01:00:00 UTC"):
        lines = status_lines(data_home)
    assert any("a night is running (dxwh run, pid 7" in line for line in lines)
    assert "last runs:" not in lines
    assert "last runs:" in status_lines(data_home)  # once the night has ended
