"""The reporting-unit registry: which units must report, with validity dates (SCD2 source).

People's Committees (UBND) are identified by their official administrative code as
``vietnamadminunits`` gives it (district ``502`` = Tam Kỳ, commune ``20341`` = Phường An Mỹ);
provincial departments come from ``ingest/reference/departments.csv``, maintained by the province.

Two lists from ``vietnamadminunits`` are used:

- ``admin_units_legacy`` (63 provinces, 3 levels) describes the units as they stood just before
  the 2025-07-01 reorganisation (NQ 202/2025/QH15). For Quảng Nam that is already after the
  2025-01-01 merger (NQ 1241/NQ-UBTVQH15 of 24/10/2024): 17 districts and 233 communes. The
  units as they stood before (18 districts with Huyện Nông Sơn, 241 communes) come from
  ``reference/quang_nam_before_2025.csv``, each row with its source.
- ``admin_units`` (34 provinces, 2 levels) gives the commune-level units from 2025-07-01; the
  new Đà Nẵng (code ``48``) absorbed Quảng Nam. Which pre-2025 provinces became which of the 34
  comes from the library's 2025 conversion data (:func:`successor_provinces`).

The province scope is the new Đà Nẵng's whole history: legacy Quảng Nam (49) and legacy Đà Nẵng
(48) until 2025-06-30, then the new city. Its office holds both predecessors' reports, and a
target restated on the new city needs both. Legacy Đà Nẵng's wards are the library's, as they
stood before 2025-07-01, for its whole range (their earlier arrangements are not recorded here).

A unit id can therefore have several versions; ``(unit_id, valid_from)`` is unique. What each
version became and came from is in :mod:`ingest.lineage`. A unit can have no reporting duty
(``reference/reporting_duty.csv``: Hoàng Sa); it stays in the registry, marked so.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path

import vietnamadminunits
from vietnamadminunits.database import query

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEPARTMENTS_CSV = REFERENCE_DIR / "departments.csv"
QUANG_NAM_BEFORE_2025_CSV = REFERENCE_DIR / "quang_nam_before_2025.csv"
REPORTING_DUTY_CSV = REFERENCE_DIR / "reporting_duty.csv"

# The registry describes units from 2020 on (after the 2019-2021 arrangement of communes).
LEGACY_VALID_FROM = dt.date(2020, 1, 1)
LEGACY_VALID_TO = dt.date(2025, 6, 30)
REORGANISED_ON = dt.date(2025, 7, 1)
QUANG_NAM = "49"
# Legacy Đà Nẵng had code 48; the new city keeps it (it absorbed Quảng Nam).
OLD_DA_NANG = "48"
NEW_DA_NANG = "48"
# the predecessors of the new Đà Nẵng, whose reports its CĐS office holds
DEFAULT_PROVINCES = (QUANG_NAM, OLD_DA_NANG)
SCOPES = ("province", "national")

UNIT_TYPE_BY_LEVEL = {
    "province": "Sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
}


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
    # kept out of ``raw.reporting_units`` (see :func:`registry_rows`): loaded as
    # ``raw.reporting_exemptions`` so that adding it left the registry's history untouched
    has_reporting_duty: bool = True
    no_duty_reason: str | None = None

    def is_active(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def department_unit_id(province_code: str, dept_code: str) -> str:
    """Departments have no administrative code: ``<province code>-<department abbreviation>``.

    The new Đà Nẵng's departments (from 2025-07-01) keep code ``48``: legally the city continued
    and absorbed Quảng Nam's departments, so ``48-SNV`` from 2025-07-01 is the same unit as the
    legacy Đà Nẵng's ``48-SNV``, in a new validity range (SCD2), never a second unit.
    """
    return f"{province_code}-{dept_code}"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_departments(path: Path = DEPARTMENTS_CSV) -> list[dict[str, str]]:
    return read_csv(path)


def _departments(
    rows: Iterable[dict[str, str]], province_code: str, province_name: str, source: str
) -> list[ReportingUnit]:
    return [
        ReportingUnit(
            unit_id=department_unit_id(province_code, d["dept_code"]),
            unit_name=d["unit_name"],
            unit_type=UNIT_TYPE_BY_LEVEL["province"],
            unit_level="province",
            province_code=province_code,
            province_name=province_name,
            parent_unit_id=None,
            valid_from=_date(d["valid_from"]) or LEGACY_VALID_FROM,
            valid_to=_date(d["valid_to"]),
            source=source,
        )
        for d in rows
    ]


def template_departments(province_code: str, province_name: str) -> list[ReportingUnit]:
    """The departments of a province that keeps no registry file of its own.

    Every pre-2025 province had the same set of specialised agencies (NĐ 24/2014/NĐ-CP, amended
    by NĐ 107/2020/NĐ-CP), so Quảng Nam's list serves as the template, with the province's own
    name on its People's Committee office. Used for the national scale.
    """
    rows = [
        {**d, "unit_name": f"Văn phòng UBND {province_name}"} if d["dept_code"] == "VPUB" else d
        for d in load_departments()
        if d["province_code"] == QUANG_NAM
    ]
    return _departments(rows, province_code, province_name, "departments.csv (template)")


def _legacy_rows(province_codes: tuple[str, ...] | None) -> list[dict[str, str]]:
    where = ""
    if province_codes is not None:
        where = "where provinceCode in ({})".format(",".join(f"'{c}'" for c in province_codes))
    rows: list[dict[str, str]] = query(
        "select provinceCode, province, districtCode, district, wardCode, ward "
        f"from admin_units_legacy {where} order by wardCode"
    )
    return rows


def _quang_nam_before_2025() -> list[ReportingUnit]:
    rows = read_csv(QUANG_NAM_BEFORE_2025_CSV)
    return [
        ReportingUnit(
            unit_id=r["unit_id"],
            unit_name=f"UBND {r['unit_name']}",
            unit_type=UNIT_TYPE_BY_LEVEL[r["unit_level"]],
            unit_level=r["unit_level"],
            province_code=QUANG_NAM,
            province_name="Tỉnh Quảng Nam",
            parent_unit_id=r["parent_unit_id"] or None,
            valid_from=_date(r["valid_from"]) or LEGACY_VALID_FROM,
            valid_to=_date(r["valid_to"]),
            source=f"quang_nam_before_2025.csv: {r['source']}",
        )
        for r in rows
    ]


def _apply_history(units: list[ReportingUnit], history: list[ReportingUnit]) -> list[ReportingUnit]:
    """Put earlier versions in front of the library's: its version starts after the last one."""
    last_end: dict[str, dt.date] = {}
    for h in history:
        if h.valid_to is not None:
            last_end[h.unit_id] = max(last_end.get(h.unit_id, h.valid_to), h.valid_to)
    patched = [
        replace(u, valid_from=last_end[u.unit_id] + dt.timedelta(days=1))
        if u.unit_id in last_end
        else u
        for u in units
    ]
    return patched + history


