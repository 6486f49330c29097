"""``dxwh ingest`` and ``dxwh check`` as an operator and a clerk see them."""

from __future__ import annotations

from pathlib import Path

import pytest
from submission_files import PEOPLE, UNIT, standard_sheets, write_xlsx

from core.settings import Settings
from pipeline.cli import main


def test_ingest_reports_speed_and_feedback_without_a_bar_off_terminal(
    data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(data_home.inbox_submissions / "ok.xlsx", standard_sheets())
    bad = [{**PEOPLE[0], "birth_year": 1850}]
    write_xlsx(data_home.inbox_submissions / "bad.xlsx", standard_sheets(UNIT, bad))

    assert main(["ingest"]) == 0

    captured = capsys.readouterr()
    assert "2 new files: 1 accepted, 1 partly accepted" in captured.out
    assert "files/s" in captured.out and "rows/s" in captured.out
    assert f"{data_home.feedback_dir}/index.html" in captured.out
    assert "[#" not in captured.err  # no progress bar when not on a terminal


def test_check_quotes_each_value_once(
    tmp_path: Path, data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", standard_sheets({**UNIT, "period": "Quý 3/2023"}))

    assert main(["check", str(path)]) == 1

    out = capsys.readouterr().out
    assert out.count("Quý 3/2023") == 1
    assert "trang DonVi, dòng 4, cột B" in out
