"""The finance portal in a real browser (issue #10, §4): headless Chromium (Debian's `chromium` and
`chromium-driver`, installed by the Makefile) driven by Selenium against a real uvicorn server.

Sign in, open a month, download a PDF and compare its sha256 with the file on disk, approve as an
approver, be refused as a viewer, be sent to sign-in without a session.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest
from fixtures.finance import MONTH
from fixtures.portal import PASSWORDS, Client, add_portal_users, running_portal

from pipeline.finance.ledger import Ledger
from pipeline.warehouse import connection

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver")),
    reason="needs Debian's chromium and chromium-driver (make install as root installs them)",
)


@pytest.fixture(scope="module")
def portal(finance_month, tmp_path_factory):
    world = finance_month.copy(tmp_path_factory.mktemp("portal-browser"))
    settings = world.settings()
    add_portal_users(settings)
    with running_portal(settings) as base:
        yield world, base


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def chrome(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "plugins.always_open_pdf_externally": True,
    })
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _sign_in(driver, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORDS[name])
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url == base + "/")


def _wait_for_text(driver, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from selenium.common.exceptions import StaleElementReferenceException

    # the page is replaced by the POST's redirect while we read it: a stale body is read again
    WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: text in d.find_element(By.TAG_NAME, "body").text
    )


def test_without_a_session_the_browser_is_sent_to_sign_in(portal, chrome):
    _, base = portal
    chrome.delete_all_cookies()
    chrome.get(f"{base}/months/{MONTH}")
    assert chrome.current_url == f"{base}/login"
    assert chrome.title.startswith("Sign in")


def test_sign_in_open_a_month_and_download_a_pdf(portal, chrome, downloads):
    from selenium.webdriver.common.by import By

    world, base = portal
    _sign_in(chrome, base, "vic")
    assert chrome.current_url == base + "/"
    chrome.find_element(By.LINK_TEXT, MONTH).click()
    assert chrome.current_url == f"{base}/months/{MONTH}"
    rows = chrome.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.get_attribute("id") for r in rows] == [
        "row-acme", "row-globex", "row-hooli", "row-initech", "row-kyoto-ai", "row-quote-co", "row-umbrella"
    ]
    globex = chrome.find_element(By.ID, "row-globex").text
    assert "99.798 %" in globex and "1000.01" in globex and "USD" in globex and "draft" in globex

    chrome.find_element(By.CSS_SELECTOR, "#row-globex a.pdf").click()
    target = downloads / "globex.pdf"
    deadline = time.monotonic() + 30
    while not target.exists() or list(downloads.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"no download in {list(downloads.iterdir())}"
        time.sleep(0.1)
    with connection(world.warehouse, read_only=True) as con:
        path, sha = con.execute(
            "SELECT path, sha256 FROM statements WHERE customer_id = 'globex' AND month = $m AND is_current", {"m": MONTH}
        ).fetchone()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == sha == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    assert ("vic", "globex") in [(e.by, e.customer_id) for e in Ledger(world.ledger).events() if e.event == "download"]


def test_a_viewer_sees_no_buttons_and_is_refused_when_posting(portal, chrome):
    from selenium.webdriver.common.by import By

    world, base = portal
    _sign_in(chrome, base, "vic")
    chrome.get(f"{base}/months/{MONTH}")
    assert chrome.find_elements(By.ID, "approve-month") == []
    # the viewer's own session, posting the month's approve form as a browser would (a crafted form)
    chrome.execute_script(
        """const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
           const t = document.createElement('input'); t.name = 'csrf_token';
           t.value = document.querySelector('input[name=csrf_token]').value; f.appendChild(t);
           document.body.appendChild(f); f.submit();""",
        f"/months/{MONTH}/approve",
    )
    _wait_for_text(chrome, "only an approver")
    assert "only an approver may approve or issue" in chrome.find_element(By.TAG_NAME, "body").text
    assert [e for e in Ledger(world.ledger).events() if e.event == "approved"] == []


def test_an_approver_approves_the_month_from_the_button(portal, chrome):
    from selenium.webdriver.common.by import By

    world, base = portal
    _sign_in(chrome, base, "ann")
    chrome.get(f"{base}/months/{MONTH}")
    chrome.find_element(By.ID, "approve-month").click()
    _wait_for_text(chrome, "globex v1: approved by ann")
    assert chrome.current_url == f"{base}/months/{MONTH}"
    assert "globex v1: approved by ann" in chrome.find_element(By.TAG_NAME, "body").text
    statuses = [e.text for e in chrome.find_elements(By.CSS_SELECTOR, "tbody .status")]
    assert statuses == ["approved"] * 7
    approvals = {e.customer_id: e.by for e in Ledger(world.ledger).events() if e.event == "approved"}
    assert approvals == dict.fromkeys(["acme", "globex", "hooli", "initech", "kyoto-ai", "quote-co", "umbrella"], "ann")
    # and issues one customer from its row (no SMTP configured: an .eml file in the month folder)
    chrome.find_element(By.CSS_SELECTOR, "#row-umbrella form[action$='/issue'] button").click()
    _wait_for_text(chrome, "umbrella v1: issued by ann")
    assert "umbrella v1: issued by ann" in chrome.find_element(By.TAG_NAME, "body").text
    assert (world.statements / MONTH / "umbrella.v1.eml").is_file()
    assert "issued" in chrome.find_element(By.ID, "row-umbrella").text


def test_http_client_and_browser_agree_on_the_month(portal):
    """The same page over plain HTTP (no JavaScript involved): the browser saw the server's HTML."""
    _, base = portal
    client = Client(base)
    client.sign_in("ann")
    page = client.get(f"/months/{MONTH}").text
    assert 'href="/months/2026-10/summary.pdf"' in page and 'href="/months/2026-10/credit_notes.csv"' in page
