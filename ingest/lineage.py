"""Unit lineage: what each unit version became and where it came from (``raw.unit_lineage``).

A unit version is ``(unit_id, valid_from)``, the key of the registry. The official code stays
what clerks write; a code the reform reused for a new unit (``20341``: Phường An Mỹ until
2025-06-30, Phường Tam Kỳ from 2025-07-01) is two versions, and the lineage links the first
version, and every other predecessor, to the second. One row per predecessor → successor edge:

- ``renamed``: one version continues as one other (a name, a type or a code changed);
- ``reassigned``: the same unit under another district (Nông Sơn's communes, 2025-01-01);
- ``merged_into``: one of several predecessors of a successor;
- ``split_into``: one of several successors of a predecessor;
- ``dissolved``: a district committee abolished on 2025-07-01, its duties passed to the new
  communes of its territory (one row per such commune).

Sources: ``reference/quang_nam_before_2025.csv`` (2023 and 2025-01-01 changes in Quảng Nam),
``reference/departments.csv`` (2025-03-01 department mergers, then the 49 + legacy 48
departments → new 48 on 2025-07-01) and the 2025 conversion data shipped by
``vietnamadminunits`` (old communes of Quảng Nam and Đà Nẵng → the 94 of the new Đà Nẵng,
NQ 1659/NQ-UBTVQH15). An edge is kept only when both versions are in the registry, so the
lineage follows the registry's scope.

Filing rule (docs/intake.md): a unit that ceased before a period's deadline still owes the
period it existed in; its *filing successor* (``is_filing_successor``) files it, under the
ceased unit's code, by the period's deadline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import vietnamadminunits
from vietnamadminunits.database import query

from ingest.registry import (
    LEGACY_VALID_TO,
    NEW_DA_NANG,
    QUANG_NAM,
    QUANG_NAM_BEFORE_2025_CSV,
    REORGANISED_ON,
    ReportingUnit,
    department_unit_id,
    load_departments,
    read_csv,
)

CONVERTER_JSON = Path(vietnamadminunits.__file__).resolve().parent / "data" / "converter_2025.json"
EVENT_KINDS = ("renamed", "reassigned", "merged_into", "split_into", "dissolved")
COMMUNES_2025 = "NQ 1659/NQ-UBTVQH15 (16/6/2025), hiệu lực 01/7/2025"
DISTRICTS_2025 = (
    "NQ 202/2025/QH15 (12/6/2025); Luật Tổ chức chính quyền địa phương số 72/2025/QH15: "
    "cấp huyện kết thúc hoạt động từ 01/7/2025"
)
_NEW_PROVINCE_KEY = "thanhphodanang"
_CONVERTER = "vietnamadminunits:converter_2025"


@dataclass(frozen=True)
class LineageEdge:
    predecessor_unit_id: str
    predecessor_valid_from: dt.date
    successor_unit_id: str
    successor_valid_from: dt.date
    event_kind: str
    effective_date: dt.date
    resolution: str
    is_filing_successor: bool
    source: str


class _Versions:
    """The registry's versions by unit id, to find the one valid on a day."""

    def __init__(self, units: Iterable[ReportingUnit]) -> None:
        self._by_id: dict[str, list[ReportingUnit]] = defaultdict(list)
        for unit in units:
            self._by_id[unit.unit_id].append(unit)

    def on(self, unit_id: str, day: dt.date) -> ReportingUnit | None:
        return next((u for u in self._by_id.get(unit_id, []) if u.is_active(day)), None)

    def ending(self, day: dt.date) -> list[ReportingUnit]:
        return [u for vs in self._by_id.values() for u in vs if u.valid_to == day]


def _edge(
    before: ReportingUnit,
    after: ReportingUnit,
    kind: str,
    resolution: str,
    filing: bool,
    source: str,
) -> LineageEdge:
    return LineageEdge(
        predecessor_unit_id=before.unit_id,
        predecessor_valid_from=before.valid_from,
        successor_unit_id=after.unit_id,
        successor_valid_from=after.valid_from,
        event_kind=kind,
        # the day after the predecessor's last: the successor may be older (it absorbed it)
        effective_date=(before.valid_to or after.valid_from) + dt.timedelta(days=1)
        if before.valid_to
        else after.valid_from,
        resolution=resolution,
        is_filing_successor=filing,
        source=source,
    )


def _quang_nam_history(versions: _Versions) -> list[LineageEdge]:
    edges = []
    for row in read_csv(QUANG_NAM_BEFORE_2025_CSV):
        before = versions.on(row["unit_id"], dt.date.fromisoformat(row["valid_from"]))
        day_after = dt.date.fromisoformat(row["valid_to"]) + dt.timedelta(days=1)
        after = versions.on(row["successor_unit_id"], day_after)
        if before is None or after is None:
            continue
        edges.append(
            _edge(
                before,
                after,
                row["event_kind"],
                row["resolution"],
                True,
                "quang_nam_before_2025.csv",
            )
        )
    return edges


