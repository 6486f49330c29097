"""Expectation suites as code, named ``<layer>.<table>``; :data:`SUITES` is what a night runs.

Raw suites check what ingestion loaded; mart suites check what dbt built. The row-count suite
(``audit.dq_row_counts``) is assembled at run time from the baseline, see ``row_counts``.
"""

from __future__ import annotations

from expectations.spec import CRITICAL, WARNING, SuiteSpec
from expectations.suites.marts_compliance import MARTS_FCT_REPORTING_COMPLIANCE
from expectations.suites.marts_dti import MARTS_FCT_DTI_SCORES
from expectations.suites.marts_scorecard import MARTS_PROVINCE_SCORECARD
from expectations.suites.marts_staffing import MARTS_FCT_STAFFING
from expectations.suites.marts_targets import MARTS_FCT_TARGET_PROGRESS
from expectations.suites.raw_dti import RAW_DTI_PUBLICATIONS, RAW_DTI_SCORES
from expectations.suites.raw_submissions import RAW_STAFF_ROWS, RAW_SUBMISSIONS

SUITES: tuple[SuiteSpec, ...] = (
    RAW_SUBMISSIONS,
    RAW_STAFF_ROWS,
    RAW_DTI_PUBLICATIONS,
    RAW_DTI_SCORES,
    MARTS_FCT_STAFFING,
    MARTS_FCT_TARGET_PROGRESS,
    MARTS_FCT_REPORTING_COMPLIANCE,
    MARTS_FCT_DTI_SCORES,
    MARTS_PROVINCE_SCORECARD,
)

__all__ = ["CRITICAL", "SUITES", "WARNING", "SuiteSpec"]
