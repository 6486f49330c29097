"""The portal over plain HTTP: the clerk's flow, and every refusal the security rules promise."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from ingest.submissions.template import EXAMPLE_STAFF, write_template
from portal import intake
from tests.portal.portal_helpers import (
    OTHER_UNIT,
    PERIOD,
    UNIT,
    Portal,
    csrf_of,
    sign_in,
    submission_values,
    write_bad,
    write_good,
)


def _upload(client, csrf: str, path: Path, name: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return client.post(
            "/unit/upload",
            data={"csrf_token": csrf},
            files={"file": (name or path.name, handle)},
        )


def _inbox(portal: Portal) -> list[Path]:
    return sorted(p for p in portal.settings.inbox_submissions.rglob("*") if p.is_file())


def test_template_is_prefilled_with_the_unit_and_period(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    sign_in(client, portal.unit_token)
    response = client.get("/unit/template", params={"period": PERIOD})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    cells = {row[0]: row[1] for row in book.get_sheet_by_name("DonVi").to_python() if row[0]}
    assert cells["Mã đơn vị (*)"] == UNIT
    assert cells["Tên đơn vị (*)"] == "Sở Khoa học và Công nghệ"
    assert cells["Loại đơn vị (*)"] == "Sở, ban, ngành"
    assert cells["Kỳ báo cáo (*)"] == "6 tháng đầu năm 2026"
    # a period the unit has no report for is not offered
    assert client.get("/unit/template", params={"period": "2019"}).status_code == 404


def test_problems_are_shown_then_the_fixed_file_is_queued(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)

    bad = _upload(client, csrf, write_bad(tmp_path / "bao_cao.xlsx"))
    assert bad.status_code == 200
    assert 'data-verdict="rejected"' in bad.text
    for code in ("REQUIRED_FIELD_MISSING", "BIRTH_YEAR_OUT_OF_RANGE", "ROW_FIELD_INVALID"):
        assert f'data-code="{code}"' in bad.text
    assert "1890" in bad.text and "Bán thời gian" in bad.text  # the values found
    assert "Cách sửa" in bad.text
    assert _inbox(portal) == []  # rejected: not queued …
    kept = list(portal.config.rejected_dir.rglob("*.xlsx"))
    assert len(kept) == 1  # … but kept for the operator

    good = _upload(client, csrf, write_good(tmp_path / "bao_cao_sua.xlsx"))
    assert 'data-verdict="accepted"' in good.text
    queued = _inbox(portal)
    assert len(queued) == 1
    assert queued[0].parent == portal.settings.inbox_submissions / "portal"
    assert queued[0].name.startswith(f"{UNIT}__{PERIOD}__") and queued[0].suffix == ".xlsx"
    assert queued[0].read_bytes() == (tmp_path / "bao_cao_sua.xlsx").read_bytes()

    home = client.get("/unit").text
    assert "bao_cao.xlsx" in home and "bao_cao_sua.xlsx" in home
    assert "Đang chờ lần chạy hằng đêm" in home
    assert "Có (dự kiến)" in home


def test_upload_names_never_become_paths(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    response = _upload(client, csrf, write_good(tmp_path / "x.xlsx"), "../../../etc/evil.xlsx")
    assert 'data-verdict="accepted"' in response.text
    assert not (portal.settings.home.parent / "etc").exists()
    (stored,) = _inbox(portal)
    assert "evil" not in stored.name and ".." not in stored.name
    assert "evil.xlsx" in response.text  # shown to the clerk as the last name component only


def test_a_unit_sees_only_its_own_files(portal: Portal, tmp_path: Path) -> None:
    clerk, other = portal.client(), portal.client()
    csrf = sign_in(clerk, portal.unit_token)
    done = _upload(clerk, csrf, write_good(tmp_path / "skhcn_rieng.xlsx"))
    upload_id = str(done.url).rsplit("/", 1)[-1]

    other_csrf = sign_in(other, portal.other_token)
    assert other.get(f"/unit/submissions/{upload_id}").status_code == 404
    assert "skhcn_rieng.xlsx" not in other.get("/unit").text
    # nor can it send a report in another unit's name
    theirs = _upload(other, other_csrf, write_good(tmp_path / "mao_danh.xlsx", unit_id=UNIT))
    assert 'data-verdict="rejected"' in theirs.text
    assert 'data-code="PORTAL_OTHER_UNIT"' in theirs.text
    assert [p.name.split("__")[0] for p in _inbox(portal)] == [UNIT]
    # the office is not a unit: it cannot upload, and units cannot open office pages
    assert other.get("/office").status_code == 403
    assert clerk.get(f"/unit/submissions/{upload_id}").status_code == 200


@pytest.mark.parametrize("token", ["", "dxp_not-a-real-token", "x" * 500])
def test_bad_tokens_are_refused(portal: Portal, token: str) -> None:
    client = portal.client()
    response = client.post(
        "/login", data={"token": token, "csrf_token": csrf_of(client.get("/login").text)}
    )
    assert response.status_code in (401, 422, 400)
    assert client.get("/unit", follow_redirects=False).headers["location"] == "/login"
    api = client.post(
        "/api/submissions",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("a.csv", b"a,b\n")},
    )
    assert api.status_code == 401


def test_revoking_a_token_ends_its_session(portal: Portal) -> None:
    client = portal.client()
    sign_in(client, portal.unit_token)
    assert client.get("/unit").status_code == 200
    (record,) = [t for t in portal.store.list_tokens() if t.unit_id == UNIT]
    assert portal.store.revoke_token(record.token_id, "test")
    assert client.get("/unit", follow_redirects=False).headers["location"] == "/login"
    refused = client.post(
        "/login",
        data={"token": portal.unit_token, "csrf_token": csrf_of(client.get("/login").text)},
    )
    assert refused.status_code == 401


def test_posts_without_csrf_are_refused(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    assert client.post("/login", data={"token": portal.unit_token}).status_code == 403
    csrf = sign_in(client, portal.unit_token)
    with write_good(tmp_path / "a.xlsx").open("rb") as handle:
        response = client.post("/unit/upload", files={"file": ("a.xlsx", handle)})
    assert response.status_code == 403
    assert _upload(client, "forged", tmp_path / "a.xlsx").status_code == 403
    assert _inbox(portal) == [] and portal.store.uploads_of(UNIT) == []
    assert client.post("/logout").status_code == 403
    assert client.get("/unit").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 200

    office = portal.client()
    sign_in(office, portal.office_token)
    (record,) = [t for t in portal.store.list_tokens() if t.unit_id == OTHER_UNIT]
    assert office.post(f"/office/access/{record.token_id}/revoke").status_code == 403
    assert office.post("/office/access", data={"unit_id": UNIT}).status_code == 403
    assert portal.store.get_token(record.token_id).is_active  # type: ignore[union-attr]


def test_oversized_uploads_are_refused(make_portal: Callable[..., Portal], tmp_path: Path) -> None:
    portal = make_portal(max_upload_bytes=100_000)
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    # far past the limit: refused from the Content-Length, before the body is read
    huge = client.post(
        "/unit/upload",
        data={"csrf_token": csrf},
        files={"file": ("big.csv", b"x" * 1_000_000)},
    )
    assert huge.status_code == 413 and "Tệp quá lớn" in huge.text
    # just past it: refused while the body is copied
    near = client.post(
        "/unit/upload",
        data={"csrf_token": csrf},
        files={"file": ("big.csv", b"x" * 120_000)},
    )
    assert near.status_code == 413
    api = client.post(
        "/api/submissions",
        headers={"Authorization": f"Bearer {portal.unit_token}"},
        files={"file": ("big.csv", b"x" * 120_000)},
    )
    assert api.status_code == 413 and "Tệp quá lớn" in api.json()["detail"]

    # a chunked body announces no length: refused as it streams in, before the form is parsed
    def chunks() -> Iterator[bytes]:
        yield b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(100):
            yield b"x" * 10_000
        yield b"\r\n--zzz--\r\n"

    def refused_late() -> int:  # refusals by the upload handler, after the form was parsed
        return sum(1 for e in portal.store.audit() if e.action == "upload_too_large")

    before = refused_late()
    streamed = client.post(
        "/api/submissions",
        headers={
            "Authorization": f"Bearer {portal.unit_token}",
            "Content-Type": "multipart/form-data; boundary=zzz",
        },
        content=chunks(),
    )
    assert streamed.status_code == 413
    assert refused_late() == before  # the handler never ran
    assert _inbox(portal) == []
    assert list(portal.config.incoming_dir.iterdir()) == []
    assert list(portal.config.rejected_dir.rglob("*.*")) == []


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("bao_cao.pdf", b"%PDF-1.4 not a report", "FILE_UNSUPPORTED_TYPE"),
        ("bao_cao.xlsx", b"PK\x03\x04 truncated zip", "FILE_UNREADABLE"),
        ("bao_cao.xlsx", b"\x00\x01\x02 not a workbook", "FILE_UNREADABLE"),
    ],
)
def test_malformed_files_are_rejected_with_a_reason(
    portal: Portal, name: str, content: bytes, code: str
) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    response = client.post(
        "/unit/upload", data={"csrf_token": csrf}, files={"file": (name, content)}
    )
    assert response.status_code == 200
    assert 'data-verdict="rejected"' in response.text
    assert f'data-code="{code}"' in response.text
    assert _inbox(portal) == []


def test_malformed_requests_are_refused(portal: Portal) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    # no file field at all
    assert client.post("/unit/upload", data={"csrf_token": csrf}).status_code == 400
    api = client.post(
        "/api/submissions",
        headers={"Authorization": f"Bearer {portal.unit_token}"},
        data={"not_file": "x"},
    )
    assert api.status_code == 400 and "multipart" in api.json()["detail"]
    raw = client.post(
        "/api/submissions",
        headers={
            "Authorization": f"Bearer {portal.unit_token}",
            "Content-Type": "multipart/form-data; boundary=zzz",
        },
        content=b"--zzz\r\nthis is not a multipart body",
    )
    assert raw.status_code == 400


def test_json_api_returns_the_verdict_and_problems(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    auth = {"Authorization": f"Bearer {portal.unit_token}"}
    with write_bad(tmp_path / "bad.xlsx").open("rb") as handle:
        bad = client.post("/api/submissions", headers=auth, files={"file": ("bad.xlsx", handle)})
    assert bad.status_code == 200
    body = bad.json()
    assert body["verdict"] == "rejected" and body["queued"] is False
    found = {(p["code"], p["sheet"], p["row"]) for p in body["problems"]}
    assert ("BIRTH_YEAR_OUT_OF_RANGE", "NhanLuc", 2) in found
    assert all(p["fix"] and p["message"] for p in body["problems"])

    with write_good(tmp_path / "good.xlsx").open("rb") as handle:
        good = client.post("/api/submissions", headers=auth, files={"file": ("good.xlsx", handle)})
    assert good.json()["verdict"] == "accepted" and good.json()["queued"] is True
    assert good.json()["period_id"] == PERIOD and good.json()["rows_ok"] == 2
    assert len(_inbox(portal)) == 1

    office = {"Authorization": f"Bearer {portal.office_token}"}
    with write_good(tmp_path / "good.xlsx").open("rb") as handle:
        refused = client.post("/api/submissions", headers=office, files={"file": ("g", handle)})
    assert refused.status_code == 403


def test_uploads_per_unit_are_rate_limited(
    make_portal: Callable[..., Portal], tmp_path: Path
) -> None:
    portal = make_portal(uploads_per_hour=2)
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    path = write_good(tmp_path / "a.xlsx")
    assert [_upload(client, csrf, path).status_code for _ in range(3)] == [200, 200, 429]
    # the limit is per unit: another unit still sends
    other = portal.client()
    other_csrf = sign_in(other, portal.other_token)
    assert (
        _upload(other, other_csrf, write_good(tmp_path / "b.xlsx", OTHER_UNIT)).status_code == 200
    )


def test_an_upload_being_checked_counts_against_the_limit(
    make_portal: Callable[..., Portal], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two uploads of a unit allowed one an hour, the second sent while the first is still
    being checked: the second is refused, however the two interleave."""
    portal = make_portal(uploads_per_hour=1)
    data = write_good(tmp_path / "a.xlsx").read_bytes()
    bearer = {"Authorization": f"Bearer {portal.unit_token}"}
    checking, second_answered = threading.Event(), threading.Event()
    real_check = intake.check_submission

    def check_held_open(*args: Any, **kwargs: Any) -> Any:
        if not checking.is_set():  # the first upload: held until the second is answered
            checking.set()
            assert second_answered.wait(timeout=120)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(intake, "check_submission", check_held_open)

    def send(name: str) -> int:
        with portal.client() as client:
            answer = client.post("/api/submissions", headers=bearer, files={"file": (name, data)})
        return answer.status_code

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(send, "lan_1.xlsx")
        assert checking.wait(timeout=120)
        second = send("lan_2.xlsx")
        second_answered.set()
        assert (first.result(timeout=120), second) == (200, 429)
    assert [u.original_name for u in portal.store.uploads_of(UNIT)] == ["lan_1.xlsx"]
    # a refused upload holds no slot, nor does a recorded one
    with sqlite3.connect(portal.config.state_db) as con:
        assert con.execute("select count(*) from upload_slots").fetchone()[0] == 0