def _departments(units: Iterable[ReportingUnit], versions: _Versions) -> list[LineageEdge]:
    """Mergers of 2025-03-01 within a province, then every legacy department into the new 48.

    A province without a registry file of its own uses Quảng Nam's list (the template).
    """
    rows = load_departments()
    # a code can have two rows in a province (legacy and new Đà Nẵng's 48-SNV): the one that
    # ends when the unit ends
    own = {(d["province_code"], d["dept_code"], d["valid_to"]): d for d in rows}
    edges = []
    for unit in units:
        if unit.unit_level != "province" or unit.valid_to is None:
            continue
        province, _, code = unit.unit_id.partition("-")
        end = unit.valid_to.isoformat()
        row = own.get((province, code, end)) or own.get((QUANG_NAM, code, end))
        if row is None or not row["successor_dept_codes"]:
            continue
        day_after = unit.valid_to + dt.timedelta(days=1)
        target_province = NEW_DA_NANG if unit.valid_to == LEGACY_VALID_TO else province
        targets = row["successor_dept_codes"].split(";")
        for rank, target in enumerate(targets):
            after = versions.on(department_unit_id(target_province, target), day_after)
            if after is None:
                continue
            kind, resolution = row["event_kind"], row["resolution"]
            edges.append(_edge(unit, after, kind, resolution, rank == 0, "departments.csv"))
    return edges


def _old_keys() -> dict[str, dict[str, str]]:
    """Legacy units of the two provinces by the converter's ``province_district_ward`` key."""
    rows = query(
        "select provinceKey, districtKey, districtCode, wardKey, wardCode "
        f"from admin_units_legacy where provinceCode in ('{QUANG_NAM}', '{NEW_DA_NANG}')"
    )
    return {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": r for r in rows}


def commune_conversion() -> list[tuple[dict[str, str], str, bool]]:
    """(legacy unit, new commune code, is the default successor) for the new Đà Nẵng.

    A legacy commune wholly inside one new commune has one row; one divided between several
    (Xã Hòa Liên) has one row each, the library's default new commune marked. An island
    district with no commune level (Huyện Hoàng Sa) stands for itself.
    """
    with CONVERTER_JSON.open(encoding="utf-8") as handle:
        data = json.load(handle)
    new_codes = {
        r["wardKey"]: r["wardCode"]
        for r in query(
            f"select wardKey, wardCode from admin_units where provinceCode = '{NEW_DA_NANG}'"
        )
    }
    old = _old_keys()
    pairs = [
        (old[key], new_codes[new_key], True)
        for new_key, old_keys in data["DICT_PROVINCE_WARD_NO_DIVIDED"][_NEW_PROVINCE_KEY].items()
        for key in old_keys
    ]
    for key, targets in data["DICT_PROVINCE_WARD_DIVIDED"].get(_NEW_PROVINCE_KEY, {}).items():
        pairs += [(old[key], new_codes[t["newWardKey"]], t["isDefaultNewWard"]) for t in targets]
    return pairs


def _communes(versions: _Versions) -> list[LineageEdge]:
    last_day = LEGACY_VALID_TO
    found = []
    for legacy, new_code, is_default in commune_conversion():
        before = versions.on(legacy["wardCode"] or legacy["districtCode"], last_day)
        after = versions.on(new_code, REORGANISED_ON)
        if before is not None and after is not None:
            found.append((before, after, is_default))
    n_successors = Counter(b.unit_id for b, _, _ in found)
    n_predecessors = Counter(a.unit_id for _, a, _ in found)
    edges = []
    for before, after, is_default in found:
        if n_successors[before.unit_id] > 1:
            kind = "split_into"
        elif n_predecessors[after.unit_id] > 1:
            kind = "merged_into"
        else:
            kind = "renamed"
        edges.append(_edge(before, after, kind, COMMUNES_2025, is_default, _CONVERTER))
    return edges


def _districts(versions: _Versions, communes: list[LineageEdge]) -> list[LineageEdge]:
    """Each district ending on 2025-06-30 → the new communes that took its communes.

    Its filing successor is the new commune that took most of its communes (the lowest code on
    a tie): a choice written down in docs/intake.md, not a published rule.
    """
    parent = {
        u.unit_id: u.parent_unit_id
        for u in versions.ending(LEGACY_VALID_TO)
        if u.unit_level == "commune"
    }
    taken: dict[str, Counter[str]] = defaultdict(Counter)
    for e in communes:
        district_id = parent.get(e.predecessor_unit_id)
        if district_id is not None:
            taken[district_id][e.successor_unit_id] += 1
    edges = []
    for district in versions.ending(LEGACY_VALID_TO):
        if district.unit_level != "district" or district.unit_id not in taken:
            continue
        counts = taken[district.unit_id]
        filing = min(counts, key=lambda code: (-counts[code], code))
        for code in sorted(counts):
            after = versions.on(code, REORGANISED_ON)
            if after is not None:
                edges.append(
                    _edge(
                        district,
                        after,
                        "dissolved",
                        DISTRICTS_2025,
                        code == filing,
                        _CONVERTER,
                    )
                )
    return edges


def unit_lineage(units: list[ReportingUnit]) -> list[LineageEdge]:
    """Every predecessor → successor edge between versions of the registry ``units``."""
    versions = _Versions(units)
    communes = _communes(versions)
    districts_with_edges = {e.predecessor_unit_id for e in communes}
    edges = _quang_nam_history(versions) + _departments(units, versions) + communes
    districts = _districts(versions, communes)
    edges += [e for e in districts if e.predecessor_unit_id not in districts_with_edges]
    return sorted(
        edges,
        key=lambda e: (e.predecessor_unit_id, e.predecessor_valid_from, e.successor_unit_id),
    )


def lineage_rows(edges: list[LineageEdge]) -> list[dict[str, object]]:
    names = [f.name for f in fields(LineageEdge)]
    return [{name: getattr(e, name) for name in names} for e in edges]