def legacy_registry(
    province_codes: tuple[str, ...] | None = DEFAULT_PROVINCES,
) -> list[ReportingUnit]:
    """Departments, district and commune People's Committees of the pre-2025 provinces.

    ``None`` means every province. A province whose departments ``departments.csv`` lists before
    2025-07-01 (Quảng Nam, legacy Đà Nẵng) gets its own; the others get the template departments.
    """
    rows = _legacy_rows(province_codes)
    province_names = {r["provinceCode"]: r["province"] for r in rows}
    units: dict[str, ReportingUnit] = {}
    departments = load_departments()
    for code, name in sorted(province_names.items()):
        # Legacy departments end with the province at the 2025-07-01 reorganisation; the new
        # Đà Nẵng's rows (same code 48, from that day) belong to new_da_nang_registry.
        own = [
            d
            for d in departments
            if d["province_code"] == code
            and (_date(d["valid_from"]) or LEGACY_VALID_FROM) < REORGANISED_ON
        ]
        listed = (
            _departments(own, code, name, "departments.csv")
            if own
            else template_departments(code, name)
        )
        for unit in listed:
            units[unit.unit_id] = unit
    source = "vietnamadminunits:admin_units_legacy"
    for r in rows:
        units.setdefault(
            r["districtCode"],
            ReportingUnit(
                unit_id=r["districtCode"],
                unit_name=f"UBND {r['district']}",
                unit_type=UNIT_TYPE_BY_LEVEL["district"],
                unit_level="district",
                province_code=r["provinceCode"],
                province_name=r["province"],
                parent_unit_id=None,
                valid_from=LEGACY_VALID_FROM,
                valid_to=LEGACY_VALID_TO,
                source=source,
            ),
        )
        if not r["wardCode"]:  # island districts with no commune level (Bạch Long Vĩ, Cồn Cỏ…)
            continue
        units[r["wardCode"]] = ReportingUnit(
            unit_id=r["wardCode"],
            unit_name=f"UBND {r['ward']}",
            unit_type=UNIT_TYPE_BY_LEVEL["commune"],
            unit_level="commune",
            province_code=r["provinceCode"],
            province_name=r["province"],
            parent_unit_id=r["districtCode"],
            valid_from=LEGACY_VALID_FROM,
            valid_to=LEGACY_VALID_TO,
            source=source,
        )
    result = list(units.values())
    if QUANG_NAM in province_names:
        result = _apply_history(result, _quang_nam_before_2025())
    return sorted(result, key=lambda u: (u.unit_level, u.unit_id, u.valid_from))


