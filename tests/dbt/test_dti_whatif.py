"""The DTI what-if on the demo warehouse, recomputed by hand from the loaded table."""

from __future__ import annotations

import math

import duckdb
import pytest

from core.settings import Settings

MAIN_INDICES = (
    "nhan_thuc_so",
    "the_che_so",
    "ha_tang_so",
    "nhan_luc_so",
    "an_toan_thong_tin_mang",
    "hoat_dong_chinh_quyen_so",
    "hoat_dong_kinh_te_so",
    "hoat_dong_xa_hoi_so",
)


def _table(con: duckdb.DuckDBPyConnection, year: int, basis: int) -> dict[str, float]:
    return dict(
        con.execute(
            "select province_id, score from marts.fct_dti_scores "
            "where component = 'dti' and is_published and year = ? and basis = ?",
            [year, basis],
        ).fetchall()
    )


def test_new_da_nang_2024_to_rank_10_checks_by_hand(demo_warehouse: Settings) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        table = _table(con, 2024, 34)
        row = con.execute(
            "select current_rank, target_score, dti_gain_needed, is_next_band, value_source "
            "from marts.fct_dti_whatif_ranks "
            "where year = 2024 and basis = 34 and province_id = '48' and target_rank = 10"
        ).fetchone()
        weights = dict(
            con.execute(
                "select component, weight from marts.fct_dti_method_weights "
                "where year = 2024 and basis = 34"
            ).fetchall()
        )
        per_index = dict(
            con.execute(
                "select component, index_gain_for_next_band from marts.fct_dti_whatif_indices "
                "where year = 2024 and basis = 34 and province_id = '48'"
            ).fetchall()
        )
    assert len(table) == 34  # the full 34-basis table is loaded
    own = table.pop("48")
    assert own == 0.7069
    # by hand: the 10th best of the other 33 provinces is the score to equal
    tenth = sorted(table.values(), reverse=True)[9]
    assert row is not None
    current_rank, target_score, gain, is_next_band, source = row
    assert current_rank == 1 + sum(1 for s in table.values() if s > own) == 17
    assert target_score == tenth
    assert gain == pytest.approx(tenth - own, abs=1e-9)
    assert is_next_band and source == "whatif_computation"
    # equalling the score ranks 10th (a tie shares the rank); 0.0001 less does not
    assert 1 + sum(1 for s in table.values() if s > own + gain) <= 10
    assert 1 + sum(1 for s in table.values() if s > own + gain - 0.0001) > 10
    # each index alone: the gain divided by the index's weight, rounded up to 4 decimals
    assert set(per_index) == set(MAIN_INDICES)
    for index, needed in per_index.items():
        assert needed == math.ceil(round(gain / weights[index] * 10_000, 6)) / 10_000, index
        assert own + weights[index] * needed >= own + gain - 1e-9


def test_qd922_weights_are_recovered_from_a_full_table(demo_warehouse: Settings) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        rows = con.execute(
            "select year, basis, component, published_weight, fitted_weight, weight_source "
            "from marts.fct_dti_method_weights "
            "where methodology_decision_ref = 'QĐ 922/QĐ-BTTTT' and fitted_weight is not null"
        ).fetchall()
    assert {(year, basis) for year, basis, *_ in rows} == {(2022, 63)}
    assert len(rows) == len(MAIN_INDICES)
    for _, _, component, published, fitted, source in rows:
        assert source == "published"
        assert abs(fitted - published) <= 0.001, component


def test_unpublished_weights_are_fitted_and_labelled(demo_warehouse: Settings) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        fitted = con.execute(
            "select basis, component, weight, weight_source, fit_max_abs_residual, "
            "n_provinces_fitted from marts.fct_dti_method_weights where year = 2024"
        ).fetchall()
        unknown = con.execute(
            "select distinct weight_source from marts.fct_dti_method_weights where year = 2020"
        ).fetchall()
    assert {b for b, *_ in fitted} == {63, 34}
    for basis, _component, weight, source, residual, n in fitted:
        assert source == "least_squares" and weight is not None
        assert n == basis and residual is not None
    # the residual of the fit is shown: the DTI is the weighted sum up to the printed rounding
    assert max(r for *_, r, _ in fitted) < 0.0001
    assert unknown == [("unknown",)]


def test_what_ifs_need_a_full_table(demo_warehouse: Settings) -> None:
    with duckdb.connect(str(demo_warehouse.build_db), read_only=True) as con:
        tables = con.execute(
            "select distinct year, basis from marts.fct_dti_whatif_ranks order by 1, 2"
        ).fetchall()
        sources = con.execute(
            "select distinct value_source from marts.fct_dti_whatif_indices"
        ).fetchall()
        full = [
            (year, basis)
            for year, basis in con.execute(
                "select year, basis from marts.fct_dti_scores where component = 'dti' "
                "and is_published and score is not null group by 1, 2 "
                "having count(*) = any_value(basis) order by 1, 2"
            ).fetchall()
        ]
    assert tables == full == [(2022, 63), (2024, 34), (2024, 63)]
    assert sources == [("whatif_computation",)]