def test_office_issues_and_revokes_access_and_reads_the_audit(portal: Portal) -> None:
    office = portal.client()
    csrf = sign_in(office, portal.office_token)
    assert "Chưa có kho dữ liệu công bố" in office.get("/office").text

    unknown = office.post("/office/access", data={"unit_id": "99-XYZ", "csrf_token": csrf})
    assert unknown.status_code == 400 and "99-XYZ" in unknown.text
    issued = office.post("/office/access", data={"unit_id": "502", "csrf_token": csrf})
    assert issued.status_code == 200
    token = issued.text.split('id="issued-token">')[1].split("<")[0]
    assert token.startswith("dxp_")

    clerk = portal.client()
    sign_in(clerk, token)  # the new token works (unit 502 existed until 2025-06-30)
    assert "UBND Thành phố Tam Kỳ" in clerk.get("/unit").text

    (record,) = [t for t in portal.store.list_tokens() if t.unit_id == "502"]
    done = office.post(f"/office/access/{record.token_id}/revoke", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Đã thu hồi" in done.text
    assert clerk.get("/unit", follow_redirects=False).status_code == 303

    audit = office.get("/office/audit").text
    for action in ("token_issued", "sign_in", "token_revoked"):
        assert action in audit


def test_pages_never_open_the_build_database(portal: Portal, tmp_path: Path) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    _upload(client, csrf, write_good(tmp_path / "a.xlsx"))
    build_db = portal.settings.build_db
    # another process holds the build database for writing, as the nightly run does
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            f"con = duckdb.connect({str(build_db)!r})\n"
            "con.execute('create schema if not exists audit')\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        page = client.get("/unit")
        assert page.status_code == 200
        assert 'id="busy"' not in page.text  # the night's record is read, not the locked file
        assert "Đang chờ lần chạy hằng đêm" in page.text
    finally:
        writer.communicate(input="", timeout=60)


def test_repeated_failed_sign_ins_are_throttled(portal: Portal) -> None:
    client = portal.client()
    csrf = csrf_of(client.get("/login").text)
    codes = [
        client.post("/login", data={"token": f"dxp_guess{i}", "csrf_token": csrf}).status_code
        for i in range(11)
    ]
    assert codes == [401] * 10 + [429]
    # while throttled, even the right token waits
    right = client.post("/login", data={"token": portal.unit_token, "csrf_token": csrf})
    assert right.status_code == 429
    assert sum(1 for e in portal.store.audit() if e.action == "sign_in_failed") == 10


def test_a_partly_right_report_says_how_many_rows_are_left_to_fix(
    portal: Portal, tmp_path: Path
) -> None:
    client = portal.client()
    csrf = sign_in(client, portal.unit_token)
    staff = ({**EXAMPLE_STAFF[0], "birth_year": 1890}, EXAMPLE_STAFF[1])
    partial = write_template(tmp_path / "mot_phan.xlsx", submission_values(UNIT), staff)

    verdict = _upload(client, csrf, partial)

    assert 'data-verdict="partial"' in verdict.text
    assert "2 người được tính" in verdict.text and "còn\n    1 dòng cần sửa" in verdict.text
    row = re.search(rf'<tr data-period="{PERIOD}">.*?</tr>', client.get("/unit").text, re.S)
    assert row is not None and "Đã nộp – còn 1 dòng cần sửa" in row.group(0)

    _upload(client, csrf, write_good(tmp_path / "da_sua.xlsx"))

    row = re.search(rf'<tr data-period="{PERIOD}">.*?</tr>', client.get("/unit").text, re.S)
    assert row is not None and "Đã nộp" in row.group(0) and "cần sửa" not in row.group(0)
