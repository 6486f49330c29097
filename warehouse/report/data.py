"""What the scorecard shows, read from the published warehouse's analyst views.

The scorecard reads exactly what analysts and BI tools read (the ``analyst`` views of the
published file), so the report and a dashboard built on the same views cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from warehouse.sql import connect_published

VIEWS = {
    "dti": "analyst.dti_rank_history",
    "staffing": "analyst.staffing_by_level_and_assignment",
    "targets": "analyst.target_progress",
    "compliance": "analyst.reporting_compliance_by_level",
    "late_or_missing": "analyst.late_or_missing_reports",
    "no_focal_point": "analyst.units_without_focal_point",
}


@dataclass(frozen=True)
class ScorecardData:
    dti: pd.DataFrame
    staffing: pd.DataFrame
    targets: pd.DataFrame
    compliance: pd.DataFrame
    late_or_missing: pd.DataFrame
    no_focal_point: pd.DataFrame
    published_version: str
    unit_province_name: str | None = None  # the registry's province, when DTI data is missing

    @property
    def latest_period(self) -> str | None:
        periods = self.staffing["period_id"].dropna()
        return str(periods.max()) if len(periods) else None

    @property
    def home_province_name(self) -> str | None:
        home = self.dti[self.dti["is_home_province"]]
        if home.empty:
            return self.unit_province_name
        return str(home.sort_values(["year", "basis"]).iloc[0]["province_name"])


def load_scorecard_data(published_db: Path, version: str = "") -> ScorecardData:
    """Read every view the scorecard needs; a missing view is an error naming it."""
    frames: dict[str, pd.DataFrame] = {}
    with connect_published(published_db) as con:
        for key, view in VIEWS.items():
            frames[key] = con.sql(f"select * from {view}").df()
        # the province most reporting units belong to (units before the 2025 merger first)
        row = con.execute(
            "select province_name from marts.dim_unit group by province_name "
            "order by min(valid_from), count(*) desc limit 1"
        ).fetchone()
    return ScorecardData(
        published_version=version, unit_province_name=row[0] if row else None, **frames
    )
