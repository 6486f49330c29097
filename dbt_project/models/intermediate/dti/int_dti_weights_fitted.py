"""The weights of the 8 main indices in the DTI, recovered by least squares from a full table.

For every year and basis whose loaded table prints the DTI and all 8 main indices for every
province of the basis, the weights w minimise Σ (DTI − Σ w_i × index_i)² over the provinces
(no intercept: the methods weigh the indices, they add no constant). With QĐ 922/QĐ-BTTTT's
published weights this gives them back to the rounding of the printed scores; for a method
whose weights are not published it is the only estimate there is, and the residuals say how
well a weighted sum explains the table. A year without a full table gets no row.
"""

import numpy as np
import pandas as pd

MAIN_INDICES = [
    "nhan_thuc_so",
    "the_che_so",
    "ha_tang_so",
    "nhan_luc_so",
    "an_toan_thong_tin_mang",
    "hoat_dong_chinh_quyen_so",
    "hoat_dong_kinh_te_so",
    "hoat_dong_xa_hoi_so",
]
COLUMNS = [
    "dti_weight_fit_id",
    "year",
    "basis",
    "component",
    "fitted_weight",
    "n_provinces_fitted",
    "fit_rmse",
    "fit_max_abs_residual",
]


def fit(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per year, basis and main index with its fitted weight and the fit's residuals."""
    published = scores[~scores["is_recomputed"].astype(bool)]
    wide = published.pivot_table(
        index=["year", "basis", "province_id"], columns="component", values="score"
    )
    rows = []
    for (year, basis), table in wide.groupby(level=["year", "basis"]):
        needed = ["dti", *MAIN_INDICES]
        if any(c not in table.columns for c in needed):
            continue
        complete = table[needed].dropna()
        if len(complete) < int(basis):
            continue
        x = complete[MAIN_INDICES].to_numpy(dtype=float)
        y = complete["dti"].to_numpy(dtype=float)
        weights, *_ = np.linalg.lstsq(x, y, rcond=None)
        residuals = y - x @ weights
        for component, weight in zip(MAIN_INDICES, weights, strict=True):
            rows.append(
                {
                    "dti_weight_fit_id": f"{int(year)}|{int(basis)}|{component}",
                    "year": int(year),
                    "basis": int(basis),
                    "component": component,
                    "fitted_weight": round(float(weight), 6),
                    "n_provinces_fitted": len(complete),
                    "fit_rmse": round(float(np.sqrt(np.mean(residuals**2))), 6),
                    "fit_max_abs_residual": round(float(np.max(np.abs(residuals))), 6),
                }
            )
    # every column typed: an empty fit (no DTI table loaded yet) must still give DuckDB types
    return pd.DataFrame(rows, columns=COLUMNS).astype(
        {
            "dti_weight_fit_id": "string",
            "year": "int32",
            "basis": "int32",
            "component": "string",
            "fitted_weight": "float64",
            "n_provinces_fitted": "int64",
            "fit_rmse": "float64",
            "fit_max_abs_residual": "float64",
        }
    )


def model(dbt, session):
    dbt.config(materialized="table")
    scores = dbt.ref("int_dti_scores_merged").df()
    return fit(scores)
