"""Write the project's reference DTI history as publication files, one per year and basis.

The figures are the real published ones in ``reference/dti_published_facts.csv`` (with their
sources); only rows with status ``published`` are written, and partial years stay partial. The
files use the forms the pipeline must read, so a demo run exercises each: a saved dti.gov.vn
page (the "Xếp hạng" and "Xếp hạng chi tiết" tables), XLSX workbooks and CSV exports, with
Vietnamese, diacritic-free and English headers, decimal commas, and ranks printed as ``1/63``
or ``Hạng 2``.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from ingest.dti.fields import MAIN_INDICES
from ingest.dti.provinces import REFERENCE_DIR
from ingest.text import fold

FACTS_CSV = REFERENCE_DIR / "dti_published_facts.csv"
Row = dict[str, str]

_PILLARS_VI = (
    ("tru_cot_chinh_quyen_so", "Chính quyền số"),
    ("hang_chinh_quyen_so", "Hạng chính quyền số"),
    ("tru_cot_kinh_te_so", "Kinh tế số"),
    ("hang_kinh_te_so", "Hạng kinh tế số"),
    ("tru_cot_xa_hoi_so", "Xã hội số"),
    ("hang_xa_hoi_so", "Hạng xã hội số"),
)
_INDICES_VI = (
    "Nhận thức số",
    "Thể chế số",
    "Hạ tầng số",
    "Nhân lực số",
    "An toàn thông tin mạng",
    "Hoạt động chính quyền số",
    "Hoạt động kinh tế số",
    "Hoạt động xã hội số",
)


def load_facts(path: Path = FACTS_CSV) -> list[Row]:
    """The published rows of the facts file (status ``published``), in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["status"] == "published"]


