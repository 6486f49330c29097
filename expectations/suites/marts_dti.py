"""Suite on ``marts.fct_dti_scores`` [province × year × basis × component]."""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from core.dti_ranking import rank_order_excess
from expectations.spec import SuiteSpec, critical, warning
from expectations.suites.raw_dti import (
    BASES,
    MAIN_INDICES,
    RESIDUAL_MISREAD,
    RESIDUAL_ROUNDING,
)

PILLARS = ("chinh_quyen_so", "kinh_te_so", "xa_hoi_so")
COMPONENTS = ("dti", *MAIN_INDICES, *PILLARS)
RANKING = ("year", "basis", "component")
VALUE_SOURCES = ("published", "warehouse_estimate")


def _with_rank_order(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["rank_order_excess"] = rank_order_excess(out, "score", "rank", RANKING)
    out["formula_residual_abs"] = out["formula_residual"].astype("Float64").abs()
    # what the warehouse computed must not pass for a publication's figure: no rank, no pillar
    estimate = out["value_source"] == "warehouse_estimate"
    out["estimate_rank"] = out["rank"].where(estimate)
    out["estimated_pillar"] = out["component"].where(estimate & out["component"].isin(PILLARS))
    return out


def marts_fct_dti_scores() -> list[Expectation]:
    return [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["year", "basis", "province_id", "component"],
            meta=critical("one row per province, year, basis and component"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="component", value_set=list(COMPONENTS), meta=critical("component is known")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="basis", value_set=list(BASES), meta=critical("basis is 63 or 34 provinces")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="score", min_value=0, max_value=1, meta=critical("score is on the 0–1 scale")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="value_source",
            value_set=list(VALUE_SOURCES),
            meta=critical("a value is published or the warehouse's estimate"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value_source", meta=critical("every value says where it comes from")
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="estimate_rank", meta=critical("the warehouse's estimates carry no rank")
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="estimated_pillar",
            meta=critical("pillars are never averaged into an estimate"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank", min_value=1, meta=critical("rank is 1 or more")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_ranked",
            column_B="rank",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("rank ≤ provinces ranked"),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="basis",
            column_B="n_ranked",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("provinces ranked ≤ basis size"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank_order_excess",
            max_value=0,
            meta=critical("ranks are consistent with scores within a year, basis and component"),
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


MARTS_FCT_DTI_SCORES = SuiteSpec(
    name="marts.fct_dti_scores",
    query="select * from marts.fct_dti_scores",
    build=marts_fct_dti_scores,
    prepare=_with_rank_order,
)
