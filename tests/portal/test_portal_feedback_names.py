"""The night's feedback names a portal upload as the clerk uploaded it, escaped, from a name
map that stays private.

End to end: the clerk uploads through the portal's test client, the real ingest runs on the
same data home, and the feedback index and page are read as written.
"""

from __future__ import annotations

import stat
import time
from pathlib import Path

from fastapi.testclient import TestClient

from core.db import session
from core.intake_record import write_record
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


def _night_with_record(portal: Portal, batch: str) -> None:
    """A night's load, then the record of its loads the portal reads, as the DAG writes it."""
    with session(portal.settings.build_db) as con:
        ingest_submissions(con, portal.settings, build_registry(), batch)
        write_record(con, portal.settings.home)


def _names(portal: Portal) -> dict[str, str]:
    """The kept upload names: stored name -> the name the clerk sent."""
    folder = upload_names_dir(portal.settings.home)
    return {
        path.name.removesuffix(".name"): path.read_text(encoding="utf-8")
        for path in folder.glob("*.name")
    }


def test_upload_names_are_forgotten_once_no_feedback_can_show_them(
    portal: Portal, tmp_path: Path
) -> None:
    client, csrf, index_path = _partly_wrong_sent_and_loaded(portal, tmp_path, "bao_cao.xlsx")
    with session(portal.settings.build_db) as con:
        write_record(con, portal.settings.home)
    tidy = portal.app.state.portal.upload_names.tidy
    tidy(wait=True)
    # loaded, and the latest file of its unit and period: a later night may still name it
    assert list(_names(portal).values()) == ["bao_cao.xlsx"]

    good = write_good(tmp_path / "g.xlsx")
    assert 'data-verdict="accepted"' in _upload(client, csrf, good, "bao_cao_da_sua.xlsx")
    # the same bytes again under another name: the night takes it as a duplicate
    assert 'data-verdict="accepted"' in _upload(client, csrf, good, "ban_sao.xlsx")
    kept = sorted(_names(portal).values())
    assert kept == ["ban_sao.xlsx", "bao_cao.xlsx", "bao_cao_da_sua.xlsx"]
    _night_with_record(portal, "second")
    tidy(wait=True)
    # the first report is replaced and the copy was a duplicate: the feedback shows only the
    # replacing file's name from now on, so only it is kept
    assert list(_names(portal).values()) == ["bao_cao_da_sua.xlsx"]

    _night_with_record(portal, "third")  # a night with nothing new still names it
    index = index_path.read_text(encoding="utf-8")
    assert "Đã được thay bằng tệp bao_cao_da_sua.xlsx (đã nạp)." in index
    assert "bao_cao.xlsx</a>" in index  # the replaced report keeps the name it was shown under


def test_an_upload_after_a_night_forgets_the_names_it_took(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    good = write_good(tmp_path / "g.xlsx")
    _upload(client, csrf, good, "lan_1.xlsx")
    _upload(client, csrf, good, "lan_2.xlsx")  # the same bytes: a duplicate for the night
    _night_with_record(portal, "first")
    assert len(_names(portal)) == 2  # nothing is forgotten before the portal sees the record

    _upload(client, csrf, good, "lan_3.xlsx")  # not taken by a night yet: its name is kept
    deadline = time.monotonic() + 120  # the names are forgotten in a thread of their own
    while "lan_2.xlsx" in _names(portal).values() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(_names(portal).values()) == ["lan_1.xlsx", "lan_3.xlsx"]