CONVERTER_JSON = Path(vietnamadminunits.__file__).resolve().parent / "data" / "converter_2025.json"


def successor_provinces() -> dict[str, str]:
    """Each pre-2025 province's code → the code of the province it is part of from 2025-07-01
    (NQ 202/2025/QH15), from the 2025 conversion data shipped by ``vietnamadminunits``.

    Every one of the 34 provinces kept the code of one of its predecessors (the new Đà Nẵng
    kept legacy Đà Nẵng's ``48``), so a province that was not merged maps to itself.
    """
    with CONVERTER_JSON.open(encoding="utf-8") as handle:
        by_new_key: dict[str, list[str]] = json.load(handle)["DICT_PROVINCE"]
    legacy = {
        r["provinceKey"]: r["provinceCode"]
        for r in query("select distinct provinceKey, provinceCode from admin_units_legacy")
    }
    new = {
        r["provinceKey"]: r["provinceCode"]
        for r in query("select distinct provinceKey, provinceCode from admin_units")
    }
    return {legacy[old]: new[key] for key, olds in by_new_key.items() for old in olds}


def reorganised_template_departments(province_code: str, province_name: str) -> list[ReportingUnit]:
    """The departments from 2025-07-01 of a province that keeps no registry file of its own.

    NĐ 45/2025/NĐ-CP sets the same specialised agencies for every province after the 2025
    reorganisation, so the new Đà Nẵng's list (``departments.csv``, from 2025-07-01) serves as
    the template, with the province's own name on its People's Committee office. Each unit id
    is ``<province code>-<department>``: where the code is a legacy province's, it is a new
    version (SCD2) of that province's department, as in the new Đà Nẵng. Used for the national
    scale only.
    """
    rows = [
        {**d, "unit_name": f"Văn phòng UBND {province_name}"} if d["dept_code"] == "VPUB" else d
        for d in load_departments()
        if d["province_code"] == NEW_DA_NANG and _date(d["valid_from"]) == REORGANISED_ON
    ]
    return _departments(rows, province_code, province_name, "departments.csv (template)")


