"""The portal end to end in headless Chromium, with the real nightly run in the middle.

A clerk signs in, downloads the pre-filled template, uploads a report with problems and sees
them, uploads the corrected report and sees it queued; the real ``dx_nightly`` DAG runs
(``dag.test()``); the clerk sees the report reached the warehouse and the office sees the unit
as having reported. Another unit cannot open the clerk's file.

Chromium and its driver are Debian's (``chromium``, ``chromium-driver``): Selenium is pointed
at ``/usr/bin/chromedriver`` and never downloads a driver or a browser. Set
``DXWH_PORTAL_SCREENSHOTS`` to a folder to keep a screenshot of every page.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from core.settings import Settings
from ingest.contract import UNIT_FIELDS
from ingest.submissions.template import EXAMPLE_STAFF, write_template
from portal.config import load_portal_config
from portal.store import PortalStore
from tests.portal.portal_helpers import BAD_STAFF, OTHER_UNIT, UNIT

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
READY_WITHIN = 180.0  # seconds: a loaded 2-core machine starts the server slowly
WAIT = 120.0

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], object], ceiling: float, what: str) -> object:
    deadline = time.monotonic() + ceiling
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up after {ceiling:.0f} s waiting for {what}")


@pytest.fixture
def server(data_home: Settings) -> Iterator[str]:
    """``dxwh portal serve`` on a free local port; yields its base URL once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dxwh")), "portal", "serve", "--port", str(port)],
        env={**os.environ, "DXWH_HOME": str(data_home.home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert process.poll() is None, f"the portal exited: {process.stdout.read()}"  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        _wait_for(ready, READY_WITHIN, "the portal to answer /healthz")
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=60)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    assert CHROMEDRIVER.exists() and CHROMIUM.exists(), (
        "this test drives Debian's Chromium: apt-get install -y chromium chromium-driver"
    )
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--disable-dev-shm-usage", "--lang=vi"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: WebDriver, name: str) -> None:
    """The whole page (beyond the window) as a PNG, when screenshots are asked for."""
    folder = os.environ.get("DXWH_PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        (Path(folder) / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _sign_in(driver: WebDriver, url: str, token: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, WAIT).until(lambda d: "/login" not in d.current_url)


def _upload(driver: WebDriver, path: Path) -> str:
    """Send a file from the unit page; returns the verdict shown."""
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.ID, "upload").click()
    verdict = WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.ID, "verdict"))
    return str(verdict[0].get_attribute("data-verdict"))


def _donvi(path: Path) -> dict[str, object]:
    """The template's DonVi values by field id."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("DonVi").to_python()
    by_label = {f.label_vi: f.field_id for f in UNIT_FIELDS}
    return {
        by_label[str(row[0]).removesuffix(" (*)")]: row[1]
        for row in rows
        if row and str(row[0]).removesuffix(" (*)") in by_label and row[1] != ""
    }


def test_clerk_uploads_fixes_and_reaches_the_warehouse(
    data_home: Settings,
    server: str,
    browser: WebDriver,
    tmp_path: Path,
    airflow_db: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = PortalStore(load_portal_config(data_home).state_db)
    _, token = store.issue_token("unit", UNIT, "văn thư", "test")
    _, other_token = store.issue_token("unit", OTHER_UNIT, "văn thư", "test")
    _, office_token = store.issue_token("office", None, "Sở", "test")

    browser.get(f"{server}/login")
    _shot(browser, "login")
    _sign_in(browser, server, token)
    assert browser.find_element(By.ID, "unit-code").text == UNIT

    # the pre-filled template of the newest period offered
    row = browser.find_element(By.CSS_SELECTOR, "#periods tr[data-period]")
    period = str(row.get_attribute("data-period"))
    row.find_element(By.CSS_SELECTOR, "a.template-link").click()
    downloads = tmp_path / "downloads"
    template = Path(
        str(
            _wait_for(
                lambda: [p for p in downloads.glob("*.xlsx")],
                WAIT,
                "the template download",
            )[0]  # type: ignore[index]
        )
    )
    prefilled = _donvi(template)
    assert prefilled["unit_code"] == UNIT
    assert prefilled["unit_name"] == "Sở Khoa học và Công nghệ"

    # the clerk fills it in: first with mistakes …
    filled = {**prefilled, "prepared_by": "Nguyễn Thị Hoa", "submitted_on": dt.date.today()}
    bad = write_template(tmp_path / "bao_cao_nhan_luc.xlsx", filled, BAD_STAFF)
    assert _upload(browser, bad) == "rejected"
    codes = {
        e.get_attribute("data-code") for e in browser.find_elements(By.CSS_SELECTOR, "tr.problem")
    }
    assert {"REQUIRED_FIELD_MISSING", "BIRTH_YEAR_OUT_OF_RANGE", "ROW_FIELD_INVALID"} <= codes
    assert "1890" in browser.find_element(By.ID, "problems").text
    _shot(browser, "rejected")

    # … then corrected
    browser.get(f"{server}/unit")
    fixed = write_template(
        tmp_path / "bao_cao_nhan_luc_da_sua.xlsx",
        {**filled, "has_dx_focal_point": "Có"},
        EXAMPLE_STAFF,
    )
    assert _upload(browser, fixed) == "accepted"
    assert browser.find_elements(By.ID, "queued")
    upload_url = browser.current_url
    queued = list((data_home.inbox_submissions / "portal").glob(f"{UNIT}__{period}__*.xlsx"))
    assert len(queued) == 1
    _shot(browser, "accepted")
    browser.get(f"{server}/unit")
    assert "Đang chờ lần chạy hằng đêm" in browser.find_element(By.ID, "history").text

    # another unit cannot open the file
    _sign_in(browser, server, other_token)
    browser.get(upload_url)
    assert "Không tìm thấy" in browser.find_element(By.ID, "error-message").text
    assert "bao_cao_nhan_luc" not in browser.page_source

    # the nightly run, the real DAG
    from airflow.dag_processing.dagbag import DagBag

    # parsing dx_nightly runs `dbt ls` (Cosmos): on a busy 2-core machine that can pass
    # Airflow's 30 s import default, so the ceiling is raised as docker-compose.yml does
    monkeypatch.setenv("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "600")
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert not bag.import_errors, bag.import_errors
    dag_run = bag.dags["dx_nightly"].test()
    assert str(dag_run.state) == "success", f"dx_nightly ended {dag_run.state}"

    _sign_in(browser, server, token)
    history = browser.find_element(By.ID, "history").text
    assert "Đã vào kho dữ liệu (báo cáo hiện hành của kỳ)" in history
    _shot(browser, "unit")

    _sign_in(browser, server, office_token)
    browser.get(f"{server}/office?period={period}")
    line = browser.find_element(By.CSS_SELECTOR, f'#compliance tr[data-unit="{UNIT}"]')
    assert "Chưa nộp" not in line.text and "Có" in line.text  # reported, with a focal point
    line.find_element(By.CSS_SELECTOR, "a.verdict").click()
    assert browser.find_element(By.ID, "verdict").get_attribute("data-verdict") == "accepted"
    browser.get(f"{server}/office?period={period}")
    _shot(browser, "office")
    browser.get(f"{server}/office/access")
    _shot(browser, "access")
    browser.get(f"{server}/office/audit")
    assert "upload_queued" in browser.page_source and "upload_rejected" in browser.page_source
    _shot(browser, "audit")
    shutil.rmtree(tmp_path / "downloads", ignore_errors=True)
