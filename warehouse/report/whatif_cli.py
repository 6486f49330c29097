"""``dxwh whatif``: the DTI what-if of a province on the published warehouse.

Without ``--index``: the smallest DTI gain reaching a rank (the next band of ten by default)
and each main index's gap to the leader. With ``--index NAME=GAIN`` (repeatable): the DTI and
rank the province would have after those gains. Every figure is a computation.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from core.settings import Settings
from warehouse.report.whatif import (
    COMPUTED_NOTE,
    INDEX_LABELS,
    WEIGHT_SOURCES,
    load_whatif,
    reverse_whatif,
)
from warehouse.sql import connect_published


def _vn(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}".replace(".", ",")


def _changes(items: list[str]) -> dict[str, float]:
    changes: dict[str, float] = {}
    for item in items:
        name, sep, gain = item.partition("=")
        try:
            if not sep:
                raise ValueError(item)
            changes[name.strip()] = float(gain.replace(",", "."))
        except ValueError as exc:
            raise ValueError(
                f"--index cần dạng TÊN=MỨC_TĂNG, ví dụ hoat_dong_chinh_quyen_so=0,05 "
                f"(expected NAME=GAIN), không phải {item!r}"
            ) from exc
    return changes


def _target_lines(con: Any, args: argparse.Namespace) -> list[str]:
    what = load_whatif(con, args.year, args.basis, args.province)
    if args.target_rank is not None:
        row = con.execute(
            "select province_name, dti_score, current_rank, target_score, target_province_name, "
            "dti_gain_needed from marts.fct_dti_whatif_ranks "
            "where year = ? and basis = ? and province_id = ? and target_rank = ?",
            [args.year, args.basis, args.province, args.target_rank],
        ).fetchone()
        if row is None:
            raise ValueError(
                f"không tính được hạng {args.target_rank} cho tỉnh mã {args.province} năm "
                f"{args.year} ({args.basis} tỉnh): cần bảng xếp hạng đầy đủ và một hạng cao hơn "
                "hạng hiện tại (no full table, or the rank is not above the current one)"
            )
        name, score, rank, target, holder, gain = row
    elif what is not None:
        name, score, rank, target, holder, gain = (
            what.province_name,
            what.dti_score,
            what.current_rank,
            what.target_score,
            what.target_province_name,
            what.dti_gain_needed,
        )
    else:
        raise ValueError(
            f"không có bảng xếp hạng DTI đầy đủ năm {args.year} ({args.basis} tỉnh) có tỉnh mã "
            f"{args.province}, hoặc tỉnh đã đứng đầu (no full table with this province)"
        )
    target_rank = args.target_rank or (what.target_rank if what else None)
    lines = [
        COMPUTED_NOTE,
        f"{name}, năm {args.year}, {args.basis} tỉnh, thành: hạng {rank}, DTI {_vn(score)}.",
        f"Lên hạng {target_rank}: cần tăng DTI {_vn(gain)} điểm, lên {_vn(target)} "
        f"(bằng {holder}).",
    ]
    if what is not None and what.indices:
        source = WEIGHT_SOURCES.get(what.weight_source, what.weight_source)
        lines.append(f"Trọng số: {source}.")
        lines.append(
            "Chỉ số chính | điểm | dẫn đầu | khoảng cách | trọng số | "
            "cần tăng nếu chỉ tăng chỉ số này"
        )
        for i in what.indices:
            needed = math.ceil(gain / i.weight * 10_000 - 1e-6) / 10_000 if i.weight else None
            lines.append(
                f"{i.label} | {_vn(i.score)} | {_vn(i.leader_score)} | {_vn(i.gap_to_leader)} | "
                f"{_vn(i.weight)} | {_vn(needed)}"
            )
    return lines


def cmd_whatif(args: argparse.Namespace, settings: Settings) -> int:
    try:
        changes = _changes(args.index or [])
        with connect_published(settings.published_db) as con:
            if not changes:
                print("\n".join(_target_lines(con, args)))
                return 0
            result = reverse_whatif(con, args.year, args.basis, args.province, changes)
    except (ValueError, FileNotFoundError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    gains = ", ".join(f"{INDEX_LABELS[c]} +{_vn(g)}" for c, g in result.changes.items())
    print(COMPUTED_NOTE)
    print(
        f"{result.province_name}, năm {result.year}, {result.basis} tỉnh, thành: nếu {gains}, "
        f"DTI sẽ là {_vn(result.new_score)} (hiện {_vn(result.dti_score)}) và hạng "
        f"{result.new_rank}/{result.n_ranked} (hiện {result.current_rank}/{result.n_ranked})."
    )
    if result.capped:
        capped = ", ".join(INDEX_LABELS[c] for c in result.capped)
        print(f"Lưu ý: {capped} không vượt quá 1, phần tăng thêm được bỏ qua.")
    print(f"Trọng số: {WEIGHT_SOURCES.get(result.weight_source, result.weight_source)}.")
    return 0


def register(subparsers: Any) -> None:
    """Add ``dxwh whatif`` to the ``dxwh`` parser."""
    p = subparsers.add_parser(
        "whatif",
        help="DTI what-if of a province: the gain to reach a rank, or the rank after a gain.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--year", type=int, required=True, help="DTI year, e.g. 2024")
    p.add_argument("--basis", type=int, choices=(63, 34), required=True, help="63 or 34")
    p.add_argument("--province", required=True, help="province code on the basis, e.g. 48")
    p.add_argument("--target-rank", type=int, help="rank to reach (default: the next band)")
    p.add_argument(
        "--index",
        action="append",
        metavar="NAME=GAIN",
        help="a main index and its gain, e.g. hoat_dong_chinh_quyen_so=0.05; one of "
        + ", ".join(INDEX_LABELS),
    )
    p.set_defaults(handler=cmd_whatif)
