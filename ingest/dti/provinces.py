"""Provinces of each DTI basis, the 63 → 34 crosswalk, and resolution of printed province names.

The official lists and their match keywords come from ``vietnamadminunits``: the 63-province
list (``admin_units_legacy``, valid until 2025-06-30) and the 34-province list (``admin_units``,
from 2025-07-01, NQ 202/2025/QH15); the crosswalk is the package's 2025 province converter.

A printed name resolves only when it equals, after folding, one keyword of exactly one province
of the publication's basis (or a documented historical alias in
``reference/province_aliases.csv``). Anything else is unresolved and comes back with the closest
candidates (difflib) so that a person decides; nothing is matched by a guess.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vietnamadminunits.database import query

from ingest.text import clean_text, fold, match_key

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
ALIASES_CSV = REFERENCE_DIR / "province_aliases.csv"

BASES = (63, 34)
LEGACY_VALID_TO = dt.date(2025, 6, 30)
REFORM_DATE = dt.date(2025, 7, 1)  # NQ 202/2025/QH15: 63 provinces become 34
_TABLE = {63: "admin_units_legacy", 34: "admin_units"}

# Printed prefixes and suffixes that name the kind of unit, not the unit ("TP. Đà Nẵng",
# "Tỉnh Quảng Nam", "Da Nang City"). Folded, so they match with or without diacritics.
_PREFIX = re.compile(r"^(?:thanh pho|tinh|tp)\b\.?\s*")
_SUFFIX = re.compile(r"\s*\b(?:city|province)$")


@dataclass(frozen=True)
class Province:
    province_id: str
    province_name: str
    short_name: str
    key: str
    basis: int


@dataclass(frozen=True)
class Resolution:
    """The official province a printed name stands for, or the candidates if there is none."""

    printed: str
    basis: int
    province: Province | None
    candidates: tuple[str, ...] = ()
    merged_into: str | None = None  # basis 34: a pre-2025 province printed on the 34 basis

    @property
    def resolved(self) -> bool:
        return self.province is not None


@cache
def provinces(basis: int) -> tuple[Province, ...]:
    """The official provinces of a basis, ordered by code."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, not {basis}")
    rows = query(
        "select distinct provinceCode, province, provinceShort, provinceKey "
        f"from {_TABLE[basis]} order by provinceCode"
    )
    return tuple(
        Province(r["provinceCode"], r["province"], r["provinceShort"], r["provinceKey"], basis)
        for r in rows
    )


@cache
def _keyword_index(basis: int) -> dict[str, frozenset[str]]:
    """Match key → province codes, from the package's keywords and the documented aliases."""
    rows = query(
        f"select distinct provinceCode, provinceKeywords from {_TABLE[basis]} order by provinceCode"
    )
    index: dict[str, set[str]] = {}
    for r in rows:
        for keyword in json.loads(r["provinceKeywords"] or "[]"):
            index.setdefault(keyword, set()).add(r["provinceCode"])
    for alias in load_aliases():
        if int(alias["basis"]) == basis:
            index.setdefault(match_key(alias["alias"]), set()).add(alias["province_id"])
    return {k: frozenset(v) for k, v in index.items()}


def load_aliases(path: Path = ALIASES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def name_keys(printed: str) -> list[str]:
    """Match keys of a printed name: as printed, and without a unit-kind prefix or suffix."""
    folded = fold(printed)
    stripped = _SUFFIX.sub("", _PREFIX.sub("", folded)).strip()
    return list(dict.fromkeys(k for k in (match_key(folded), match_key(stripped)) if k))


def resolve_province(printed: str, basis: int) -> Resolution:
    """Resolve a printed province name within one basis (63 or 34); never guesses."""
    text = clean_text(printed)
    index = _keyword_index(basis)
    by_id = {p.province_id: p for p in provinces(basis)}
    found: set[str] = set()
    for key in name_keys(text):
        found |= index.get(key, frozenset())
    if len(found) == 1:
        return Resolution(text, basis, by_id[found.pop()])
    merged_into = _merged_into(text) if basis == 34 else None
    candidates = closest_provinces(text, basis) if not found else _names(found, by_id)
    if merged_into:
        # the province a pre-2025 name now belongs to is the first thing to check
        candidates = (merged_into, *(c for c in candidates if c != merged_into))
    return Resolution(text, basis, None, candidates=candidates, merged_into=merged_into)


def _names(codes: set[str], by_id: dict[str, Province]) -> tuple[str, ...]:
    return tuple(by_id[c].province_name for c in sorted(codes))


def closest_provinces(printed: str, basis: int, n: int = 3) -> tuple[str, ...]:
    """The official names closest to a printed one (by folded short name), best first."""
    stripped = name_keys(printed)[-1] if name_keys(printed) else ""
    by_key = {match_key(p.short_name): p.province_name for p in provinces(basis)}
    best = difflib.get_close_matches(stripped, list(by_key), n=n, cutoff=0.5)
    return tuple(by_key[k] for k in best)


def _merged_into(printed: str) -> str | None:
    """For a pre-2025 name printed on the 34 basis: the province it was merged into."""
    legacy = resolve_province(printed, 63)
    if legacy.province is None:
        return None
    return crosswalk()[legacy.province.province_id][1]


@cache
def crosswalk() -> dict[str, tuple[str, str]]:
    """Legacy province code → (current province code, current name), from the 2025 converter."""
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE

    current_by_key = {p.key: p for p in provinces(34)}
    legacy_by_key = {p.key: p for p in provinces(63)}
    mapping: dict[str, tuple[str, str]] = {}
    for new_key, old_keys in DICT_PROVINCE.items():
        new = current_by_key[new_key]
        for old_key in old_keys:
            old = legacy_by_key[old_key]
            if old.province_id in mapping:
                # The 2025 reform merged whole provinces; a split would need a different model.
                raise ValueError(f"{old.province_name} maps to more than one 2025 province")
            mapping[old.province_id] = (new.province_id, new.province_name)
    return mapping


def province_rows() -> list[dict[str, object]]:
    """``raw.provinces``: the 63 legacy provinces and the 34 current ones, with validity."""
    rows: list[dict[str, object]] = []
    for p in provinces(63):
        rows.append(
            {
                "province_id": p.province_id,
                "province_name": p.province_name,
                "basis": 63,
                "valid_from": None,  # before the reform, the list is taken as it stood
                "valid_to": LEGACY_VALID_TO,
            }
        )
    for p in provinces(34):
        rows.append(
            {
                "province_id": p.province_id,
                "province_name": p.province_name,
                "basis": 34,
                "valid_from": REFORM_DATE,
                "valid_to": None,
            }
        )
    return rows


def crosswalk_rows() -> list[dict[str, object]]:
    """``raw.province_crosswalk``: each of the 63 legacy provinces once, with its 2025 province."""
    legacy = {p.province_id: p for p in provinces(63)}
    return [
        {
            "legacy_province_id": old_id,
            "legacy_province_name": legacy[old_id].province_name,
            "province_id": new_id,
            "province_name": new_name,
            "effective_date": REFORM_DATE,
        }
        for old_id, (new_id, new_name) in sorted(crosswalk().items())
    ]
