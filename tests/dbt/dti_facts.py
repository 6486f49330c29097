"""Test-only loader: the real published DTI figures of ``shared/data/dti_published_facts.csv``
into the DTI landing tables, with provinces resolved by ``vietnamadminunits``.

The DTI ingestion fills the same tables from publication files; tests use this loader when a
warehouse has no DTI data yet, so the DTI marts are checked against published figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import duckdb
from vietnamadminunits import convert_address, parse_address
from vietnamadminunits.database import query

# A copy of the real published figures, with their sources (DESIGN §3.3).
FACTS_CSV = Path(__file__).parent / "data" / "dti_published_facts.csv"
REORGANISED_ON = dt.date(2025, 7, 1)
SCORE_COLUMNS = (
    "dti",
    "nhan_thuc_so",
    "the_che_so",
    "ha_tang_so",
    "nhan_luc_so",
    "an_toan_thong_tin_mang",
    "hoat_dong_chinh_quyen_so",
    "hoat_dong_kinh_te_so",
    "hoat_dong_xa_hoi_so",
    "tru_cot_chinh_quyen_so",
    "tru_cot_kinh_te_so",
    "tru_cot_xa_hoi_so",
)
RANK_COLUMNS = ("rank", "n_ranked", "hang_chinh_quyen_so", "hang_kinh_te_so", "hang_xa_hoi_so")


def read_facts(path: Path = FACTS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["status"] == "published"]


def resolve_province(name: str, basis: int) -> tuple[str, str]:
    """Official (code, name) of a printed province name in the 63- or 34-province list."""
    mode = "LEGACY" if basis == 63 else "FROM_2025"
    unit = parse_address(name, mode=mode, level=1)
    if not unit.province_code:
        raise ValueError(f"{name!r} is not a province of the {basis}-province list")
    return str(unit.province_code), str(unit.province)


def province_rows() -> list[tuple[object, ...]]:
    legacy = query("select distinct provinceCode, province from admin_units_legacy")
    current = query("select distinct provinceCode, province from admin_units")
    return [
        (r["provinceCode"], r["province"], 63, None, REORGANISED_ON - dt.timedelta(days=1))
        for r in legacy
    ] + [(r["provinceCode"], r["province"], 34, REORGANISED_ON, None) for r in current]


def crosswalk_rows() -> list[tuple[object, ...]]:
    """Whole provinces merged in 2025: where one ward of each old province went is where it went."""
    rows = []
    firsts = query(
        "select provinceCode, province, min(wardCode) as ward_code "
        "from admin_units_legacy group by provinceCode, province"
    )
    for first in firsts:
        ward = query(
            "select ward, district, province from admin_units_legacy "
            f"where wardCode = '{first['ward_code']}'"
        )[0]
        new = convert_address(f"{ward['ward']}, {ward['district']}, {ward['province']}")
        rows.append(
            (
                first["provinceCode"],
                first["province"],
                new.province_code,
                new.province,
                REORGANISED_ON,
            )
        )
    return rows


def _number(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_dti_facts(con: duckdb.DuckDBPyConnection, path: Path = FACTS_CSV) -> int:
    """Fill the empty DTI landing tables from the facts file; one partial publication per
    year and basis. Returns the number of score rows loaded."""
    now = dt.datetime.now(dt.UTC)
    facts = read_facts(path)
    groups: dict[tuple[int, int], list[dict[str, str]]] = {}
    for row in facts:
        groups.setdefault((int(row["year"]), int(row["basis"])), []).append(row)
    for seq, ((year, basis), rows) in enumerate(sorted(groups.items()), start=1):
        publication_id = hashlib.sha256(f"{path.name}:{year}:{basis}".encode()).hexdigest()
        con.execute(
            "insert into raw.dti_publications values (?, ?, 'csv', ?, ?, true, ?, ?, ?, ?, 'test')",
            [publication_id, path.name, year, basis, len(rows), str(path), seq, now],
        )
        for number, row in enumerate(rows, start=1):
            province_id, province_name = resolve_province(row["province_name"], basis)
            con.execute(
                "insert into raw.dti_scores by name select ?::varchar as publication_id, "
                "?::integer as row_number, ?::integer as year, ?::integer as basis, "
                "?::varchar as province_name_printed, ?::varchar as province_id, "
                "?::varchar as province_name, "
                + ", ".join(f"?::double as {c}" for c in SCORE_COLUMNS)
                + ", "
                + ", ".join(f"?::integer as {c}" for c in RANK_COLUMNS)
                + ", ?::varchar as source, ?::timestamptz as loaded_at, 'test' as batch_id",
                [
                    publication_id,
                    number,
                    year,
                    basis,
                    row["province_name"],
                    province_id,
                    province_name,
                    *(_number(row[c]) for c in SCORE_COLUMNS),
                    *(int(row[c]) if row[c].strip() else None for c in RANK_COLUMNS),
                    row["source"],
                    now,
                ],
            )
    con.executemany("insert into raw.provinces values (?, ?, ?, ?, ?)", province_rows())
    con.executemany("insert into raw.province_crosswalk values (?, ?, ?, ?, ?)", crosswalk_rows())
    return len(facts)
