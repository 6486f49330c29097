"""The night the session's demo warehouse is built for (its as-of date), and the session's data
homes as tests use them.

2026-H1 is then the last period due and 2026-H2 is in progress (due 15/01/2027), whatever day
the tests run.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.settings import Settings, load_settings

DEMO_NIGHT = dt.datetime(2026, 12, 7, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DEMO_AS_OF = DEMO_NIGHT.date()


# in the first night's inbox: a workbook whose unit code is in no registry (quarantined)
UNKNOWN_UNIT_FILE = "bad/unknown_unit.xlsx"


@dataclass(frozen=True)
class FirstNight:
    """A data home after its first night (the ``first_night`` fixture) and that night's run,
    whatever its outcome (tests/test_pipeline_e2e.py checks it)."""

    settings: Settings
    run_id: str
    state: str  # the DAG run's state


def write_unknown_unit_file(path: Path) -> Path:
    """A workbook whose unit code is in no registry: the file must be quarantined."""
    from ingest.demo.workbook import write_submission_xlsx

    write_submission_xlsx(
        path,
        {
            "unit_code": "99999",
            "unit_name": "UBND xã Không Tồn Tại",
            "unit_type": "UBND cấp xã",
            "period": "2023",
            "has_dx_focal_point": "Có",
        },
        [
            {
                "full_name": "Nguyễn Văn An",
                "birth_year": 1990,
                "assignment": "Chuyên trách",
                "education_level": "Đại học",
            }
        ],
    )
    return path


def copy_home(source: Settings, target: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of a session's data home at ``target`` (seconds; building one is a minute), with
    ``DXWH_HOME`` pointing at it for the test's duration: for a test that runs more on it."""
    shutil.copytree(source.home, target, symlinks=True)
    monkeypatch.setenv("DXWH_HOME", str(target))
    return load_settings()