def group_facts(rows: list[Row]) -> dict[tuple[int, int], list[Row]]:
    groups: dict[tuple[int, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((int(row["year"]), int(row["basis"])), []).append(row)
    return groups


def _has_any(rows: list[Row], fields: tuple[str, ...]) -> bool:
    return any(r[f] for r in rows for f in fields)


def _num(value: str) -> float | int | None:
    if value == "":
        return None
    return int(value) if value.isdigit() else float(value)


def write_html(path: Path, year: int, basis: int, rows: list[Row]) -> Path:
    """A saved dti.gov.vn page: the "Xếp hạng" table, and "Xếp hạng chi tiết" when available."""
    pillars = [(f, label) for f, label in _PILLARS_VI if _has_any(rows, (f,))]
    head = ["Xếp hạng", "Tỉnh/Thành phố", "Điểm DTI", *(label for _, label in pillars), "Nguồn"]
    body = [
        [
            f"{r['rank']}/{r['n_ranked']}" if r["rank"] else "",
            r["province_name"],
            r["dti"],
            *(r[f] for f, _ in pillars),
            r["source"],
        ]
        for r in rows
    ]
    tables = [("Xếp hạng", head, body)]
    detailed = [r for r in rows if all(r[f] for f in MAIN_INDICES)]
    if detailed:
        # the detail table prints short names ("Đà Nẵng"): rows join by the resolved province
        tables.append(
            (
                "Xếp hạng chi tiết",
                ["Tỉnh, thành phố", *_INDICES_VI, "DTI"],
                [
                    [
                        r["province_name"].removeprefix("TP. "),
                        *(r[f] for f in MAIN_INDICES),
                        r["dti"],
                    ]
                    for r in detailed
                ],
            )
        )
    title = f"Xếp hạng Chỉ số chuyển đổi số cấp tỉnh (DTI) năm {year} – {basis} tỉnh, thành phố"
    parts = [
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>",
    ]
    for caption, header, data in tables:
        parts.append(f"<h2>{html.escape(caption)}</h2><table><thead><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in header]
        parts.append("</tr></thead><tbody>")
        for data_row in data:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in data_row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


_EN_HEADERS = {
    "rank": "Rank",
    "province_name": "Province",
    "dti": "DTI score",
    "tru_cot_chinh_quyen_so": "Digital government",
    "hang_chinh_quyen_so": "Digital government rank",
    "tru_cot_kinh_te_so": "Digital economy",
    "hang_kinh_te_so": "Digital economy rank",
    "tru_cot_xa_hoi_so": "Digital society",
    "hang_xa_hoi_so": "Digital society rank",
    "source": "Source",
}
_VI_HEADERS = {
    "rank": "Xếp hạng",
    "province_name": "Tỉnh, thành phố",
    "dti": "Điểm DTI",
    **dict(_PILLARS_VI),
    **dict(zip(MAIN_INDICES, _INDICES_VI, strict=True)),
    "source": "Nguồn",
}


def _columns(rows: list[Row], labels: dict[str, str]) -> list[str]:
    always = ("rank", "province_name", "dti", "source")
    return [f for f in labels if f in always or _has_any(rows, (f,))]


def write_xlsx(path: Path, year: int, basis: int, rows: list[Row], english: bool = False) -> Path:
    """A re-keyed workbook: metadata rows (or an English title) above the table."""
    labels = _EN_HEADERS if english else _VI_HEADERS
    columns = _columns(rows, labels)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("DTI")
    if english:
        sheet.write(0, 0, f"Provincial DTI {year}: ranking of {basis} provinces")
        start = 2
    else:
        sheet.write_row(0, 0, ["Năm", year])
        sheet.write_row(1, 0, ["Cơ sở xếp hạng", f"{basis} tỉnh, thành phố"])
        start = 3
    sheet.write_row(start, 0, [labels[f] for f in columns])
    for i, r in enumerate(rows, start=start + 1):
        for j, f in enumerate(columns):
            value: object = _num(r[f]) if f not in ("province_name", "source") else r[f]
            if f == "rank" and r[f] and not english:
                value = f"Hạng {r[f]}"
            if value is not None:
                sheet.write(i, j, value)
    workbook.close()
    return path


def write_csv(path: Path, year: int, basis: int, rows: list[Row], with_meta_columns: bool) -> Path:
    """A CSV export: either year/basis columns (UTF-8 BOM, points) or a file-name pattern
    (semicolons, decimal commas, headers without diacritics)."""
    if with_meta_columns:
        labels = {"year": "Năm", "basis": "Cơ sở xếp hạng", **_VI_HEADERS}
        columns = ["year", "basis", *_columns(rows, _VI_HEADERS)]
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([labels[f] for f in columns])
            writer.writerows([[r[f] for f in columns] for r in rows])
        return path
    columns = _columns(rows, _VI_HEADERS)
    scores = {
        f for f in columns if f not in ("rank", "province_name", "source") and "hang" not in f
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([fold(_VI_HEADERS[f]).capitalize() for f in columns])
        for r in rows:
            writer.writerow([r[f].replace(".", ",") if f in scores else r[f] for f in columns])
    return path


# (year, basis) -> how the demo writes it; every form and header style appears at least once.
_FORMS: dict[tuple[int, int], Callable[[Path, int, int, list[Row]], Path]] = {
    (2020, 63): lambda p, y, b, r: write_xlsx(p.with_suffix(".xlsx"), y, b, r, english=True),
    (2021, 63): lambda p, y, b, r: write_csv(p.with_suffix(".csv"), y, b, r, False),
    (2022, 63): lambda p, y, b, r: write_html(p.with_suffix(".html"), y, b, r),
    (2023, 63): lambda p, y, b, r: write_csv(p.with_suffix(".csv"), y, b, r, True),
    (2024, 63): lambda p, y, b, r: write_xlsx(p.with_suffix(".xlsx"), y, b, r),
    (2024, 34): lambda p, y, b, r: write_html(p.with_suffix(".html"), y, b, r),
}


def write_dti_publications(inbox_dti: Path, facts: Path = FACTS_CSV) -> list[Path]:
    """One file per year and basis of the reference facts; returns the paths written."""
    inbox_dti.mkdir(parents=True, exist_ok=True)
    written = []
    for (year, basis), rows in sorted(group_facts(load_facts(facts)).items()):
        form = _FORMS.get((year, basis))
        stem = inbox_dti / f"dti_{year}_{basis}"
        if form is None:  # a year added to the facts later: CSV with year/basis columns
            written.append(write_csv(stem.with_suffix(".csv"), year, basis, rows, True))
        else:
            written.append(form(stem, year, basis, rows))
    return written
