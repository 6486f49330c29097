"""Suites on the national DTI publications as loaded: ``raw.dti_publications``, ``raw.dti_scores``.

The published facts (DESIGN §3.3): scores on a 0–1 scale; ranks follow scores (ties share a
rank); 63 provinces before the 2025 reorganisation, 34 after; and for 2021–2023 (QĐ 922) the DTI
is the weighted sum of the 8 main indices to ±0.0001. A column read into the wrong field shows
up as a score out of range, a rank out of order or a large formula residual.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from core.dti_ranking import RANKED_SCORES, rank_order_excess
from expectations.spec import SuiteSpec, critical, warning

BASES = (63, 34)
FIRST_DTI_YEAR = 2020

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
PILLARS = {s: r for s, r in RANKED_SCORES.items() if s != "dti"}  # pillar score -> its rank
SCORES = ("dti", *MAIN_INDICES, *PILLARS)

# QĐ 922/QĐ-BTTTT (2021–2023): 0.1 × each foundation index + 0.2 / 0.15 / 0.15 × activities
FORMULA_922_YEARS = (2021, 2022, 2023)
FORMULA_922_WEIGHTS = {
    "nhan_thuc_so": 0.1,
    "the_che_so": 0.1,
    "ha_tang_so": 0.1,
    "nhan_luc_so": 0.1,
    "an_toan_thong_tin_mang": 0.1,
    "hoat_dong_chinh_quyen_so": 0.2,
    "hoat_dong_kinh_te_so": 0.15,
    "hoat_dong_xa_hoi_so": 0.15,
}
# published to 4 decimals: the sum of 8 rounded terms may differ by up to ±0.0001 (DESIGN
# §3.3); a tenfold larger residual means a misread column, not rounding
RESIDUAL_ROUNDING = 0.0001 + 1e-9
RESIDUAL_MISREAD = 0.001

PUBLICATIONS_QUERY = """
select
    publications.*,
    (select count(*) from raw.dti_scores as scores
        where scores.publication_id = publications.publication_id) as n_rows_loaded
from raw.dti_publications as publications
"""


def formula_residual(frame: pd.DataFrame) -> pd.Series:
    """DTI minus the QĐ 922 weighted sum; missing outside 2021–2023 or with a missing index."""
    weighted = sum(frame[c].astype("Float64") * w for c, w in FORMULA_922_WEIGHTS.items())
    residual = frame["dti"].astype("Float64") - weighted
    return residual.where(frame["year"].isin(FORMULA_922_YEARS))


def _with_dti_checks(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["formula_residual_abs"] = formula_residual(out).abs().astype("float64")
    for score, rank in RANKED_SCORES.items():
        out[f"{rank}_order_excess"] = rank_order_excess(out, score, rank)
    return out


def raw_dti_scores() -> list[Expectation]:
    return [
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=0, max_value=1, meta=critical(f"{c} is on the 0–1 scale")
            )
            for c in SCORES
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="basis", value_set=list(BASES), meta=critical("basis is 63 or 34 provinces")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="basis",
            column_B="n_ranked",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("provinces ranked ≤ basis size"),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_ranked",
            column_B="rank",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("rank ≤ provinces ranked"),
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=r, min_value=1, meta=critical(f"{r} is 1 or more")
            )
            for r in RANKED_SCORES.values()
        ),
        *(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="basis",
                column_B=r,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=critical(f"{r} ≤ basis size"),
            )
            for r in RANKED_SCORES.values()
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{rank}_order_excess",
                max_value=0,
                meta=critical(f"{rank} is consistent with {score} (no better score ranked lower)"),
            )
            for score, rank in RANKED_SCORES.items()
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["publication_id", "province_id"],
            meta=critical("one row per province in a publication"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year", min_value=FIRST_DTI_YEAR, meta=critical("year is 2020 or later")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="formula_residual_abs",
            max_value=RESIDUAL_MISREAD,
            meta=critical("QĐ 922 formula residual < 0.001 (2021–2023): no misread index"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="formula_residual_abs",
            max_value=RESIDUAL_ROUNDING,
            meta=warning("QĐ 922 formula residual ≤ 0.0001 (2021–2023)"),
        ),
    ]


def raw_dti_publications() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="basis", value_set=list(BASES), meta=critical("basis is 63 or 34 provinces")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="basis",
            column_B="n_rows",
            or_equal=True,
            meta=critical("a publication lists at most one row per province of its basis"),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="n_rows",
            column_B="n_rows_loaded",
            meta=critical("every row of a publication is loaded into raw.dti_scores"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="file_format",
            value_set=["html", "xlsx", "csv"],
            meta=critical("file format is html, xlsx or csv"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year", min_value=FIRST_DTI_YEAR, meta=critical("year is 2020 or later")
        ),
    ]


RAW_DTI_PUBLICATIONS = SuiteSpec(
    name="raw.dti_publications",
    query=PUBLICATIONS_QUERY,
    build=raw_dti_publications,
    reads=("raw.dti_publications", "raw.dti_scores"),
)

RAW_DTI_SCORES = SuiteSpec(
    name="raw.dti_scores",
    query="select * from raw.dti_scores",
    build=raw_dti_scores,
    prepare=_with_dti_checks,
)
