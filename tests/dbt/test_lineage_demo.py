"""Unit lineage, reporting duty and dissolution on the demo warehouse, as analysts read them."""

from __future__ import annotations

import datetime as dt

import duckdb

from core.settings import Settings
from ingest.registry import build_registry


def _published(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.published_db), read_only=True)


def test_analyst_view_says_what_20341_became_and_where_tam_ky_came_from(
    demo_warehouse: Settings,
) -> None:
    with _published(demo_warehouse) as con:
        became = con.execute(
            "select successor_unit_name, event_kind, effective_date, resolution "
            "from analyst.unit_lineage where predecessor_unit_id = '20341'"
        ).fetchall()
        came_from = con.execute(
            "select predecessor_unit_name, event_kind from analyst.unit_lineage "
            "where successor_unit_name = 'UBND Phường Tam Kỳ' order by predecessor_unit_name"
        ).fetchall()
    [(name, kind, effective, resolution)] = became
    assert (name, kind, str(effective)) == ("UBND Phường Tam Kỳ", "merged_into", "2025-07-01")
    assert resolution.startswith("NQ 1659/NQ-UBTVQH15")
    assert came_from == [
        ("UBND Phường An Mỹ", "merged_into"),
        ("UBND Phường An Xuân", "merged_into"),
        ("UBND Phường Trường Xuân", "merged_into"),
        ("UBND Thành phố Tam Kỳ", "dissolved"),
    ]


def test_dim_unit_links_both_directions(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        rows = dict(
            (version, (n_pred, preds, n_succ, succs, parent))
            for version, n_pred, preds, n_succ, succs, parent in con.execute(
                "select unit_version_id, n_predecessors, predecessor_unit_version_ids, "
                "n_successors, successor_unit_version_ids, parent_unit_id "
                "from marts.dim_unit where unit_id in ('20341', '20347')"
            ).fetchall()
        )
    an_my, tam_ky = rows["20341:2020-01-01"], rows["20341:2025-07-01"]
    assert an_my[2:4] == (1, "20341:2025-07-01")
    assert tam_ky[0] == 4 and "20347:2020-01-01" in tam_ky[1] and tam_ky[2] == 0
    # no district from 2025-07-01: the new commune's parent is its province
    assert an_my[4] == "502" and tam_ky[4] == "48"


def test_hoang_sa_is_out_of_compliance_and_targets(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        [(duty, reason)] = con.execute(
            "select has_reporting_duty, no_duty_reason from marts.dim_unit where unit_id = '20333'"
        ).fetchall()
        [(n_compliance,)] = con.execute(
            "select count(*) from marts.fct_reporting_compliance where unit_id = '20333'"
        ).fetchall()
        [(n_expected_h2,)] = con.execute(
            "select count(*) from marts.fct_reporting_compliance where period_id = '2025-H2'"
        ).fetchall()
    assert duty is False and reason
    assert n_compliance == 0
    end_of_h2 = dt.date(2025, 12, 31)
    active = [u for u in build_registry() if u.is_active(end_of_h2)]
    assert n_expected_h2 == len(active) - 1  # every unit active then, but Hoàng Sa
    html = (demo_warehouse.reports_dir / "scorecard" / "index.html").read_text(encoding="utf-8")
    assert "Đặc khu Hoàng Sa không có nghĩa vụ báo cáo" in html


def test_no_unit_is_late_for_a_deadline_after_it_ceased(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        ceased = con.execute(
            """
            select compliance.unit_id, compliance.filing_unit_id, filer.unit_version_id
            from marts.fct_reporting_compliance as compliance
            left join marts.dim_unit as filer
                on compliance.filing_unit_id = filer.unit_id
                and compliance.deadline_date
                between filer.valid_from and coalesce(filer.valid_to, date '9999-12-31')
            where compliance.has_ceased_before_deadline and compliance.period_id = '2025-H1'
            """
        ).fetchall()
    # the 17 district committees and the old communes merged away ceased on 01/7/2025, before
    # the deadline of 15/7/2025; their 2025-H1 report is their filing successor's to send
    assert len(ceased) >= 17 + 233 - 78
    no_filer = {unit for unit, _, filer in ceased if filer is None}
    # the units whose successor no source names (docs/intake.md) file for themselves
    assert no_filer == {"49-BQLKKT", "48-SNGV"}


def test_late_or_missing_names_who_had_to_file(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        rows = con.execute(
            """
            select late.unit_id, late.unit_name, late.filing_unit_id, late.filing_unit_name,
                filer.unit_name
            from analyst.late_or_missing_reports as late
            left join marts.dim_unit as filer
                on late.filing_unit_id = filer.unit_id
                and late.deadline_date
                between filer.valid_from and coalesce(filer.valid_to, date '9999-12-31')
            where late.has_ceased_before_deadline
            """
        ).fetchall()
    for unit_id, name, filer_id, filer_name, filer_then in rows:
        # the report is the filer's to send, named as it was on the deadline
        assert filer_name == (filer_then or name), unit_id
        if filer_then is None:  # no known successor: the ceased unit itself
            assert filer_id == unit_id
