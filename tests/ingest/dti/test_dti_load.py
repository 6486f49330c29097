"""Loading the DTI inbox: reference history, quarantine, audit, history of re-publications."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from dti_tables import write_csv

from core.db import session
from core.settings import Settings
from ingest.dti.demo import demo_tables, load_facts, write_dti_publications
from ingest.dti.demo_tables import DEMO_SOURCE
from pipeline.nightly import step_ingest_dti

RANKING = ("Xếp hạng", "Tỉnh, thành phố", "Điểm DTI")


def _query(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with session(settings.build_db, read_only=True) as con:
        return con.execute(sql).fetchall()


def _later(path: Path, seconds: int) -> None:
    """Arrival order is file modification order: set it explicitly, not by sleeping."""
    stamp = time.time() + seconds
    os.utime(path, (stamp, stamp))


def test_reference_history_loads_cleanly(data_home: Settings) -> None:
    written = write_dti_publications(data_home.inbox_dti)
    tables = demo_tables()
    demo_rows = [r for rows in tables.values() for r in rows]
    summary = step_ingest_dti(data_home, "b1")
    assert summary["files_new"] == summary["files_accepted"] == len(written)
    assert summary["rows_loaded"] == len(demo_rows) and summary["rows_quarantined"] == 0
    assert {p.suffix for p in written} == {".html", ".xlsx", ".csv"}
    loaded = _query(data_home, "select year, basis, n_rows, is_partial from raw.dti_publications")
    assert {(y, b): n for y, b, n, _ in loaded} == {k: len(v) for k, v in tables.items()}
    # a year is a full table exactly when the demo writes every province of its basis
    assert {(y, b): partial for y, b, _, partial in loaded} == {
        (y, b): len(rows) < b for (y, b), rows in tables.items()
    }
    # every loaded row keeps the source it was published under
    rows = _query(
        data_home,
        "select year, basis, province_name_printed, rank, dti, source from raw.dti_scores",
    )
    expected = {
        (int(r["year"]), int(r["basis"]), r["province_name"]): (
            int(r["rank"]),
            float(r["dti"]) if r["dti"] else None,
            r["source"],
        )
        for r in demo_rows
    }
    assert {(y, b, n): (rank, dti, src) for y, b, n, rank, dti, src in rows} == expected
    qn = _query(
        data_home,
        "select province_id, province_name, tru_cot_chinh_quyen_so, hang_kinh_te_so "
        "from raw.dti_scores where year = 2022 and province_name_printed = 'Quảng Nam'",
    )
    assert qn == [("49", "Tỉnh Quảng Nam", 0.6674, 45)]


def test_every_published_figure_is_loaded_as_published(data_home: Settings) -> None:
    """The full demo tables keep each real published figure exactly, and label the rest."""
    write_dti_publications(data_home.inbox_dti)
    step_ingest_dti(data_home, "b1")
    figures = ("rank", "dti", "nhan_thuc_so", "tru_cot_chinh_quyen_so", "hang_xa_hoi_so")
    loaded = {
        (y, b, n): dict(zip(figures, values, strict=True))
        for y, b, n, *values in _query(
            data_home,
            f"select year, basis, province_name_printed, {', '.join(figures)} from raw.dti_scores",
        )
    }
    for fact in load_facts():
        row = loaded[(int(fact["year"]), int(fact["basis"]), fact["province_name"])]
        for field in figures:
            if fact[field]:
                assert float(row[field]) == float(fact[field]), (fact["province_name"], field)
    facts = {(int(f["year"]), int(f["basis"]), f["province_name"]): f for f in load_facts()}
    sources = _query(
        data_home, "select year, basis, province_name_printed, source from raw.dti_scores"
    )
    generated = [s for y, b, n, s in sources if (y, b, n) not in facts]
    assert generated and all(s == DEMO_SOURCE for s in generated)
    for y, b, n, source in sources:
        if (y, b, n) in facts:
            published = facts[(y, b, n)]["source"]
            assert source == published or source.startswith(f"{published} | Bản demo: ")


def test_reference_tables_are_refreshed(data_home: Settings) -> None:
    summary = step_ingest_dti(data_home, "b1")
    assert (summary["provinces"], summary["crosswalk_rows"]) == (97, 63)
    step_ingest_dti(data_home, "b2")  # a full snapshot each night, never appended
    assert _query(data_home, "select basis, count(*) from raw.provinces group by 1 order by 1") == [
        (34, 34),
        (63, 63),
    ]
    assert _query(data_home, "select count(*) from raw.province_crosswalk") == [(63,)]
    frameworks = _query(
        data_home, "select framework_id, year_from, year_to from raw.dti_methodology order by 2"
    )
    # no framework covers 2025: its decision is not known
    assert frameworks == [("qd1726", 2020, 2020), ("qd922", 2021, 2023), ("qd405", 2024, 2024)]
    assert len(_query(data_home, "select * from raw.dti_national_means")) == 5


def test_a_republished_table_supersedes_the_earlier_and_both_are_kept(
    data_home: Settings,
) -> None:
    first = write_csv(
        data_home.inbox_dti / "dti_2022_63.csv",
        RANKING,
        [("1", "TP. Đà Nẵng", "0,8002"), ("31", "Quảng Nam", "0,5800")],
    )
    step_ingest_dti(data_home, "b1")
    corrected = write_csv(
        data_home.inbox_dti / "dti_2022_63_dinh_chinh.csv",
        RANKING,
        [("1", "TP. Đà Nẵng", "0,8002"), ("31", "Quảng Nam", "0,5808")],
    )
    _later(corrected, 60)
    summary = step_ingest_dti(data_home, "b2")
    assert summary["files_new"] == 1 and summary["files_accepted"] == 1
    publications = _query(
        data_home,
        "select source_file, arrival_seq from raw.dti_publications "
        "where year = 2022 and basis = 63 order by arrival_seq",
    )
    assert [p for p, _ in publications] == [first.name, corrected.name]
    current = _query(
        data_home,
        "with current_publication as ("
        "  select publication_id from raw.dti_publications"
        "  qualify row_number() over (partition by year, basis order by arrival_seq desc) = 1)"
        " select s.dti from raw.dti_scores as s join current_publication using (publication_id)"
        " where s.province_id = '49'",
    )
    assert current == [(0.5808,)]
    assert _query(data_home, "select count(*) from raw.dti_scores where province_id = '49'") == [
        (2,)
    ]


def test_bad_rows_are_quarantined_and_reconciled(data_home: Settings) -> None:
    write_csv(
        data_home.inbox_dti / "dti_2022_63.csv",
        RANKING,
        [("1", "TP. Đà Nẵng", "0,8002"), ("31", "Quảng Nan", "0,5808"), ("2", "TP.HCM", "1,7")],
    )
    summary = step_ingest_dti(data_home, "b1")
    assert summary["files_partial"] == 1
    assert (summary["rows_loaded"], summary["rows_quarantined"]) == (1, 2)
    quarantined = _query(
        data_home,
        "select province_name_printed, error_codes, candidates, message_en from "
        "quarantine.dti_rows order by row_number",
    )
    assert quarantined[0][:3] == (
        "Quảng Nan",
        "PROVINCE_UNRESOLVED",
        "Tỉnh Quảng Nam; Tỉnh Quảng Ninh; Tỉnh Quảng Ngãi",
    )
    assert quarantined[1][1] == "SCORE_OUT_OF_RANGE" and "outside [0, 1]" in quarantined[1][3]
    [(read, loaded, quarantined_n, status)] = _query(
        data_home,
        "select rows_read, rows_loaded, rows_quarantined, status from audit.dti_file_loads",
    )
    assert (read, status) == (loaded + quarantined_n, "partial")


def test_a_rejected_file_comes_back_with_a_sidecar(data_home: Settings) -> None:
    bad = write_csv(data_home.inbox_dti / "bang_xep_hang.csv", RANKING, [("1", "Hà Nội", "0.8241")])
    summary = step_ingest_dti(data_home, "b1")
    assert summary["rejected"] == [bad.name]
    [(codes, message)] = _query(
        data_home, "select error_codes, message_en from quarantine.dti_files"
    )
    assert codes == "BASIS_MISSING,YEAR_MISSING" and "year" in message
    assert _query(data_home, "select error_codes from quarantine.dti_rows") == [("FILE_REJECTED",)]
    # the clerk adds a sidecar and drops the same table again under a new name
    again = data_home.inbox_dti / "bang_xep_hang_2024.csv"
    again.write_bytes(bad.read_bytes())
    again.with_name(again.name + ".meta.json").write_text(
        json.dumps({"year": 2024, "basis": 34}), encoding="utf-8"
    )
    _later(again, 60)
    summary = step_ingest_dti(data_home, "b2")
    assert summary["files_accepted"] == 1 and summary["rows_loaded"] == 1
    evidence = _query(
        data_home, "select year_evidence from audit.dti_file_loads where status = 'accepted'"
    )
    assert evidence == [("bang_xep_hang_2024.csv.meta.json",)]


def test_rerun_and_duplicate_bytes(data_home: Settings) -> None:
    path = write_csv(data_home.inbox_dti / "dti_2023_63.csv", RANKING, [("1", "Đà Nẵng", "0.834")])
    step_ingest_dti(data_home, "b1")
    assert step_ingest_dti(data_home, "b2")["files_new"] == 0
    copy = data_home.inbox_dti / "copy_of_dti_2023_63.csv"
    copy.write_bytes(path.read_bytes())
    assert step_ingest_dti(data_home, "b3")["files_duplicate"] == 1
    assert _query(data_home, "select count(*) from raw.dti_scores") == [(1,)]


def test_formula_residual_is_recorded_per_province(data_home: Settings) -> None:
    header = (
        "Tỉnh",
        "Nhận thức số",
        "Thể chế số",
        "Hạ tầng số",
        "Nhân lực số",
        "An toàn thông tin mạng",
        "Hoạt động chính quyền số",
        "Hoạt động kinh tế số",
        "Hoạt động xã hội số",
        "DTI",
    )
    indices = ("1", "0.9", "0.8253", "0.8487", "0.7578", "0.8575", "0.7836", "0.5197")
    write_csv(data_home.inbox_dti / "dti_2022_63.csv", header, [("Quảng Ninh", *indices, "0.81")])
    summary = step_ingest_dti(data_home, "b1")
    assert summary["rows_loaded"] == 1
    rows = _query(
        data_home,
        "select check_code, severity, province_id from audit.dti_problems "
        "where check_code = 'FORMULA_RESIDUAL'",
    )
    assert rows == [("FORMULA_RESIDUAL", "warning", "22")]


def test_a_corrected_sidecar_is_a_correction_not_a_duplicate(data_home: Settings) -> None:
    table = write_csv(data_home.inbox_dti / "bang_dti.csv", RANKING, [("1", "Hà Nội", "0.8241")])
    sidecar = table.with_name(table.name + ".meta.json")
    sidecar.write_text(json.dumps({"year": 2023, "basis": 63}), encoding="utf-8")
    assert step_ingest_dti(data_home, "b1")["files_accepted"] == 1
    # the same table sent again, its sidecar corrected: once under its name, once under another
    sidecar.write_text(json.dumps({"year": 2024, "basis": 63}), encoding="utf-8")
    copy = data_home.inbox_dti / "bang_dti_2025.csv"
    copy.write_bytes(table.read_bytes())
    copy.with_name(copy.name + ".meta.json").write_text(
        json.dumps({"year": 2025, "basis": 34}), encoding="utf-8"
    )
    _later(copy, 60)
    summary = step_ingest_dti(data_home, "b2")
    assert (summary["files_new"], summary["files_accepted"]) == (2, 2)
    years = _query(data_home, "select year, basis from raw.dti_publications order by year")
    assert years == [(2023, 63), (2024, 63), (2025, 34)]
    assert step_ingest_dti(data_home, "b3")["files_new"] == 0  # each correction once
