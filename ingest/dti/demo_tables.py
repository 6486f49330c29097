"""The demo's full DTI tables: every province of a year's basis, around the real rows we hold.

A real publication printed a full table (every province) for these years and columns:

- 2022, 63 provinces: the DTI and its rank, the 8 main indices ("Xếp hạng chi tiết") and the
  pillar ranks (dti.gov.vn/xep-hang-2022); the pillar scores were published too (Quảng Nam's
  0,6674 / 0,6062 / 0,5585 in KH 7501/KH-UBND).
- 2024, 63 and 34 provinces: the DTI and its rank and the 8 main indices (the 34-basis values are
  "trung bình cộng các chỉ số chính của DTI các tỉnh trước sáp nhập", dantri.com.vn, 21/10/2025).
  Pillar scores per province: unknown, left empty.

Other years stay as the facts file has them (a full table's columns for 2020, 2021 and 2023 are
not known from the sources held). Every figure not in ``dti_published_facts.csv`` is made up
here, deterministically, and its row says so in ``source``: a real row keeps each published
figure exactly and names the fields the demo filled in.

Generated main indices meet each year's method: QĐ 922/QĐ-BTTTT's published weights for 2022;
for 2024 (QĐ 405/QĐ-BKHCN, weights not published in any source found) the demo's own weights
:data:`DEMO_WEIGHTS_2024`, which are not the ministry's and exist so that a what-if can recover
them by least squares from the demo table.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ingest.dti.fields import MAIN_INDICES, QD922_WEIGHTS
from ingest.dti.provinces import crosswalk, provinces

Row = dict[str, str]
UNIT = 10_000  # scores are printed with 4 decimals: work in integer units of 0.0001
SEED = 20221
DEMO_SOURCE = (
    "Bản demo: số liệu mô phỏng, không phải số liệu công bố (demo-generated, not published)"
)
FILLED_NOTE = "Bản demo: {fields} là số liệu mô phỏng (demo-generated)"
FULL_YEARS = ((2022, 63), (2024, 63), (2024, 34))
# the demo's weights for 2024 (no published weights for QĐ 405): not the ministry's figures
DEMO_WEIGHTS_2024 = {
    **dict.fromkeys(MAIN_INDICES[:5], 0.09),
    "hoat_dong_chinh_quyen_so": 0.25,
    "hoat_dong_kinh_te_so": 0.15,
    "hoat_dong_xa_hoi_so": 0.15,
}
_PILLARS = (
    ("tru_cot_chinh_quyen_so", "hang_chinh_quyen_so"),
    ("tru_cot_kinh_te_so", "hang_kinh_te_so"),
    ("tru_cot_xa_hoi_so", "hang_xa_hoi_so"),
)
_FIELDS = (
    "year,basis,province_name,rank,n_ranked,dti,"
    + ",".join(MAIN_INDICES)
    + ",tru_cot_chinh_quyen_so,hang_chinh_quyen_so,tru_cot_kinh_te_so,hang_kinh_te_so,"
    "tru_cot_xa_hoi_so,hang_xa_hoi_so,status,source"
).split(",")


def _fmt(units: int) -> str:
    return f"{units / UNIT:.4f}"


def _units(text: str) -> int:
    return round(float(text) * UNIT)


def slot_values(
    n: int, anchors: dict[int, int], top: int, bottom: int, rng: random.Random
) -> list[int]:
    """``n`` strictly decreasing scores (index 0 is rank 1) through the ``anchors`` (rank →
    score): each run of free ranks gets distinct values strictly between its neighbours."""
    values: list[int | None] = [None] * n
    for rank, value in anchors.items():
        values[rank - 1] = value
    i = 0
    while i < n:
        if values[i] is not None:
            i += 1
            continue
        j = i
        while j < n and values[j] is None:
            j += 1
        upper = values[i - 1] if i > 0 else top + 1
        lower = values[j] if j < n else bottom - 1
        assert upper is not None and lower is not None
        if upper - lower - 1 < j - i:
            raise ValueError(f"no room for ranks {i + 1}–{j} between {lower} and {upper}")
        picked = sorted(rng.sample(range(lower + 1, upper), j - i), reverse=True)
        values[i:j] = picked
        i = j
    return [v for v in values if v is not None]


def competition_ranks(scores: dict[str, int]) -> dict[str, int]:
    """Ranks as the ministry prints them: equal scores share a rank, the next rank skips."""
    return {key: 1 + sum(1 for other in scores.values() if other > s) for key, s in scores.items()}


def indices_for(dti: int, weights: dict[str, float], rng: random.Random) -> dict[str, int]:
    """8 main indices in [0,05; 1] whose weighted sum is ``dti`` to within 0.00002."""
    for _ in range(1000):
        spread = {i: rng.gauss(0, 0.09 * UNIT) for i in MAIN_INDICES}
        spread["nhan_thuc_so"] += 0.12 * UNIT  # awareness is the highest index, society lowest
        spread["hoat_dong_xa_hoi_so"] -= 0.2 * UNIT
        values = {i: max(500, min(UNIT, round(dti + spread[i]))) for i in MAIN_INDICES}
        # the weighted sum is closed on one index with room to move
        for fix in rng.sample(MAIN_INDICES, len(MAIN_INDICES)):
            rest = sum(weights[i] * values[i] for i in MAIN_INDICES if i != fix)
            needed = round((dti - rest) / weights[fix])
            if 500 <= needed <= UNIT:
                values[fix] = needed
                if abs(sum(weights[i] * values[i] for i in MAIN_INDICES) - dti) <= 0.2:
                    return values
    raise ValueError(f"no indices for a DTI of {dti}")


class _Year:
    """One year's table on one basis, built around the facts' rows for it."""

    def __init__(self, year: int, basis: int, facts: list[Row]) -> None:
        self.year, self.basis = year, basis
        self.rows: dict[str, Row] = {}  # province_id → row
        self.filled: dict[str, list[str]] = {}
        self.names = {p.province_id: p for p in provinces(basis)}
        from ingest.dti.provinces import resolve_province

        for fact in facts:
            province = resolve_province(fact["province_name"], basis).province
            assert province is not None, fact["province_name"]
            self.rows[province.province_id] = dict(fact)
        for pid, p in self.names.items():
            if pid not in self.rows:
                printed = p.short_name if basis == 63 else p.province_name
                self.rows[pid] = {f: "" for f in _FIELDS} | {
                    "year": str(year),
                    "basis": str(basis),
                    "province_name": printed,
                    "n_ranked": str(basis),
                    "status": "published",
                    "source": DEMO_SOURCE,
                }

    def is_real(self, pid: str) -> bool:
        return self.rows[pid]["source"] != DEMO_SOURCE

    def fill(self, pid: str, field: str, value: str) -> None:
        row = self.rows[pid]
        if row[field]:
            return  # a published figure is never replaced
        row[field] = value
        if self.is_real(pid):
            self.filled.setdefault(pid, []).append(field)

    def finish(self) -> list[Row]:
        for pid, fields in self.filled.items():
            row = self.rows[pid]
            row["source"] = f"{row['source']} | {FILLED_NOTE.format(fields=', '.join(fields))}"
        return sorted(self.rows.values(), key=lambda r: (int(r["rank"]), r["province_name"]))


def _order(ids: Sequence[str], strength: dict[str, float], rng: random.Random) -> list[str]:
    """Provinces strongest first, by a lasting strength plus this year's luck."""
    return sorted(ids, key=lambda pid: -(strength[pid] + rng.gauss(0, 0.6)))


