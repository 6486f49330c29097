"""The reporting-unit registry: which units must report, with validity dates (SCD2 source).

People's Committees (UBND) are identified by their official administrative code as
``vietnamadminunits`` gives it (district ``502`` = Tam Kỳ, commune ``20341`` = Phường An Mỹ);
provincial departments come from ``ingest/reference/departments.csv``, maintained by the province.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

from vietnamadminunits.database import query

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEPARTMENTS_CSV = REFERENCE_DIR / "departments.csv"

# The 63-province, 3-level list in vietnamadminunits describes the units as they stood until
# the 2025-07-01 reorganisation (NQ 202/2025/QH15).
LEGACY_VALID_FROM = dt.date(2020, 1, 1)
LEGACY_VALID_TO = dt.date(2025, 6, 30)
DEFAULT_PROVINCES = ("49",)  # Quảng Nam


@dataclass(frozen=True)
class ReportingUnit:
    unit_id: str
    unit_name: str
    unit_type: str
    unit_level: str
    province_code: str
    province_name: str
    parent_unit_id: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def is_active(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def department_unit_id(province_code: str, dept_code: str) -> str:
    """Departments have no administrative code: ``<province code>-<department abbreviation>``."""
    return f"{province_code}-{dept_code}"


def load_departments(path: Path = DEPARTMENTS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def legacy_registry(province_codes: tuple[str, ...] = DEFAULT_PROVINCES) -> list[ReportingUnit]:
    """Departments, district and commune People's Committees of the pre-2025 provinces."""
    codes = ",".join(f"'{c}'" for c in province_codes)
    rows = query(
        "select provinceCode, province, districtCode, district, wardCode, ward "
        f"from admin_units_legacy where provinceCode in ({codes}) order by wardCode"
    )
    units: dict[str, ReportingUnit] = {}
    province_names = {r["provinceCode"]: r["province"] for r in rows}
    for dept in load_departments():
        if dept["province_code"] not in province_codes:
            continue
        unit_id = department_unit_id(dept["province_code"], dept["dept_code"])
        units[unit_id] = ReportingUnit(
            unit_id=unit_id,
            unit_name=dept["unit_name"],
            unit_type="Sở, ban, ngành",
            unit_level="province",
            province_code=dept["province_code"],
            province_name=province_names.get(dept["province_code"], ""),
            parent_unit_id=None,
            valid_from=dt.date.fromisoformat(dept["valid_from"]),
            valid_to=dt.date.fromisoformat(dept["valid_to"]) if dept["valid_to"] else None,
            source="departments.csv",
        )
    for r in rows:
        units.setdefault(
            r["districtCode"],
            ReportingUnit(
                unit_id=r["districtCode"],
                unit_name=f"UBND {r['district']}",
                unit_type="UBND cấp huyện",
                unit_level="district",
                province_code=r["provinceCode"],
                province_name=r["province"],
                parent_unit_id=None,
                valid_from=LEGACY_VALID_FROM,
                valid_to=LEGACY_VALID_TO,
                source="vietnamadminunits:admin_units_legacy",
            ),
        )
        units[r["wardCode"]] = ReportingUnit(
            unit_id=r["wardCode"],
            unit_name=f"UBND {r['ward']}",
            unit_type="UBND cấp xã",
            unit_level="commune",
            province_code=r["provinceCode"],
            province_name=r["province"],
            parent_unit_id=r["districtCode"],
            valid_from=LEGACY_VALID_FROM,
            valid_to=LEGACY_VALID_TO,
            source="vietnamadminunits:admin_units_legacy",
        )
    return sorted(units.values(), key=lambda u: (u.unit_level, u.unit_id))


def build_registry() -> list[ReportingUnit]:
    """The registry the pipeline loads every night."""
    return legacy_registry()


def registry_rows(units: list[ReportingUnit]) -> list[dict[str, object]]:
    return [asdict(u) for u in units]
