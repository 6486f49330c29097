"""A rollback republishes what readers open beside the warehouse: the scorecard is drawn again
from the restored version, and the docs are the restored version's."""

from __future__ import annotations

import pytest

from core.db import session
from core.settings import Settings
from pipeline.cli import main as dxwh
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.published_versions import current_version
from warehouse.report.render import write_scorecard


def test_rollback_redraws_the_scorecard_of_the_restored_version(
    data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    build_sample_marts(data_home)
    first = publish(data_home).version
    with session(data_home.build_db) as con:  # another night's content: a new version
        con.execute("delete from marts.fct_staffing where period_id = '2023'")
    second = publish(data_home).version
    write_scorecard(data_home)
    card = data_home.reports_dir / "scorecard" / "index.html"
    assert second in card.read_text(encoding="utf-8")

    assert dxwh(["publish", "--rollback"]) == 0

    assert current_version(data_home.published_dir) == first
    html = card.read_text(encoding="utf-8")
    assert first in html and second not in html
    assert f"scorecard redrawn from version {first}" in capsys.readouterr().out
    docs = (data_home.published_dir / "docs").resolve()
    assert first in str(docs)
