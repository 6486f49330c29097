"""The night's feedback names a portal upload as the clerk uploaded it, escaped, from a name
map that stays private.

End to end: the clerk uploads through the portal's test client, the real ingest runs on the
same data home, and the feedback index and page are read as written.
"""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from core.db import session
from ingest.registry import build_registry
from ingest.submissions.feedback import upload_names_dir
from ingest.submissions.load import ingest_submissions
from ingest.submissions.template import write_template
from tests.portal.portal_helpers import (
    BAD_STAFF,
    Portal,
    sign_in,
    submission_values,
    write_good,
)

PARTLY_WRONG = "Báo cáo <nhân lực> & 6 tháng.xlsx"  # as a clerk may name it


def _upload(client: TestClient, csrf: str, path: Path, name: str) -> str:
    with path.open("rb") as handle:
        response = client.post(
            "/unit/upload", data={"csrf_token": csrf}, files={"file": (name, handle)}
        )
    assert response.status_code == 200, response.text
    return response.text


def _night(portal: Portal, batch: str) -> None:
    with session(portal.settings.build_db) as con:
        ingest_submissions(con, portal.settings, build_registry(), batch)


def _partly_wrong_sent_and_loaded(
    portal: Portal, tmp_path: Path, name: str
) -> tuple[TestClient, str, Path]:
    """A clerk sends a report with rows to fix through the portal; a night loads it. Returns
    the clerk's client, its CSRF token and the feedback index."""
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    partly = write_template(tmp_path / "p.xlsx", submission_values("48-SKHCN"), BAD_STAFF)
    assert 'data-verdict="partial"' in _upload(client, csrf, partly, name)
    _night(portal, "first")
    return client, csrf, portal.settings.feedback_dir / "index.html"


def test_the_feedback_names_the_file_as_the_clerk_uploaded_it(
    portal: Portal, tmp_path: Path
) -> None:
    _, _, index_path = _partly_wrong_sent_and_loaded(portal, tmp_path, PARTLY_WRONG)

    first = index_path.read_text(encoding="utf-8")
    # the clerk's own name, escaped, where the portal's internal name and time were
    assert "Báo cáo &lt;nhân lực&gt; &amp; 6 tháng.xlsx</a>" in first
    assert "<nhân lực>" not in first and "tệp gửi qua cổng lúc" not in first
    assert "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA" in first
    (page,) = portal.settings.feedback_dir.glob("48-SKHCN/*.html")
    assert "<th>Tệp</th><td>Báo cáo &lt;nhân lực&gt; &amp;" in page.read_text(encoding="utf-8")


def test_the_names_the_night_reads_are_private(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    _upload(client, csrf, write_good(tmp_path / "g.xlsx"), "Nguyễn Văn A - báo cáo.xlsx")

    folder = upload_names_dir(portal.settings.home)
    (kept,) = folder.iterdir()
    assert kept.read_text(encoding="utf-8") == "Nguyễn Văn A - báo cáo.xlsx"
    (queued,) = (portal.settings.inbox_submissions / "portal").iterdir()
    assert kept.name == f"{queued.name}.name"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_rejected_upload_leaves_no_name_for_the_night(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    refused = write_good(tmp_path / "other.xlsx", unit_id="48-SNV")
    assert 'data-verdict="rejected"' in _upload(client, csrf, refused, "cua_so_khac.xlsx")
    assert not upload_names_dir(portal.settings.home).exists()


def test_a_report_replaced_through_the_portal_on_a_later_night_is_not_still_to_fix(
    portal: Portal, tmp_path: Path
) -> None:
    client, csrf, index_path = _partly_wrong_sent_and_loaded(portal, tmp_path, "bao_cao.xlsx")
    assert "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA" in index_path.read_text(encoding="utf-8")

    # the next day the clerk sends the corrected report, accepted whole: no feedback of its own
    good = write_good(tmp_path / "g.xlsx")
    assert 'data-verdict="accepted"' in _upload(client, csrf, good, "bao_cao_da_sua.xlsx")
    _night(portal, "second")

    index = index_path.read_text(encoding="utf-8")
    assert "ĐÃ CÓ TỆP THAY THẾ" in index
    assert "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA" not in index  # not outstanding any more
    assert "Đã được thay bằng tệp bao_cao_da_sua.xlsx (đã nạp)." in index
