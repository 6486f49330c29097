"""The gate: tonight's warehouse replaces yesterday's only if no critical expectation failed."""

from __future__ import annotations

from expectations.results import ValidationReport


class QualityGateClosed(RuntimeError):
    """A critical expectation failed: tonight's warehouse must not be published."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        failures = report.critical_failures
        lines = "\n".join(f"  - {o.describe()}" for o in failures)
        super().__init__(
            f"quality gate closed: {len(failures)} critical data-quality check(s) failed in "
            f"run {report.run_id}; the published warehouse was left unchanged.\n{lines}"
        )


def enforce_gate(report: ValidationReport) -> None:
    """Raise :class:`QualityGateClosed` naming every failed critical expectation."""
    if not report.gate_open:
        raise QualityGateClosed(report)
