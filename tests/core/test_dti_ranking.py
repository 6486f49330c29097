"""The ranking rule shared by the DTI loader and the GX suites."""

from __future__ import annotations

import pandas as pd
import pytest

from core.dti_ranking import rank_order_excess, rank_order_shortfall


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "publication_id": ["p", "p", "p", "q"],
            "dti": [0.8, 0.6, 0.7, 0.9],
            "rank": [1, 2, 3, 1],
        }
    )


def test_rank_order_excess_names_the_out_of_order_row() -> None:
    excess = rank_order_excess(_frame(), "dti", "rank")
    assert excess.isna().tolist() == [True, False, False, True]
    assert excess.iloc[1] == pytest.approx(-0.2)
    assert excess.iloc[2] == pytest.approx(0.1)  # ranked 3rd with more than the 2nd


def test_rank_order_shortfall_names_the_row_set_too_low() -> None:
    shortfall = rank_order_shortfall(_frame(), "dti", "rank")
    assert shortfall.isna().tolist() == [False, False, True, True]
    assert shortfall.iloc[0] == pytest.approx(-0.1)
    assert shortfall.iloc[1] == pytest.approx(0.1)  # ranked 2nd with less than the 3rd


def test_ties_are_not_compared() -> None:
    frame = pd.DataFrame({"publication_id": ["p"] * 3, "dti": [0.5, 0.6, 0.4], "rank": [1, 1, 3]})
    assert (rank_order_excess(frame, "dti", "rank").fillna(0) <= 0).all()
    assert (rank_order_shortfall(frame, "dti", "rank").fillna(0) <= 0).all()
