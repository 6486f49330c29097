"""``dxwh demo-data`` refuses options it cannot honour, naming the option and the range."""

from __future__ import annotations

import pytest

from core.settings import Settings
from pipeline.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scale", "national", "--periods", "9"], "--periods must be between 1 and 5"),
        (["--mess-share", "1.5"], "--mess-share must be between 0 and 1"),
    ],
)
def test_out_of_range_options_are_refused(
    data_home: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["demo-data", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not any(data_home.inbox_submissions.iterdir())
