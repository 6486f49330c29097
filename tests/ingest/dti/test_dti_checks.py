"""Reading each published form and the named checks, on small tables written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dti_tables import write_csv, write_html, write_xlsx

from ingest.dti.checks import CheckedPublication, check_file, formula_value
from ingest.dti.demo import load_facts
from ingest.dti.provinces import provinces

RANKING = ("Xếp hạng", "Tỉnh/Thành phố", "Điểm DTI")
DETAIL = (
    "Tỉnh, thành phố",
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


def codes(pub: CheckedPublication) -> list[str]:
    return [p.code for p in pub.all_problems]


def by_name(pub: CheckedPublication) -> dict[str, object]:
    return {r.province.province_name: r for r in pub.good_rows if r.province}


def test_saved_page_joins_ranking_and_detail_tables(tmp_path: Path) -> None:
    path = write_html(
        tmp_path / "xep-hang.html",
        [
            (
                "Xếp hạng",
                RANKING,
                [("1/63", "TP. Đà Nẵng", "0,8002"), ("4/63", "Thừa Thiên - Huế", "0,6975")],
            ),
            (
                "Xếp hạng chi tiết",
                DETAIL,
                [
                    (
                        "Đà Nẵng",
                        "1,0000",
                        "0,9000",
                        "0,8253",
                        "0,8487",
                        "0,7578",
                        "0,8575",
                        "0,7836",
                        "0,5197",
                        "0,8002",
                    ),
                ],
            ),
        ],
        title="Xếp hạng DTI năm 2022 - 63 tỉnh, thành phố",
    )
    pub = check_file(path)
    assert pub.file_ok, codes(pub)
    assert (pub.meta.year, pub.meta.basis, pub.raw.file_format) == (2022, 63, "html")
    rows = by_name(pub)
    assert len(pub.good_rows) == 2
    da_nang = rows["Thành phố Đà Nẵng"]
    assert da_nang.ranks["rank"] == 1 and da_nang.n_ranked == 63  # type: ignore[attr-defined]
    assert da_nang.scores["dti"] == pytest.approx(0.8002)  # type: ignore[attr-defined]
    assert da_nang.scores["hoat_dong_xa_hoi_so"] == pytest.approx(0.5197)  # type: ignore[attr-defined]
    assert rows["Thành phố Huế"].record.printed_name == "Thừa Thiên - Huế"  # type: ignore[attr-defined]


def test_the_two_tables_disagreeing_quarantines_the_province(tmp_path: Path) -> None:
    path = write_html(
        tmp_path / "p.html",
        [
            ("Xếp hạng", RANKING, [("1", "TP. Đà Nẵng", "0.8002")]),
            ("Xếp hạng chi tiết", ("Tỉnh", "DTI"), [("Đà Nẵng", "0.8102")]),
        ],
        meta={"dti:year": "2022", "dti:basis": "63"},
    )
    pub = check_file(path)
    assert pub.file_ok
    assert [p.code for r in pub.bad_rows for p in r.problems] == ["VALUE_CONFLICT"]


def test_xlsx_with_english_headers_and_metadata_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "re-keyed.xlsx",
        ("No", "Province", "Rank", "DTI score", "Digital government", "Digital government rank"),
        [
            (1, "Tp Hồ Chí Minh", 4, 0.777, 0.81, 3),
            (2, "Thành phố Huế", "Hạng 2", 0.7951, None, None),
        ],
        preamble=[("Year", 2024), ("Basis", "34 provinces"), ("Source", "https://dti.gov.vn/x")],
    )
    pub = check_file(path)
    assert pub.file_ok, codes(pub)
    assert (pub.meta.year, pub.meta.basis, pub.meta.source) == (2024, 34, "https://dti.gov.vn/x")
    hcm = by_name(pub)["Thành phố Hồ Chí Minh"]
    assert hcm.scores["tru_cot_chinh_quyen_so"] == pytest.approx(0.81)  # type: ignore[attr-defined]
    assert hcm.ranks["hang_chinh_quyen_so"] == 3  # type: ignore[attr-defined]
    assert by_name(pub)["Thành phố Huế"].ranks["rank"] == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_without_diacritics_decimal_commas_and_name_pattern(
    tmp_path: Path, encoding: str
) -> None:
    path = write_csv(
        tmp_path / "DTI-2021-63-ban-sua.csv",
        ("Xep hang", "Tinh, thanh pho", "Diem DTI"),
        [("Hạng 1", "TP. Đà Nẵng", "0,6419"), ("12", "Thanh Hóa", "0,4880")],
        delimiter=";",
        encoding=encoding,
    )
    pub = check_file(path)
    assert pub.file_ok, codes(pub)
    assert (pub.meta.year, pub.meta.basis) == (2021, 63)
    assert by_name(pub)["Tỉnh Thanh Hóa"].scores["dti"] == pytest.approx(0.488)  # type: ignore[attr-defined]


def test_sidecar_gives_year_and_basis(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bang.csv", RANKING, [("1", "Thành phố Hà Nội", "0.8241")])
    path.with_name("bang.csv.meta.json").write_text(
        json.dumps({"year": 2024, "basis": 34, "source": "https://dti.gov.vn"}), encoding="utf-8"
    )
    pub = check_file(path)
    assert pub.file_ok and (pub.meta.year, pub.meta.basis) == (2024, 34)


def test_missing_year_rejects_the_file_with_a_reason(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bang.csv", RANKING, [("1/63", "TP. Đà Nẵng", "0.8340")])
    pub = check_file(path)
    assert not pub.file_ok
    assert "YEAR_MISSING" in codes(pub) and "BASIS_MISSING" not in codes(pub)  # 1/63 gives 63
    assert "tên tệp" in pub.file_problems[0].fix("vi")
    assert pub.bad_rows and not pub.good_rows


def test_conflicting_years_reject_the_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dti_2023_63.csv",
        ("Năm", *RANKING),
        [("2022", "1", "TP. Đà Nẵng", "0.8002")],
    )
    pub = check_file(path)
    problem = next(p for p in pub.file_problems if p.code == "METADATA_CONFLICT")
    assert "2022" in problem.message("en") and "2023" in problem.message("en")


def test_an_unresolvable_province_is_quarantined_with_candidates(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dti_2022_63.csv",
        RANKING,
        [("1", "TP. Đà Nẵng", "0.8002"), ("31", "Quảng Nan", "0.5808")],
    )
    pub = check_file(path)
    assert pub.file_ok and len(pub.good_rows) == 1
    [bad] = pub.bad_rows
    assert bad.candidates[0] == "Tỉnh Quảng Nam"
    message = bad.problems[0].message("vi")
    assert "Quảng Nan" in message and "Tỉnh Quảng Nam" in message


def test_a_pre_2025_name_on_the_34_basis_names_its_new_province(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dti_2024_34.csv", RANKING, [("17", "Quảng Nam", "0.7069")])
    [bad] = check_file(path).bad_rows
    assert "merged into Thành phố Đà Nẵng" in bad.problems[0].message("en")


def test_a_province_twice_in_one_table_is_quarantined_both_times(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dti_2022_63.csv",
        RANKING,
        [("1", "TP. Đà Nẵng", "0.8002"), ("2", "Đà Nẵng", "0.7163"), ("3", "Quảng Ninh", "0.7024")],
    )
    pub = check_file(path)
    assert [r.province.province_name for r in pub.good_rows if r.province] == ["Tỉnh Quảng Ninh"]
    assert {p.code for r in pub.bad_rows for p in r.problems} == {"PROVINCE_DUPLICATE"}


@pytest.mark.parametrize(
    ("dti", "rank", "code"),
    [
        ("1,2", "1", "SCORE_OUT_OF_RANGE"),
        ("-0.1", "1", "SCORE_OUT_OF_RANGE"),
        ("0.8", "64", "RANK_OUT_OF_RANGE"),
        ("0.8", "0", "RANK_OUT_OF_RANGE"),
        ("cao", "1", "SCORE_INVALID"),
        ("0.8", "nhất", "RANK_INVALID"),
    ],
)
def test_values_out_of_range_quarantine_the_row(
    tmp_path: Path, dti: str, rank: str, code: str
) -> None:
    path = write_csv(tmp_path / "dti_2022_63.csv", RANKING, [(rank, "Quảng Ninh", dti)])
    pub = check_file(path)
    assert [p.code for r in pub.bad_rows for p in r.problems] == [code]


def test_a_partial_table_is_loaded_and_marked_partial(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dti_2023_63.csv", RANKING, [("1", "TP. Đà Nẵng", "0.8340")])
    pub = check_file(path)
    assert pub.file_ok and pub.is_partial and "PARTIAL_TABLE" in codes(pub)


def _full_table(ranks_and_scores: list[tuple[int, float]]) -> list[tuple[str, str, str]]:
    # Synthetic scores for a structural check: the real full tables are not shipped here.
    names = [p.province_name for p in provinces(63)]
    return [(str(r), n, f"{s:.4f}") for (r, s), n in zip(ranks_and_scores, names, strict=True)]


def _competition(scores: list[float]) -> list[tuple[int, float]]:
    return [(1 + sum(1 for o in scores if o > s), s) for s in scores]


def test_a_full_table_with_a_tie_uses_competition_ranking(tmp_path: Path) -> None:
    scores = [round(0.9 - 0.005 * i, 4) for i in range(63)]
    scores[15] = scores[14]  # two provinces share 15th, as Thanh Hóa and Yên Bái did in 2022
    table = _competition(scores)
    assert [r for r, _ in table[13:17]] == [14, 15, 15, 17]
    path = write_csv(tmp_path / "dti_2022_63.csv", RANKING, _full_table(table))
    pub = check_file(path)
    assert pub.file_ok and not pub.bad_rows, codes(pub)
    assert not pub.is_partial and len(pub.good_rows) == 63


def test_dense_ranking_after_a_tie_is_rejected(tmp_path: Path) -> None:
    scores = [round(0.9 - 0.005 * i, 4) for i in range(63)]
    scores[15] = scores[14]
    table = _competition(scores)
    table = [(r - 1 if r > 15 else r, s) for r, s in table]  # 14, 15, 15, 16: dense ranking
    path = write_csv(tmp_path / "dti_2022_63.csv", RANKING, _full_table(table))
    pub = check_file(path)
    sequence = [r for r in pub.bad_rows if any(p.code == "RANK_SEQUENCE" for p in r.problems)]
    # every rank after the tie is one short; the tie and the ranks above it are right
    assert [r.ranks["rank"] for r in sequence] == list(range(16, 63))
    assert len(pub.good_rows) == 16
    first = next(p for p in sequence[0].problems if p.code == "RANK_SEQUENCE")
    assert first.params["expected"] == "17"


def test_ranks_must_agree_with_scores(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dti_2022_63.csv",
        RANKING,
        [
            ("1", "TP. Đà Nẵng", "0.7000"),
            ("2", "TP. Hồ Chí Minh", "0.7163"),
            ("3", "Quảng Ninh", "0.6500"),
        ],
    )
    pub = check_file(path)
    bad = {r.province.province_id for r in pub.bad_rows if r.province}
    assert bad == {"48", "79"}
    assert {p.code for r in pub.bad_rows for p in r.problems} == {"RANK_SCORE_DISORDER"}


def test_equal_printed_scores_with_different_ranks_are_a_warning(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dti_2022_63.csv",
        RANKING,
        [("30", "Bình Dương", "0.5810"), ("31", "Quảng Nam", "0.5810")],
    )
    pub = check_file(path)
    assert len(pub.good_rows) == 2 and "RANK_TIE_SPLIT" in codes(pub)


def test_the_real_2022_rows_meet_the_qd922_formula() -> None:
    rows = [r for r in load_facts() if r["year"] == "2022" and r["nhan_thuc_so"]]
    assert len(rows) == 5
    fields = (
        "nhan_thuc_so",
        "the_che_so",
        "ha_tang_so",
        "nhan_luc_so",
        "an_toan_thong_tin_mang",
        "hoat_dong_chinh_quyen_so",
        "hoat_dong_kinh_te_so",
        "hoat_dong_xa_hoi_so",
    )
    for row in rows:
        expected = formula_value({f: float(row[f]) for f in fields})
        assert expected is not None
        assert abs(float(row["dti"]) - expected) <= 0.0001, row["province_name"]


def test_a_formula_residual_is_a_warning_per_province(tmp_path: Path) -> None:
    indices = ("1,0000", "0,9000", "0,8253", "0,8487", "0,7578", "0,8575", "0,7836", "0,5197")
    path = write_csv(
        tmp_path / "dti_2022_63.csv",
        DETAIL,
        [("Đà Nẵng", *indices, "0,8002"), ("Quảng Ninh", *indices, "0,8100")],
    )
    pub = check_file(path)
    assert len(pub.good_rows) == 2  # a warning never blocks
    [residual] = [p for p in pub.all_problems if p.code == "FORMULA_RESIDUAL"]
    assert residual.severity == "warning"
    assert residual.params["province"] == "Tỉnh Quảng Ninh"
    assert residual.params["residual"] == "+0.009825"


def test_the_formula_is_not_applied_outside_2021_2023(tmp_path: Path) -> None:
    indices = ("1,0000", "0,9000", "0,8253", "0,8487", "0,7578", "0,8575", "0,7836", "0,5197")
    path = write_csv(tmp_path / "dti_2024_63.csv", DETAIL, [("Quảng Ninh", *indices, "0,8100")])
    assert "FORMULA_RESIDUAL" not in codes(check_file(path))


def test_an_unreadable_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "dti_2022_63.xlsx"
    path.write_bytes(b"not a workbook")
    pub = check_file(path)
    assert codes(pub) == ["FILE_UNREADABLE"]


def test_a_file_without_a_table_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dti_2022_63.csv", ("Ghi chú",), [("không có bảng",)])
    assert "TABLE_NOT_FOUND" in codes(check_file(path))


def test_check_dti_command_exit_codes(
    tmp_path: Path, data_home: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    good = write_csv(tmp_path / "dti_2023_63.csv", RANKING, [("1", "TP. Đà Nẵng", "0.8340")])
    bad = write_csv(tmp_path / "dti_2022_63.csv", RANKING, [("31", "Quảng Nan", "0.5808")])
    assert main(["check-dti", str(good)]) == 0
    out = capsys.readouterr().out
    # a one-row table is partial: the check against the current ranking happens at load
    assert "ĐƯỢC CHẤP NHẬN" in out and "khi nạp" in out and "RANK_CONTRADICTS_CURRENT" in out
    assert main(["check-dti", str(bad), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "PROVINCE_UNRESOLVED" in out and "Closest: Tỉnh Quảng Nam" in out


# The column labels and layout of the dti.gov.vn 2022 page; the five rows are the real ones.
PAGE_RANKING = (
    "XẾP HẠNG DTI",
    "CÁC TỈNH, THÀNH PHỐ TRỰC THUỘC TW",
    "XẾP HẠNG CHÍNH QUYỀN SỐ",
    "XẾP HẠNG KINH TẾ SỐ",
    "XẾP HẠNG XÃ HỘI SỐ",
)
PAGE_DETAIL = (
    "Xếp hạng DTI",
    "Các tỉnh, thành phố trực thuộc TW",
    "Chỉ số Nhận thức số",
    "Chỉ số Thể chế số",
    "Chỉ số Hạ tầng số",
    "Chỉ số Nhân lực số",
    "Chỉ số An toàn thông tin mạng",
    "Chỉ số Hoạt động chính quyền số",
    "Chỉ số Hoạt động kinh tế số",
    "Chỉ số Hoạt động xã hội số",
    "CHUYỂN ĐỔI SỐ CẤP TỈNH (PDTI)",
)


def _page_detail_rows() -> list[tuple[str, ...]]:
    fields = (
        "nhan_thuc_so",
        "the_che_so",
        "ha_tang_so",
        "nhan_luc_so",
        "an_toan_thong_tin_mang",
        "hoat_dong_chinh_quyen_so",
        "hoat_dong_kinh_te_so",
        "hoat_dong_xa_hoi_so",
        "dti",
    )
    rows = [r for r in load_facts() if r["year"] == "2022" and r["nhan_thuc_so"]]
    return [(r["rank"], r["province_name"], *(r[f] for f in fields)) for r in rows]


def test_the_dti_gov_vn_page_layout_needs_its_basis_stated(tmp_path: Path) -> None:
    tables = [("Xếp hạng chi tiết", PAGE_DETAIL, _page_detail_rows())]
    title = "BÁO CÁO XẾP HẠNG Đánh giá mức độ chuyển đổi số năm 2022"
    page = write_html(tmp_path / "xep-hang-2022.html", tables, title=title)
    pub = check_file(page)
    assert pub.meta.year == 2022 and codes(pub) == ["BASIS_MISSING"]  # ranks print no "/63"
    page.with_name(page.name + ".meta.json").write_text('{"basis": 63}', encoding="utf-8")
    pub = check_file(page)
    assert pub.file_ok and len(pub.good_rows) == 5 and not pub.bad_rows, codes(pub)
    assert {p.code for p in pub.all_problems} == {"PARTIAL_TABLE"}  # the real rows meet QĐ 922


def test_a_table_of_all_63_pre_2025_provinces_is_on_the_63_basis(tmp_path: Path) -> None:
    scores = [round(0.9 - 0.005 * i, 4) for i in range(63)]
    rows = [(r, n, "", "", "") for r, n, _ in _full_table(_competition(scores))]
    page = write_html(
        tmp_path / "xep-hang.html", [("Xếp hạng", PAGE_RANKING, rows)], title="DTI năm 2022"
    )
    pub = check_file(page)
    assert pub.file_ok and pub.meta.basis == 63 and not pub.is_partial, codes(pub)


def test_province_names_typed_in_a_legacy_font_are_repaired(tmp_path: Path) -> None:
    from ingest.encoding import unicode_to_tcvn3

    names = ["Quảng Nam", "Thừa Thiên - Huế", "Đà Nẵng"]
    path = write_xlsx(
        tmp_path / "dti_2022_63.xlsx",
        RANKING,
        [(str(31 + i), unicode_to_tcvn3(n), "") for i, n in enumerate(names)],
    )
    pub = check_file(path)
    assert [r.province.province_id for r in pub.good_rows if r.province] == ["49", "46", "48"]
