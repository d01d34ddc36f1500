"""主体库 in a real browser: Playwright driving Debian's chromium against the console served in this process.

A 哈尔滨 city officer logs in, filters, sorts, exports to XLSX and opens an entity. Never runs `playwright install`.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from registry_data import HARBIN_FOOD, NANGANG_COOP, QIQIHAR_MCN, seed

from livecommerce.accounts import service as accounts
from livecommerce.core.db import session_factory, session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "harbin-officer-2025"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def console_url(home: Settings) -> Iterator[str]:
    """The console on a seeded SQLite home with the city officer 'hrb' (哈尔滨), served by uvicorn in a thread."""
    db = session_factory(home)()
    seed(db)
    db.close()
    with session_scope() as session:
        accounts.create_user(
            session,
            SystemActor(),
            "hrb",
            "city_officer",
            PASSWORD,
            scope_region="230100",
            display_name="哈尔滨市商务局",
            must_change_password=False,
        )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(home), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_city_officer_filters_sorts_exports_and_opens_an_entity(console_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.goto(console_url + "/entities")
            page.fill("#username", "hrb")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(console_url + "/entities")
            assert page.locator("main h1").inner_text() == "主体库"
            codes = page.locator("tbody td.mono").all_inner_texts()
            assert codes == [HARBIN_FOOD, NANGANG_COOP] and QIQIHAR_MCN not in page.content()
            page.screenshot(path=str(tmp_path / "entities.png"), full_page=True)

            page.select_option("#f-kind", "cooperative")
            page.click("text=查询")
            assert page.locator("tbody td.mono").all_inner_texts() == [NANGANG_COOP]
            page.click("text=重置")

            page.click("thead >> text=名称")
            page.click("thead >> text=名称")  # the second click sorts descending
            assert page.locator("tbody td.mono").all_inner_texts() == [NANGANG_COOP, HARBIN_FOOD]

            with page.expect_download() as download:
                page.click("text=导出 XLSX")
            workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
            rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
            assert rows[0][0] == "统一社会信用代码" and [row[0] for row in rows[1:]] == [NANGANG_COOP, HARBIN_FOOD]

            page.click(f"text={HARBIN_FOOD}")
            page.wait_for_url(f"{console_url}/entities/{HARBIN_FOOD}")
            assert "138****5678" in page.content() and "13812345678" not in page.content()
            page.screenshot(path=str(tmp_path / "entity.png"), full_page=True)
        finally:
            browser.close()
