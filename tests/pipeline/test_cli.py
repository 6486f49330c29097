"""The ``dxwh`` command line: help everywhere, and ``check`` with its exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from ingest.demo.workbook import write_submission_xlsx
from pipeline.cli import build_parser, main

COMMANDS = [
    "demo-data",
    "check",
    "check-dti",
    "template",
    "ingest",
    "build",
    "validate",
    "publish",
    "sql",
    "report",
    "run",
    "status",
    "portal",
    "dbt-parse",
    "rebuild-landing",
    "whatif",
]


def test_every_command_is_listed() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str) -> None:
    dxwh = Path(sys.executable).with_name("dxwh")
    proc = subprocess.run([str(dxwh), command, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "usage: dxwh" in proc.stdout


UNIT = {
    "unit_code": "503",
    "unit_name": "UBND Thành phố Hội An",
    "unit_type": "UBND cấp huyện",
    "period": "2024-H1",
    "has_dx_focal_point": "Có",
}
PERSON = {
    "full_name": "Võ Minh Tâm",
    "birth_year": 1985,
    "assignment": "Kiêm nhiệm",
    "education_level": "Thạc sĩ",
}


def test_check_accepts_a_good_file(
    data_home: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.xlsx"
    write_submission_xlsx(path, UNIT, [PERSON])
    assert main(["check", str(path)]) == 0
    assert "ĐƯỢC CHẤP NHẬN" in capsys.readouterr().out


def test_check_explains_a_bad_row_in_english(
    data_home: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.xlsx"
    write_submission_xlsx(path, UNIT, [{**PERSON, "education_level": "Phổ thông"}])
    assert main(["check", "--lang", "en", str(path)]) == 1
    out = capsys.readouterr().out
    assert "RECEIVED – ROWS STILL TO FIX" in out
    assert f"sheet NhanLuc, row 2 – {PERSON['full_name']}, column Trình độ chuyên môn" in out
    assert "Choose one of: Trung cấp" in out


def test_the_command_keeps_its_exit_code_output_and_exit_handlers(
    data_home: Settings, tmp_path: Path
) -> None:
    # the `dxwh` command ends with os._exit after the exit handlers: the code, every line
    # printed (through a pipe, so buffered) and the handlers' work must survive it
    path = tmp_path / "bad.xlsx"
    write_submission_xlsx(path, UNIT, [{**PERSON, "education_level": "Phổ thông"}])
    marker = tmp_path / "exit-handler-ran"
    script = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "from pipeline.cli import command\n"
        f"sys.argv = ['dxwh', 'check', '--lang', 'en', {str(path)!r}]\n"
        "command()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert proc.returncode == 1, proc.stderr
    assert "RECEIVED – ROWS STILL TO FIX" in proc.stdout
    assert "Choose one of: Trung cấp" in proc.stdout
    assert marker.read_text() == "yes"

    dxwh = Path(sys.executable).with_name("dxwh")
    installed = subprocess.run([str(dxwh), "check", str(path)], capture_output=True, text=True)
    assert installed.returncode == 1 and "Trình độ chuyên môn" in installed.stdout
