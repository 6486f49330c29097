"""Suite tests validate tiny DataFrames and look at which rules failed."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from expectations.results import ExpectationOutcome
from expectations.runner import validate_frame
from expectations.spec import SuiteSpec

Failures = Callable[[SuiteSpec, pd.DataFrame], dict[str, ExpectationOutcome]]


def _failures(spec: SuiteSpec, frame: pd.DataFrame) -> dict[str, ExpectationOutcome]:
    outcomes = validate_frame(spec, frame)
    assert outcomes, f"{spec.name} produced no outcome"
    return {str(o.rule): o for o in outcomes if not o.success}


@pytest.fixture
def failures() -> Failures:
    """Validate a frame with a suite; return the failed outcomes keyed by their rule."""
    return _failures
