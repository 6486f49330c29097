"""What keeps a night's ingest close to the no-loss floor, kept honest by counting the work done."""

from __future__ import annotations

import datetime as dt
from multiprocessing import forkserver
from pathlib import Path

import pytest

import ingest.landing
from core.db import session
from core.settings import Settings
from ingest.demo.workbook import write_submission_xlsx
from ingest.registry import build_registry
from ingest.submissions.load import ingest_submissions
from ingest.workers import run_contained, start_fork_server

UNIT = {
    "unit_name": "UBND Thành phố Tam Kỳ",
    "unit_type": "UBND cấp huyện",
    "period": "Năm 2023",
    "has_dx_focal_point": "Có",
    "submitted_on": "15/01/2024",
}
PERSON = {
    "full_name": "Trần Thị Bình",
    "birth_year": 1988,
    "gender": "Nữ",
    "assignment": "Chuyên trách",
    "education_level": "Đại học",
    "field_of_study": "CNTT",
}


def test_archive_folders_are_made_private_once_per_run_not_per_file(
    data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):  # twelve different files: up to twelve hash-prefix folders
        write_submission_xlsx(
            data_home.inbox_submissions / f"502-{n}.xlsx",
            {**UNIT, "unit_code": "502"},
            [{**PERSON, "full_name": f"Trần Thị Bình {n}"}],
        )
    calls: list[Path] = []
    real = ingest.landing.private_dir

    def counted(path: Path) -> Path:
        calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(ingest.landing, "private_dir", counted)
    with session(data_home.build_db) as con:
        result = ingest_submissions(con, data_home, build_registry(), "speed-batch")

    assert len(result.outcomes) == 12
    archive_dir = data_home.archive_dir
    prefixes = {p.name for p in archive_dir.iterdir() if p.is_dir() and len(p.name) == 2}
    copies = [c for c in calls if c == archive_dir or c.parent == archive_dir]
    # the archive folder once, each prefix folder once (the index and staging are not copies)
    assert sorted(c.name for c in copies if c != archive_dir) == sorted(prefixes)
    assert copies.count(archive_dir) <= 2  # copying, then the index after the commit


def test_a_fork_server_started_early_is_the_one_the_workers_come_from() -> None:
    start_fork_server(("ingest.workers",))
    started = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert started is not None
    assert list(run_contained(abs, [-1, 2, -3], workers=2)) == [1, 2, 3]
    assert forkserver._forkserver._forkserver_pid == started  # type: ignore[attr-defined]


def test_a_name_search_in_the_registry_keys_each_unit_once_per_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ingest.submissions import checks

    registry = checks.index_registry(build_registry())
    keyed: list[str] = []
    real = checks._name_key

    def counted(name: str) -> str:
        keyed.append(name)
        return real(name)

    monkeypatch.setattr(checks, "_name_key", counted)
    on = dt.date(2023, 12, 31)
    first = checks.unit_named("UBND Phường An Mỹ", registry, on)
    after_first = len(keyed)
    again = checks.unit_named("Phường An  Mỹ", registry, on)
    close = checks.unit_named("Phuong An My", registry, on)

    assert first is not None and first.unit_name == "UBND Phường An Mỹ"
    assert again == first and close == first
    assert after_first > 100  # the first search keys the registry's units
    assert len(keyed) - after_first == 2  # later ones key only the name written in the file
