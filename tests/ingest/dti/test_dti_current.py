"""A partial DTI re-publication is read against the ranking it is merged into, at load."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dti_tables import write_csv

from core.db import session
from core.settings import Settings
from ingest.dti.provinces import province_rows
from pipeline.nightly import step_ingest_dti

RANKING = ("Xếp hạng", "Tỉnh, thành phố", "Điểm DTI")
PROVINCES_34 = [p["province_name"] for p in province_rows() if p["basis"] == 34]


def _query(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with session(settings.build_db, read_only=True) as con:
        return con.execute(sql).fetchall()


def _later(path: Path, seconds: int) -> None:
    """Arrival order is file modification order: set it explicitly, not by sleeping."""
    stamp = time.time() + seconds
    os.utime(path, (stamp, stamp))


def _score(rank: int) -> str:
    """The full table's DTI for a rank: 0,8900 for the 1st, 0,0100 less per rank."""
    return f"{0.9 - 0.01 * rank:.4f}".replace(".", ",")


def _full(inbox: Path) -> Path:
    rows = [(str(i), name, _score(i)) for i, name in enumerate(PROVINCES_34, start=1)]
    return write_csv(inbox / "dti_2025_34.csv", RANKING, rows)


def _current_dti(settings: Settings) -> dict[str, float]:
    """Per province, the DTI of the latest-arriving publication listing it."""
    rows = _query(
        settings,
        "select s.province_name, s.dti from raw.dti_scores as s"
        " join raw.dti_publications as p using (publication_id)"
        " qualify row_number() over (partition by s.province_id order by p.arrival_seq desc) = 1",
    )
    return {str(name): float(dti) for name, dti in rows}  # type: ignore[arg-type]


def test_a_full_publication_loads(data_home: Settings) -> None:
    _full(data_home.inbox_dti)
    summary = step_ingest_dti(data_home, "b1")
    assert summary["files_accepted"] == 1
    assert (summary["rows_loaded"], summary["rows_quarantined"]) == (34, 0)
    assert _query(data_home, "select is_partial from raw.dti_publications") == [(False,)]


def test_a_consistent_partial_republication_loads_whole(data_home: Settings) -> None:
    _full(data_home.inbox_dti)
    step_ingest_dti(data_home, "b1")
    # the 10th moves within its place (0,8100 above, 0,7900 below)
    corrected = write_csv(
        data_home.inbox_dti / "dti_2025_34_dinh_chinh.csv",
        RANKING,
        [("10", PROVINCES_34[9], "0,8050")],
    )
    _later(corrected, 60)
    summary = step_ingest_dti(data_home, "b2")
    assert summary["files_accepted"] == 1
    assert (summary["rows_loaded"], summary["rows_quarantined"]) == (1, 0)
    assert _current_dti(data_home)[PROVINCES_34[9]] == pytest.approx(0.805)
    assert _query(data_home, "select count(*) from quarantine.dti_rows") == [(0,)]


@pytest.mark.parametrize("same_batch", [False, True], ids=["next-night", "same-night"])
def test_rows_contradicting_the_current_ranking_are_quarantined(
    data_home: Settings, same_batch: bool
) -> None:
    _full(data_home.inbox_dti)
    if not same_batch:
        step_ingest_dti(data_home, "b1")
    # the 5th drops to 0,7000 (below the 6th..19th) while keeping rank 5: a contradiction;
    # the 25th moves within its place and is consistent
    partial = write_csv(
        data_home.inbox_dti / "dti_2025_34_dinh_chinh.csv",
        RANKING,
        [("5", PROVINCES_34[4], "0,7000"), ("25", PROVINCES_34[24], "0,6550")],
    )
    _later(partial, 60)
    summary = step_ingest_dti(data_home, "b2")
    assert summary["files_partial"] == 1
    assert (summary["rows_loaded"], summary["rows_quarantined"]) == (
        (1, 1) if not same_batch else (35, 1)
    )
    [(printed, codes, message_vi, message_en)] = _query(
        data_home,
        "select province_name_printed, error_codes, message_vi, message_en"
        " from quarantine.dti_rows",
    )
    assert printed == PROVINCES_34[4] and codes == "RANK_CONTRADICTS_CURRENT"
    assert "mâu thuẫn" in message_vi
    expected = "rank 5) contradicts the current DTI 2025 table (34 provinces)"
    assert f"{expected}: {PROVINCES_34[5]} (0.8400, rank 6)" in message_en
    current = _current_dti(data_home)
    assert current[PROVINCES_34[4]] == pytest.approx(0.85)  # the full table's value stands
    assert current[PROVINCES_34[24]] == pytest.approx(0.655)
    [(status, read, loaded, quarantined)] = _query(
        data_home,
        "select status, rows_read, rows_loaded, rows_quarantined from audit.dti_file_loads"
        " where source_file like '%dinh_chinh%'",
    )
    assert (status, read, loaded, quarantined) == ("partial", 2, 1, 1)
    assert _query(
        data_home,
        "select n_rows from raw.dti_publications where source_file like '%dinh_chinh%'",
    ) == [(1,)]
    fixes = _query(
        data_home,
        "select fix_en from audit.dti_problems where check_code = 'RANK_CONTRADICTS_CURRENT'",
    )
    assert len(fixes) == 1 and "send the full 34-province table" in str(fixes[0][0])


@pytest.mark.slow
def test_the_gate_stays_open_after_a_contradicting_partial(data_home: Settings) -> None:
    """Through the real dbt build and the DTI suites: the quarantined row never reaches the
    mart, so the merged ranking the mart suite checks is in order."""
    from expectations.runner import run_validations
    from expectations.suites import (
        MARTS_FCT_DTI_SCORES,
        RAW_DTI_PUBLICATIONS,
        RAW_DTI_SCORES,
    )
    from pipeline.nightly import step_build

    _full(data_home.inbox_dti)
    step_ingest_dti(data_home, "b1")
    partial = write_csv(
        data_home.inbox_dti / "dti_2025_34_dinh_chinh.csv",
        RANKING,
        [("5", PROVINCES_34[4], "0,7000"), ("25", PROVINCES_34[24], "0,6550")],
    )
    _later(partial, 60)
    assert step_ingest_dti(data_home, "b2")["rows_quarantined"] == 1
    step_build(data_home)
    with session(data_home.build_db, read_only=True) as con:
        mart = con.execute(
            "select province_name, score from marts.fct_dti_scores"
            " where year = 2025 and basis = 34 and component = 'dti' and rank in (5, 25)"
            " order by rank"
        ).fetchall()
    assert [(n, pytest.approx(s)) for n, s in mart] == [
        (PROVINCES_34[4], 0.85),
        (PROVINCES_34[24], 0.655),
    ]
    report = run_validations(
        data_home,
        run_id="dti-partial",
        suites=(RAW_DTI_PUBLICATIONS, RAW_DTI_SCORES, MARTS_FCT_DTI_SCORES),
    )
    dti_suites = {s.name for s in (RAW_DTI_PUBLICATIONS, RAW_DTI_SCORES, MARTS_FCT_DTI_SCORES)}
    assert dti_suites <= set(report.suites)
    failed = [o.describe() for o in report.critical_failures if o.suite in dti_suites]
    assert failed == []
