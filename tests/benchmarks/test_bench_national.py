"""``make bench-national --quick``: every figure is measured and written (values unchecked)."""

from __future__ import annotations

import json

import pytest

from core.settings import Settings
from tests.benchmarks.bench_national import format_table, main
from tests.benchmarks.file_path_profile import STEPS

pytestmark = pytest.mark.slow

FIGURES = {
    "limit": {"files", "rows", "seconds", "files_per_s", "rows_per_s", "workers"},
    "naive_peer": {"files", "rows", "seconds", "files_per_s", "rows_per_s"},
    "ingest": {"files", "rows", "seconds", "files_per_s", "rows_per_s"},
    "ratios": {"ingest_vs_limit_files", "ingest_vs_peer_files"},
    "dbt": {"full_1_period_s", "no_new_file_s", "adds_period_2_of_2_s", "full_2_periods_s"},
    "gx": {"seconds", "expectations"},
    "publish": {"seconds", "tables"},
    "nightly": {"full_s", "quiet_s", "quiet_was_skipped", "quiet_vs_full"},
    "peak_rss_mb": {"bench_process", "largest_child"},
    "file_path": {"files", "ms_per_file", "path_total_ms", "path_vs_limit"},
    "machine": {"cores", "load_at_start", "load_at_end"},
}


def test_quick_bench_writes_every_figure(
    data_home: Settings, capsys: pytest.CaptureFixture
) -> None:
    # every step on a small sample: the figures are written, their values are not checked
    assert main(["--quick", "--history", "2", "--sample", "5", "--profile-files", "10"]) == 0

    written = json.loads((data_home.home / "bench" / "province-latest.json").read_text())
    for part, keys in FIGURES.items():
        assert keys <= set(written[part]), f"{part} lacks {keys - set(written[part])}"
    assert written["limit"]["files"] > 0 and written["ingest"]["files"] > 0
    assert written["nightly"]["quiet_was_skipped"] is True
    steps = written["file_path"]["ms_per_file"]
    assert set(steps) == {key for key, _ in STEPS} and all(v > 0 for v in steps.values())
    printed = capsys.readouterr().out
    assert format_table(written) in printed
