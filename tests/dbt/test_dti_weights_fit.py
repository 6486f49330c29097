"""The least-squares fit behind int_dti_weights_fitted (a dbt Python model), on known tables."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from core.settings import DBT_PROJECT_DIR

MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "dti" / "int_dti_weights_fitted.py"


def _model() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int_dti_weights_fitted", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _long(year: int, basis: int, n: int, weights: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    model = _model()
    x = rng.uniform(0.3, 1.0, size=(n, len(model.MAIN_INDICES)))
    dti = np.round(x @ weights, 4)  # printed with 4 decimals, as the ministry does
    rows = []
    for i in range(n):
        for j, component in enumerate(model.MAIN_INDICES):
            rows.append((year, basis, f"{i:02d}", component, round(float(x[i, j]), 4), False))
        rows.append((year, basis, f"{i:02d}", "dti", float(dti[i]), False))
    return pd.DataFrame(
        rows, columns=["year", "basis", "province_id", "component", "score", "is_recomputed"]
    )


def test_known_weights_come_back_from_a_full_table() -> None:
    weights = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.15, 0.15])
    fitted = _model().fit(_long(2022, 63, 63, weights, seed=1))
    assert len(fitted) == 8
    assert fitted["fitted_weight"].to_numpy() == pytest.approx(weights, abs=0.001)
    assert (fitted["n_provinces_fitted"] == 63).all()
    assert fitted["fit_max_abs_residual"].max() < 0.0002


def test_a_partial_table_or_an_estimate_is_not_fitted() -> None:
    weights = np.array([0.09] * 5 + [0.25, 0.15, 0.15])
    partial = _long(2024, 63, 40, weights, seed=2)  # 40 of 63 provinces
    estimated = _long(2024, 34, 34, weights, seed=3).assign(is_recomputed=True)
    assert _model().fit(pd.concat([partial, estimated])).empty


def test_no_dti_table_gives_an_empty_table_with_typed_columns() -> None:
    """A home without any DTI publication (a new deployment): the model is empty, and DuckDB
    still gets a type for every column; untyped (NULL) columns made the mart's unit test fail
    to cast its fixtures, and so the whole night."""
    import duckdb

    no_scores = _long(2022, 63, 1, np.zeros(8), seed=4).iloc[0:0]
    fitted = _model().fit(no_scores)
    relation = duckdb.sql("select * from fitted")
    types = {
        name: str(kind).strip('"')
        for name, kind in zip(relation.columns, relation.types, strict=True)
    }

    assert fitted.empty
    assert "NULL" not in types.values(), types