def _place(
    table: _Year, field: str, values: list[int], strength: dict[str, float], rng: random.Random
) -> None:
    """Give the free ranks' ``values`` to the provinces without a published one for ``field``."""
    fixed = {int(r["rank"]) for r in table.rows.values() if r[field] and r["rank"]}
    free_values = [v for k, v in enumerate(values, start=1) if k not in fixed]
    free = [pid for pid, r in table.rows.items() if not r[field]]
    for pid, value in zip(_order(free, strength, rng), free_values, strict=True):
        table.fill(pid, field, _fmt(value))


def _rank_by(table: _Year, score_field: str, rank_field: str) -> None:
    scores = {pid: _units(r[score_field]) for pid, r in table.rows.items() if r[score_field]}
    for pid, rank in competition_ranks(scores).items():
        row = table.rows[pid]
        if row[rank_field] and int(row[rank_field]) != rank:
            name, printed = row["province_name"], row[rank_field]
            raise ValueError(f"{table.year}: {name} ranked {rank}, not {printed}")
        table.fill(pid, rank_field, str(rank))


def _strength(rng: random.Random) -> dict[str, float]:
    return {p.province_id: rng.gauss(0, 1) for p in provinces(63)}


def build_2022(facts: list[Row], rng: random.Random, strength: dict[str, float]) -> list[Row]:
    table = _Year(2022, 63, facts)
    anchors = {int(r["rank"]): _units(r["dti"]) for r in table.rows.values() if r["dti"]}
    # the report's provincial mean was 0,5791: the demo's lowest provinces sit near 0,42
    values = slot_values(63, anchors, top=UNIT, bottom=4200, rng=rng)
    by_rank = dict(enumerate(values, start=1))
    free = [pid for pid, r in table.rows.items() if not r["rank"]]
    free_ranks = [k for k in by_rank if k not in anchors]
    for pid, rank in zip(_order(free, strength, rng), free_ranks, strict=True):
        table.fill(pid, "rank", str(rank))
        table.fill(pid, "dti", _fmt(by_rank[rank]))
    for pid, row in table.rows.items():
        if not row["nhan_thuc_so"]:
            for index, value in indices_for(_units(row["dti"]), QD922_WEIGHTS, rng).items():
                table.fill(pid, index, _fmt(value))
    dti_strength = {pid: _units(r["dti"]) / 400 for pid, r in table.rows.items()}
    for score_field, rank_field in _PILLARS:
        pillar_anchors = {
            int(r[rank_field]): _units(r[score_field])
            for r in table.rows.values()
            if r[score_field] and r[rank_field]
        }
        values = slot_values(63, pillar_anchors, top=9800, bottom=3800, rng=rng)
        fixed = set(pillar_anchors)
        free_values = [v for k, v in enumerate(values, start=1) if k not in fixed]
        free = [pid for pid, r in table.rows.items() if not r[score_field]]
        for pid, value in zip(_order(free, dti_strength, rng), free_values, strict=True):
            table.fill(pid, score_field, _fmt(value))
        _rank_by(table, score_field, rank_field)
    return table.finish()


