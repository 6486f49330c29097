"""A plain-text report of one checked DTI publication (``dxwh check-dti``)."""

from __future__ import annotations

from ingest.dti.checks import CheckedPublication


def format_dti_report(name: str, pub: CheckedPublication, lang: str = "vi") -> str:
    en = lang == "en"
    meta = pub.meta
    if not pub.file_ok:
        verdict = "REJECTED" if en else "BỊ TỪ CHỐI"
    elif pub.bad_rows:
        verdict = "PARTLY ACCEPTED" if en else "CHẤP NHẬN MỘT PHẦN"
    else:
        verdict = "ACCEPTED" if en else "ĐƯỢC CHẤP NHẬN"
    year = meta.year if meta.year is not None else "?"
    basis = meta.basis if meta.basis is not None else "?"
    lines = [
        f"{name}: {verdict}",
        (
            f"  year {year}, basis {basis}, format {pub.raw.file_format}: "
            f"{len(pub.good_rows)} rows accepted, {len(pub.bad_rows)} quarantined"
            if en
            else f"  năm {year}, cơ sở {basis} tỉnh, định dạng {pub.raw.file_format}: "
            f"{len(pub.good_rows)} dòng hợp lệ, {len(pub.bad_rows)} dòng bị cách ly"
        ),
    ]
    for problem in pub.all_problems:
        where = problem.location(lang)
        lines.append(
            f"  [{problem.severity}] {problem.code}"
            + (f" ({where})" if where else "")
            + f": {problem.message(lang)}"
        )
        if problem.is_error:
            lines.append(f"      → {problem.fix(lang)}")
    if pub.file_ok and pub.is_partial:
        # this check cannot see the warehouse: the merged ranking is read when the file loads
        lines.append(
            "  note: a partial table replaces only the provinces it lists; when it loads, rows "
            "whose rank contradicts the current table's scores are quarantined "
            "(RANK_CONTRADICTS_CURRENT)"
            if en
            else "  lưu ý: bảng một phần chỉ thay các tỉnh nó liệt kê; khi nạp, dòng có hạng mâu "
            "thuẫn với điểm của bảng đang dùng sẽ bị cách ly (RANK_CONTRADICTS_CURRENT)"
        )
    return "\n".join(lines)