def reorganised_registry(
    province_codes: tuple[str, ...] | None = (NEW_DA_NANG,),
) -> list[ReportingUnit]:
    """The provinces from 2025-07-01: departments and commune-level units, no district.

    ``None`` means all 34. A province whose departments ``departments.csv`` lists from that day
    (the new Đà Nẵng) gets its own; the others get :func:`reorganised_template_departments`.
    """
    where = ""
    if province_codes is not None:
        where = "where provinceCode in ({})".format(",".join(f"'{c}'" for c in province_codes))
    rows = query(
        f"select provinceCode, province, wardCode, ward from admin_units {where} order by wardCode"
    )
    province_names = {r["provinceCode"]: r["province"] for r in rows}
    departments = load_departments()
    units: list[ReportingUnit] = []
    for code, name in sorted(province_names.items()):
        own = [
            d
            for d in departments
            if d["province_code"] == code and _date(d["valid_from"]) == REORGANISED_ON
        ]
        units += (
            _departments(own, code, name, "departments.csv")
            if own
            else reorganised_template_departments(code, name)
        )
    units += [
        ReportingUnit(
            unit_id=r["wardCode"],
            unit_name=f"UBND {r['ward']}",
            unit_type=UNIT_TYPE_BY_LEVEL["commune"],
            unit_level="commune",
            province_code=r["provinceCode"],
            province_name=r["province"],
            parent_unit_id=None,
            valid_from=REORGANISED_ON,
            valid_to=None,
            source="vietnamadminunits:admin_units",
        )
        for r in rows
    ]
    return sorted(units, key=lambda u: (u.unit_level, u.unit_id))


def new_da_nang_registry() -> list[ReportingUnit]:
    """The new Đà Nẵng from 2025-07-01: its departments and 94 commune-level units, no district."""
    return reorganised_registry((NEW_DA_NANG,))


def build_registry(scope: str = "province") -> list[ReportingUnit]:
    """The registry the pipeline loads every night.

    ``province``: Quảng Nam and legacy Đà Nẵng until 2025-06-30, then the new Đà Nẵng.
    ``national`` (benchmarks): every pre-2025 province until 2025-06-30, then the 34 provinces.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown registry scope {scope!r}: use one of {', '.join(SCOPES)}")
    if scope == "national":
        return apply_reporting_duty(legacy_registry(None) + reorganised_registry(None))
    return apply_reporting_duty(legacy_registry(DEFAULT_PROVINCES) + new_da_nang_registry())


def apply_reporting_duty(units: list[ReportingUnit]) -> list[ReportingUnit]:
    """Mark the unit versions ``reference/reporting_duty.csv`` lists as having no duty."""
    exempt = {
        (r["unit_id"], dt.date.fromisoformat(r["valid_from"])): r["reason_vi"]
        for r in read_csv(REPORTING_DUTY_CSV)
        if r["has_reporting_duty"] == "false"
    }
    return [
        replace(u, has_reporting_duty=False, no_duty_reason=exempt[(u.unit_id, u.valid_from)])
        if (u.unit_id, u.valid_from) in exempt
        else u
        for u in units
    ]


_DUTY_FIELDS = ("has_reporting_duty", "no_duty_reason")


def registry_rows(units: list[ReportingUnit]) -> list[dict[str, object]]:
    # a shallow dict per unit (its fields are plain values): ``asdict`` deep-copies every
    # field and took 0.6 s for the national registry
    names = [f.name for f in fields(ReportingUnit) if f.name not in _DUTY_FIELDS]
    return [{name: getattr(u, name) for name in names} for u in units]


def exemption_rows(units: list[ReportingUnit]) -> list[dict[str, object]]:
    """``raw.reporting_exemptions``: the unit versions with no reporting duty, and why."""
    return [
        {
            "unit_id": u.unit_id,
            "valid_from": u.valid_from,
            "reason_vi": u.no_duty_reason,
            "source": "reporting_duty.csv",
        }
        for u in units
        if not u.has_reporting_duty
    ]