def build_2024(
    facts63: list[Row], facts34: list[Row], rng: random.Random, strength: dict[str, float]
) -> tuple[list[Row], list[Row]]:
    """Both bases: the 34-basis table first, its merged provinces split into their
    predecessors so that each 34-basis value is their exact average (the ministry's rule)."""
    t34 = _Year(2024, 34, facts34)
    t63 = _Year(2024, 63, facts63)
    members: dict[str, list[str]] = {}
    for old, (new, _name) in sorted(crosswalk().items()):
        members.setdefault(new, []).append(old)
    anchors = {int(r["rank"]): _units(r["dti"]) for r in t34.rows.values() if r["dti"]}
    # the three lowest provinces scored "từ khoảng 0,5 đến gần 0,6" (vtcnews.vn, 21/10/2025)
    # and the rest stay above them, so that Quảng Nam's 0,5803 is 57th of 63
    lowest = sorted(rng.sample(range(5000, 5990), 3), reverse=True)
    anchors |= {32: lowest[0], 33: lowest[1], 34: lowest[2], 31: rng.randint(6150, 6350)}
    values = slot_values(34, anchors, top=UNIT, bottom=5000, rng=rng)
    for rank in (31, 32, 33, 34):
        del anchors[rank]
    free = [pid for pid, r in t34.rows.items() if not r["rank"]]
    free_ranks = [k for k in range(1, 35) if k not in anchors]
    new_strength = {pid: max(strength[o] for o in members[pid]) for pid in t34.rows}
    for pid, rank in zip(_order(free, new_strength, rng), free_ranks, strict=True):
        t34.fill(pid, "rank", str(rank))
        t34.fill(pid, "dti", _fmt(values[rank - 1]))
    fixed63 = {pid: _units(r["dti"]) for pid, r in t63.rows.items() if r["dti"]}
    for _ in range(5000):
        split = _split(t34, members, fixed63, rng)
        if split is not None and _ranks_agree(split, t63):
            break
    else:
        raise ValueError("no 63-basis split agrees with the published 2024 ranks")
    for pid, value in split.items():
        t63.fill(pid, "dti", _fmt(value))
    _rank_by(t63, "dti", "rank")
    weights = DEMO_WEIGHTS_2024
    indices63: dict[str, dict[str, int]] = {}
    for pid, row in t63.rows.items():
        indices63[pid] = indices_for(_units(row["dti"]), weights, rng)
        for index, value in indices63[pid].items():
            t63.fill(pid, index, _fmt(value))
    for pid in t34.rows:
        for index in MAIN_INDICES:
            mean = sum(indices63[o][index] for o in members[pid]) / len(members[pid])
            t34.fill(pid, index, _fmt(round(mean)))
    return t63.finish(), t34.finish()


