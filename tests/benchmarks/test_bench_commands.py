"""``make bench --quick``: every figure of a round is measured and summarised (values unchecked)."""

from __future__ import annotations

import json

import pytest

from core.settings import Settings
from tests.benchmarks.bench_commands import RECORD, format_table, main

pytestmark = pytest.mark.slow


def test_quick_rounds_write_every_figure(
    data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = RECORD.read_text(encoding="utf-8")
    assert main(["--quick", "--repeat", "2", "--skip-run"]) == 0

    [out] = sorted((data_home.home / "bench").glob("commands-2*.json"))
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert len(figures["rounds"]) == 2 and figures["inbox"]["files"] > 0
    for round_ in figures["rounds"]:
        for step in ("floor", "parse_limit", "naive_script", "dxwh_ingest"):
            assert round_[step]["seconds"] > 0, step
        assert round_["dxwh_ingest"]["in_process_seconds"] is not None  # the command's own line
    for key in ("floor_files_per_s", "dxwh_ingest_files_per_s", "ingest_vs_floor"):
        spread = figures["summary"][key]
        assert spread["min"] <= spread["median"] <= spread["max"], key
    assert format_table(figures) in capsys.readouterr().out
    assert RECORD.read_text(encoding="utf-8") == recorded  # only --record writes the docs' record
