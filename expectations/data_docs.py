"""The data-quality page of each validation run, under the data home (``docs/gx/index.html``).

GX 1.x's own Data Docs cannot be opened offline: every page loads Bootstrap, jQuery, Popper,
bootstrap-table, bootstrap-datepicker, Font Awesome and Vega from CDNs, and the tables are only
drawn by bootstrap-table from JSON in a script. Vendoring them was checked and is not possible
from the package index the project installs from: bootstrap-table 1.19 and Popper 1.x have no
distribution there, and Vega only in an unmaintained viewer. So the run's results are rendered
here as one self-contained page (inline CSS, no script, no remote resource) from the same
outcomes that go to ``audit.dq_results``, including suites that could not run at all.

The page is rebuilt from scratch each run so no stale result survives.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from expectations.results import ExpectationOutcome, ValidationReport
from expectations.spec import CRITICAL

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class SuiteSummary:
    """One suite's outcomes, failures first, and its counts."""

    name: str
    outcomes: list[ExpectationOutcome]

    @property
    def anchor(self) -> str:
        return "suite-" + self.name.replace(".", "-")

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.success)

    @property
    def critical_failures(self) -> int:
        return sum(1 for o in self.outcomes if not o.success and o.severity == CRITICAL)

    @property
    def warnings(self) -> int:
        return sum(1 for o in self.outcomes if not o.success and o.severity != CRITICAL)

    @property
    def status(self) -> str:
        if self.critical_failures:
            return "critical"
        return "warning" if self.warnings else "passed"


def summarise(report: ValidationReport) -> list[SuiteSummary]:
    """The report's outcomes by suite: suites with critical failures first, then warnings."""
    by_suite: dict[str, list[ExpectationOutcome]] = {}
    for outcome in report.outcomes:
        by_suite.setdefault(outcome.suite, []).append(outcome)
    order = {"critical": 0, "warning": 1, "passed": 2}
    suites = [
        SuiteSummary(
            name,
            sorted(outcomes, key=lambda o: (o.success, o.severity != CRITICAL)),
        )
        for name, outcomes in by_suite.items()
    ]
    return sorted(suites, key=lambda s: (order[s.status], s.name))


def render_page(report: ValidationReport, validated_at: dt.datetime) -> str:
    """The HTML of the run's quality page (Vietnamese, with the rules as the suites word them)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    when = validated_at if validated_at.tzinfo else validated_at.replace(tzinfo=dt.UTC)
    return env.get_template("data_docs.html.j2").render(
        report=report,
        suites=summarise(report),
        validated_at=when.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
        critical=CRITICAL,
    )


def build_site(
    site_dir: Path, report: ValidationReport, validated_at: dt.datetime | None = None
) -> Path:
    """Write the run's page into ``site_dir`` (replacing what was there); return its path."""
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    index = site_dir / "index.html"
    index.write_text(render_page(report, validated_at or dt.datetime.now(dt.UTC)), encoding="utf-8")
    return index