# the press printed the top of the 63-basis order (vtcnews.vn, 21/10/2025): TP.HCM 1st, Đà
# Nẵng 2nd (0,8335), then Hải Phòng, Hà Nội (0,8241) and Huế (0,7951): the two cities whose
# 63-basis value is not printed get one in the room that order leaves them
_PRESS_TOP = {"79": (8336, 8700), "31": (8242, 8334)}
_BELOW_PRESS_TOP = 7951


def _split(
    t34: _Year, members: dict[str, list[str]], fixed63: dict[str, int], rng: random.Random
) -> dict[str, int] | None:
    """63-basis DTIs whose average over each merged province is its 34-basis value exactly."""
    out: dict[str, int] = {}
    for new, olds in members.items():
        total = _units(t34.rows[new]["dti"]) * len(olds)
        known = {o: fixed63[o] for o in olds if o in fixed63}
        if new in _PRESS_TOP and new not in known:
            known[new] = rng.randint(*_PRESS_TOP[new])
        free = [o for o in olds if o not in known]
        rest = total - sum(known.values())
        out.update(known)
        if not free:
            if rest != 0:
                return None
            continue
        for _ in range(200):
            mean = rest / len(free)
            draws = [round(mean + rng.gauss(0, 0.035 * UNIT)) for _ in free[:-1]]
            draws.append(rest - sum(draws))
            if all(3000 <= d < _BELOW_PRESS_TOP for d in draws) or len(olds) == 1:
                break
        else:
            return None
        out.update(zip(free, draws, strict=True))
    return out


def _ranks_agree(values: dict[str, int], t63: _Year) -> bool:
    """The split must keep every published 63-basis rank (2024: Đà Nẵng 2nd, Quảng Nam 57th)
    and the order the press printed for the top (TP.HCM 1st, then Đà Nẵng, Hải Phòng, Hà Nội,
    Huế: vtcnews.vn, 21/10/2025)."""
    if len(set(values.values())) != len(values):
        return False
    ranks = competition_ranks(values)
    for pid, row in t63.rows.items():
        if row["rank"] and ranks[pid] != int(row["rank"]):
            return False
    press_order = ("79", "48", "31", "01", "46")
    return [ranks[p] for p in press_order] == [1, 2, 3, 4, 5]


def full_tables(facts: list[Row]) -> dict[tuple[int, int], list[Row]]:
    """The full tables for :data:`FULL_YEARS`, built from the facts' rows of those years."""
    rng = random.Random(SEED)
    strength = _strength(rng)

    def rows(year: int, basis: int) -> list[Row]:
        return [r for r in facts if (int(r["year"]), int(r["basis"])) == (year, basis)]

    t2022 = build_2022(rows(2022, 63), rng, strength)
    t63, t34 = build_2024(rows(2024, 63), rows(2024, 34), rng, strength)
    return {(2022, 63): t2022, (2024, 63): t63, (2024, 34): t34}
