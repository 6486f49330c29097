"""The DTI publication contract: columns, the header labels they are printed under, and values.

Labels are compared by :func:`ingest.text.match_key` (no diacritics, case, spaces or
punctuation), so ``Nhận thức số``, ``NHAN THUC SO``, ``nhan_thuc_so`` and the English label all
name the same column. Matching is exact on that key, never by substring: ``Chính quyền số`` (the
pillar score) and ``Hoạt động chính quyền số`` (a main index) stay different columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import clean_text, fold, match_key

# The 8 main indices (QĐ 922/QĐ-BTTTT) in the published order: 5 foundation, 3 activity.
FOUNDATION_INDICES = (
    "nhan_thuc_so",
    "the_che_so",
    "ha_tang_so",
    "nhan_luc_so",
    "an_toan_thong_tin_mang",
)
ACTIVITY_INDICES = ("hoat_dong_chinh_quyen_so", "hoat_dong_kinh_te_so", "hoat_dong_xa_hoi_so")
MAIN_INDICES = FOUNDATION_INDICES + ACTIVITY_INDICES
PILLAR_SCORES = ("tru_cot_chinh_quyen_so", "tru_cot_kinh_te_so", "tru_cot_xa_hoi_so")
PILLAR_RANKS = ("hang_chinh_quyen_so", "hang_kinh_te_so", "hang_xa_hoi_so")
SCORE_FIELDS = ("dti", *MAIN_INDICES, *PILLAR_SCORES)
RANK_FIELDS = ("rank", *PILLAR_RANKS)
# Columns a table may carry besides the scores: the publication's year and basis, per-row source.
META_FIELDS = ("year", "basis", "source", "status")
ROW_FIELDS = ("province_name", "n_ranked", *RANK_FIELDS, *SCORE_FIELDS)

# QĐ 922/QĐ-BTTTT (DTI 2021–2023): DTI = Σ weight × main index.
QD922_WEIGHTS = {
    **dict.fromkeys(FOUNDATION_INDICES, 0.10),
    "hoat_dong_chinh_quyen_so": 0.20,
    "hoat_dong_kinh_te_so": 0.15,
    "hoat_dong_xa_hoi_so": 0.15,
}
QD922_YEARS = range(2021, 2024)
QD922_TOLERANCE = 0.0001


@dataclass(frozen=True)
class Column:
    field_id: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()

    def match_keys(self) -> set[str]:
        return {match_key(x) for x in (self.field_id, self.label_vi, self.label_en, *self.aliases)}


COLUMNS: tuple[Column, ...] = (
    Column(
        "province_name",
        "Tỉnh, thành phố",
        "Province",
        (
            "Tỉnh/Thành phố",
            "Tỉnh",
            "Tên tỉnh",
            "Địa phương",
            "Tỉnh/TP",
            "Các tỉnh, thành phố trực thuộc TW",
            "Tỉnh, thành phố trực thuộc Trung ương",
            "Province/City",
            "City",
        ),
    ),
    Column("rank", "Xếp hạng", "Rank", ("Hạng", "Thứ hạng", "Xếp hạng DTI", "Hạng DTI")),
    Column("n_ranked", "Số tỉnh xếp hạng", "Number ranked", ("Số địa phương xếp hạng",)),
    Column(
        "dti",
        "Điểm DTI",
        "DTI score",
        (
            "DTI",
            "PDTI",
            "Chỉ số DTI",
            "Điểm",
            "Chỉ số chuyển đổi số",
            "Điểm DTI cấp tỉnh",
            "Chuyển đổi số cấp tỉnh (PDTI)",
            "Chuyển đổi số cấp tỉnh",
            "Score",
        ),
    ),
    Column("nhan_thuc_so", "Nhận thức số", "Digital awareness"),
    Column("the_che_so", "Thể chế số", "Digital institutions"),
    Column("ha_tang_so", "Hạ tầng số", "Digital infrastructure"),
    Column("nhan_luc_so", "Nhân lực số", "Digital human resources"),
    Column(
        "an_toan_thong_tin_mang",
        "An toàn thông tin mạng",
        "Cyber security",
        ("An toàn thông tin", "ATTT mạng", "Network information security", "Cybersecurity"),
    ),
    Column(
        "hoat_dong_chinh_quyen_so",
        "Hoạt động chính quyền số",
        "Digital government activities",
        ("Hoạt động CQS", "HĐ CQS", "HĐ chính quyền số"),
    ),
    Column(
        "hoat_dong_kinh_te_so",
        "Hoạt động kinh tế số",
        "Digital economy activities",
        ("Hoạt động KTS", "HĐ KTS", "HĐ kinh tế số"),
    ),
    Column(
        "hoat_dong_xa_hoi_so",
        "Hoạt động xã hội số",
        "Digital society activities",
        ("Hoạt động XHS", "HĐ XHS", "HĐ xã hội số"),
    ),
    Column(
        "tru_cot_chinh_quyen_so",
        "Chính quyền số",
        "Digital government",
        ("Trụ cột chính quyền số", "Điểm chính quyền số", "CQS"),
    ),
    Column(
        "hang_chinh_quyen_so",
        "Hạng chính quyền số",
        "Digital government rank",
        ("Xếp hạng chính quyền số", "Hạng CQS"),
    ),
    Column(
        "tru_cot_kinh_te_so",
        "Kinh tế số",
        "Digital economy",
        ("Trụ cột kinh tế số", "Điểm kinh tế số", "KTS"),
    ),
    Column(
        "hang_kinh_te_so",
        "Hạng kinh tế số",
        "Digital economy rank",
        ("Xếp hạng kinh tế số", "Hạng KTS"),
    ),
    Column(
        "tru_cot_xa_hoi_so",
        "Xã hội số",
        "Digital society",
        ("Trụ cột xã hội số", "Điểm xã hội số", "XHS"),
    ),
    Column(
        "hang_xa_hoi_so",
        "Hạng xã hội số",
        "Digital society rank",
        ("Xếp hạng xã hội số", "Hạng XHS"),
    ),
    Column("year", "Năm", "Year", ("Năm đánh giá", "Năm xếp hạng")),
    Column("basis", "Cơ sở xếp hạng", "Basis", ("Số tỉnh", "Cơ sở", "Số tỉnh, thành phố")),
    Column("source", "Nguồn", "Source", ("Nguồn số liệu", "URL")),
    Column("status", "Trạng thái", "Status"),
)
# Row-number columns carry no data of their own.
IGNORED_KEYS = {"stt", "tt", "no", "", "#"}

_BY_KEY: dict[str, str] = {}
for _column in COLUMNS:
    for _key in _column.match_keys():
        _BY_KEY.setdefault(_key, _column.field_id)
LABELS = {c.field_id: c.label_vi for c in COLUMNS}


def field_for(label: object) -> str | None:
    """The contract field a header label names, or ``None``.

    dti.gov.vn prints the indices as "Chỉ số Nhận thức số" …: the "Chỉ số" prefix is dropped
    when the rest names a column.
    """
    key = match_key(label)
    found = _BY_KEY.get(key)
    if found is None and key.startswith("chiso"):
        found = _BY_KEY.get(key.removeprefix("chiso"))
    return found


def parse_score(value: object) -> float | None:
    """A score from a number or text with a decimal comma or point (``0,5808``); blank → None.

    Raises ``ValueError`` for text that is not a number.
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(str(value))
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = clean_text(value).replace(" ", "")
    if text in {"", "-", "–", "—", "N/A", "n/a"}:
        return None
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        raise ValueError(text)
    return float(text)


_RANK = re.compile(r"^(?:hang|xep hang|thu hang|rank|#)?\s*(\d+)(?:\.0+)?\s*(?:/\s*(\d+))?$")


def parse_rank(value: object) -> tuple[int | None, int | None]:
    """(rank, n ranked) from ``31``, ``31/63``, ``Hạng 31``, ``Hạng 31/63``; blank → (None, None).

    Raises ``ValueError`` for anything else.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(str(value))
        return int(value), None
    if isinstance(value, int):
        return value, None
    text = fold(value)
    if text in {"", "-"}:
        return None, None
    match = _RANK.match(text)
    if not match:
        raise ValueError(clean_text(value))
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None
