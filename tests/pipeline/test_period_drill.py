"""The periods drill on the demo: after a demo night, three more files arrive.

An annual "Năm 2024" report (2024 is collected by half-years) and a report for 2099-H1 (not
begun) are refused with a message naming the periods collected; an early report for 2026-H2
(due 15/01/2027) is taken, and the period is shown as in progress. The scorecard's headline
stays on 2026-H1, the last period due, and no target or compliance figure of any other period
moves.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from core.db import session
from core.settings import Settings, load_settings
from ingest.submissions.template import EXAMPLE_STAFF, EXAMPLE_UNIT, write_template
from pipeline.nightly import step_build, step_ingest, step_publish, step_scorecard
from tests.demo_night import DEMO_AS_OF

pytestmark = pytest.mark.slow

DEPARTMENT = {
    "unit_code": "48-SKHCN",
    "unit_name": "Sở Khoa học và Công nghệ",
    "unit_type": "Sở, ban, ngành",
    "has_dx_focal_point": "Có",
    "prepared_by": "Nguyễn Thị Hoa",
    "submitted_on": dt.date(2026, 12, 5),
}
DRILL = {
    "502_nam_2024.xlsx": {**EXAMPLE_UNIT, "period": "Năm 2024"},
    "48-SKHCN_2026-H2.xlsx": {**DEPARTMENT, "period": "6 tháng cuối năm 2026"},
    "48-SKHCN_2099-H1.xlsx": {**DEPARTMENT, "period": "6 tháng đầu năm 2099"},
}
# every figure of the two marts, by period (the in-progress period may move: it got a report)
FIGURES = {
    "targets": "select * from marts.fct_target_progress where period_id <> '2026-H2' order by all",
    "compliance": "select * from marts.fct_reporting_compliance where period_id <> '2026-H2' "
    "order by all",
    "periods": "select * exclude (is_in_progress) from marts.dim_period order by all",
}


def _figures(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with session(settings.build_db, read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in FIGURES.items()}


@pytest.fixture(scope="module")
def drilled(
    demo_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, dict[str, list]]:  # type: ignore[type-arg]
    """A copy of the demo warehouse, one more night (ingest, build, publish, scorecard) after
    the three files arrived; and the figures before it."""
    home = tmp_path_factory.mktemp("drill") / "home"
    shutil.copytree(demo_warehouse.home, home, ignore=shutil.ignore_patterns("airflow"))
    settings = load_settings({**os.environ, "DXWH_HOME": str(home)})
    before = _figures(settings)
    for name, unit in DRILL.items():
        write_template(settings.inbox_submissions / "drill" / name, unit, EXAMPLE_STAFF, units=[])
    step_ingest(settings, batch_id="drill")
    step_build(settings, as_of=DEMO_AS_OF)
    step_publish(settings)
    step_scorecard(settings)
    return settings, before


def test_the_drill_refuses_two_files_and_moves_no_other_period(
    drilled: tuple[Settings, dict[str, list]],  # type: ignore[type-arg]
) -> None:
    settings, before = drilled
    with session(settings.build_db, read_only=True) as con:
        outcomes = dict(
            con.execute(
                "select regexp_extract(source_file, '[^/]+$'), status from audit.file_loads "
                "where source_file like '%drill%'"
            ).fetchall()
        )
        codes = dict(
            con.execute(
                "select regexp_extract(source_file, '[^/]+$'), code from audit.problems "
                "where source_file like '%drill%' and code like 'PERIOD_%'"
            ).fetchall()
        )
        in_progress = dict(
            con.execute(
                "select reporting_status, count(*) from marts.fct_reporting_compliance "
                "where period_id = '2026-H2' group by all"
            ).fetchall()
        )
    assert outcomes == {
        "502_nam_2024.xlsx": "rejected",
        "48-SKHCN_2026-H2.xlsx": "accepted",
        "48-SKHCN_2099-H1.xlsx": "rejected",
    }
    assert codes == {
        "502_nam_2024.xlsx": "PERIOD_NOT_COLLECTED",
        "48-SKHCN_2099-H1.xlsx": "PERIOD_NOT_BEGUN",
    }
    assert in_progress["on_time"] == 1 and set(in_progress) == {"on_time", "not_yet_due"}
    assert _figures(settings) == before


def test_the_drill_leaves_the_headline_on_the_last_period_due(
    drilled: tuple[Settings, dict[str, list]],  # type: ignore[type-arg]
) -> None:
    settings, _ = drilled
    html = (settings.reports_dir / "scorecard" / "index.html").read_text(encoding="utf-8")
    n_expected = html.split("Kỳ 2026-H2 đang thu báo cáo: đã nhận")[1].split("báo cáo")[0]

    assert 'id="headline-period">2026-H1<' in html
    assert n_expected.split()[0].startswith("1/")
    assert "hạn 15/01/2027" in html
    assert '<td class="period">2026-H2</td>' not in html
