"""What a suite is: a table to read, derived columns to add, and expectations with a severity.

GX validates DataFrames here (see the README), so rules that span columns or rows — a sum, a
rank order, a supersession key — are computed in ``prepare`` as derived columns and checked
with GX's column expectations. Every expectation carries in its ``meta`` a ``severity``
(``critical`` blocks publishing, ``warning`` is recorded) and a ``rule`` in plain words that
the gate message, ``audit.dq_results`` and the run summary repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from great_expectations.expectations.expectation import Expectation

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)


def rule(severity: str, text: str) -> dict[str, str]:
    """The ``meta`` of an expectation: its severity and the rule it enforces, in plain words."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
    return {"severity": severity, "rule": text}


def critical(text: str) -> dict[str, str]:
    return rule(CRITICAL, text)


def warning(text: str) -> dict[str, str]:
    return rule(WARNING, text)


def _unchanged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


@dataclass(frozen=True)
class SuiteSpec:
    """One suite: ``name`` is ``<layer>.<table>``; ``query`` reads the frame from DuckDB."""

    name: str
    query: str
    build: Callable[[], list[Expectation]]
    prepare: Callable[[pd.DataFrame], pd.DataFrame] = field(default=_unchanged)
    # tables the query reads: all must exist in the build database, or the suite fails
    reads: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.name

    @property
    def tables_read(self) -> tuple[str, ...]:
        return self.reads or (self.name,)
