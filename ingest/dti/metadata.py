"""The year and basis (63 or 34 provinces) of a publication, from evidence the file carries.

Evidence, all of which must agree (a disagreement rejects the file; no evidence rejects it too):

- title text: the page ``<title>``, headings, table captions, title rows above the header
  (``năm 2022``, ``DTI 2022``, ``63 tỉnh, thành phố``, ``34 provinces``);
- key/value rows above the header (``Năm | 2022``, ``Cơ sở xếp hạng: 63``), HTML
  ``<meta name="dti:year">`` / ``<meta name="dti:basis">``;
- ``year`` / ``basis`` columns in the table (one value for the whole file);
- ranks printed as ``31/63`` or an ``n_ranked`` column (the basis);
- a table listing all 63 pre-2025 provinces (the 63 basis);
- a sidecar ``<file name>.meta.json`` (``{"year": 2022, "basis": 63, "source": "…"}``);
- the file name pattern ``dti_<year>_<basis>[_anything].<ext>`` (``dti_2024_34.csv``,
  ``DTI-2022-63-ban-sua.html``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingest.dti.fields import LABELS, parse_rank
from ingest.dti.problems import DtiProblem
from ingest.dti.provinces import BASES, resolve_province
from ingest.dti.readers import RawFile
from ingest.dti.table import Extracted
from ingest.text import clean_text, fold

FIRST_DTI_YEAR = 2020
_YEAR_IN_TEXT = re.compile(r"\b(?:nam|year|dti|pdti)\s*:?\s*(20\d{2})\b")
_BASIS_IN_TEXT = re.compile(r"\b(63|34)\s*(?:tinh|dia phuong|provinces|provincial)")
_FILE_NAME = re.compile(r"(?:^|[^a-z])dti[\s_-]*(20\d{2})(?:[\s_-]+(63|34))?(?![0-9])")


@dataclass
class PublicationMeta:
    year: int | None = None
    basis: int | None = None
    source: str | None = None
    evidence: dict[str, list[str]] = field(default_factory=dict)
    problems: list[DtiProblem] = field(default_factory=list)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _int(value: object) -> int | None:
    text = clean_text(value)
    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


def _sidecar_int(value: object, digits: int) -> int | None:
    """A sidecar's year or basis: a JSON integer, or a string of just those digits; nothing
    else (a fraction, a bool, text around the number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(rf"\s*\d{{{digits}}}\s*", value):
        return int(value)
    return None


def gather(raw: RawFile, extracted: Extracted) -> PublicationMeta:
    """Decide year, basis and source; record each piece of evidence and any problem."""
    seen: dict[str, list[tuple[str, object]]] = {"year": [], "basis": [], "source": []}

    def add(name: str, origin: str, value: object) -> None:
        if value is not None and clean_text(value) != "":
            seen[name].append((origin, value))

    for text in extracted.titles:
        folded = fold(text)
        for year in {int(y) for y in _YEAR_IN_TEXT.findall(folded)}:
            add("year", f"tiêu đề '{text[:80]}'", year)
        for basis in {int(b) for b in _BASIS_IN_TEXT.findall(folded)}:
            add("basis", f"tiêu đề '{text[:80]}'", basis)
    for where, name, value in extracted.key_values:
        if name in seen:
            add(
                name, f"dòng '{LABELS[name]}' ({where})", _int(value) if name != "source" else value
            )
    for key, name in (("dti:year", "year"), ("dti:basis", "basis"), ("dti:source", "source")):
        if key in raw.meta:
            add(name, f"<meta {key}>", _int(raw.meta[key]) if name != "source" else raw.meta[key])
    if "canonical" in raw.meta:
        add("source", "<link canonical>", raw.meta["canonical"])
    for record in extracted.records:
        where = f"cột trong bảng ({record.table})"
        add("year", where, _int(record.values.get("year")))
        add("basis", where, _int(record.values.get("basis")))
        add("basis", f"hạng dạng x/n ({record.table})", _denominator(record.values))
    add("basis", "bảng đủ 63 tỉnh, thành phố trước 01/07/2025", _full_legacy_table(extracted))
    sidecar = sidecar_path(raw.path)
    data, sidecar_problem = read_sidecar(sidecar)
    for name in ("year", "basis"):
        value = data.get(name)
        if value is None:
            continue
        number = _sidecar_int(value, digits=4 if name == "year" else 2)
        if number is None and sidecar_problem is None:
            # 2024.9 or "2024; drop table …" is no year: the operator fixes the sidecar
            sidecar_problem = DtiProblem(
                "METADATA_INVALID",
                column=f"{name} (tệp kèm .meta.json)",
                value=clean_text(value)[:80],
                params={"detail": "cần một số nguyên / an integer is needed"},
            )
        add(name, sidecar.name, number)
    add("source", sidecar.name, data.get("source"))
    match = _FILE_NAME.search(fold(raw.path.stem))
    if match:
        add("year", f"tên tệp {raw.path.name}", int(match.group(1)))
        if match.group(2):
            add("basis", f"tên tệp {raw.path.name}", int(match.group(2)))
    meta = _decide(seen)
    if sidecar_problem is not None:
        meta.problems.append(sidecar_problem)
    return meta


MAX_SIDECAR_BYTES = 64 * 1024


def read_sidecar(path: Path) -> tuple[dict[str, object], DtiProblem | None]:
    """The sidecar's fields, or a problem naming it when it is not a small JSON object.

    A missing sidecar is no problem; one that is not a regular file, too large, not JSON or not
    an object (a list, a number) is METADATA_INVALID: the file is rejected and the operator
    told which sidecar to fix.
    """
    if not path.exists() and not path.is_symlink():
        return {}, None
    detail = None
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            detail = "không phải tệp thường / not a regular file"
        elif info.st_size > MAX_SIDECAR_BYTES:
            detail = f"quá lớn / too large: {info.st_size} bytes"
        else:
            data = json.loads(path.read_bytes().decode("utf-8"))
            if isinstance(data, dict):
                return data, None
            detail = f"cần một đối tượng JSON / a JSON object is needed, not {type(data).__name__}"
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        detail = f"không phải JSON hợp lệ / not valid JSON: {str(exc)[:120]}"
    problem = DtiProblem(
        "METADATA_INVALID", column="tệp kèm .meta.json", value=path.name, params={"detail": detail}
    )
    return {}, problem


def _full_legacy_table(extracted: Extracted) -> int | None:
    """63 when the table lists every one of the 63 pre-2025 provinces (content, not a guess:
    several of those names exist in no other list). A full 34-province table is not inferred:
    each of the 34 names is also a pre-2025 province."""
    names = {r.printed_name for r in extracted.records if r.printed_name}
    if len(names) < 63:
        return None
    found = {p.province_id for n in names if (p := resolve_province(n, 63).province)}
    return 63 if len(found) == 63 else None


def _denominator(values: dict[str, object]) -> int | None:
    try:
        n = parse_rank(values.get("rank"))[1]
    except ValueError:
        n = None
    return n if n is not None else _int(values.get("n_ranked"))


def _decide(seen: dict[str, list[tuple[str, object]]]) -> PublicationMeta:
    meta = PublicationMeta()
    for name in ("year", "basis"):
        distinct = sorted({int(str(v)) for _, v in seen[name]})
        meta.evidence[name] = sorted({origin for origin, _ in seen[name]})
        if not distinct:
            meta.problems.append(DtiProblem(f"{name.upper()}_MISSING"))
            continue
        if len(distinct) > 1:
            detail = "; ".join(f"{v} ({o})" for o, v in _first_per_value(seen[name]))
            meta.problems.append(
                DtiProblem("METADATA_CONFLICT", column=LABELS[name], params={"detail": detail})
            )
            continue
        value = distinct[0]
        if name == "year" and not FIRST_DTI_YEAR <= value <= dt.date.today().year:
            meta.problems.append(
                DtiProblem(
                    "METADATA_INVALID",
                    column=LABELS[name],
                    value=str(value),
                    params={"detail": f"DTI có từ năm {FIRST_DTI_YEAR} / DTI starts in 2020"},
                )
            )
            continue
        if name == "basis" and value not in BASES:
            meta.problems.append(
                DtiProblem(
                    "METADATA_INVALID",
                    column=LABELS[name],
                    value=str(value),
                    params={"detail": "63 | 34"},
                )
            )
            continue
        setattr(meta, name, value)
    sources = list(dict.fromkeys(clean_text(v) for _, v in seen["source"]))
    meta.source = sources[0] if sources else None
    return meta


def _first_per_value(items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    firsts: dict[int, tuple[str, object]] = {}
    for origin, value in items:
        firsts.setdefault(int(str(value)), (origin, value))
    return [firsts[k] for k in sorted(firsts)]
