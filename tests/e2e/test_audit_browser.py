"""The auditor's page in a real browser: from 系统管理 to 审计日志, a filter, page 2, a line's details and the XLSX
export (Playwright driving Debian's chromium against `livecommerce serve`; screenshots in the test's tmp_path)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from livecommerce.accounts import audit, service
from livecommerce.core import db
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import get_settings
from tests.e2e.test_login_browser import CHROMIUM, PASSWORD, logged_in_page, serving

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def audit_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A console whose log holds 120 role changes by 'admin' and a few other lines; the auditor 'aud' logs in."""
    home = tmp_path / "home"
    env = {**os.environ, "LIVECOMMERCE_HOME": str(home), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG"):
        env.pop(name, None)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(home))
    get_settings.cache_clear()
    db.dispose_engines()
    db.ensure_home()
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    with session_scope() as session:
        service.create_user(session, SystemActor(), "aud", "auditor", PASSWORD, display_name="审计员", must_change_password=False)
        for n in range(120):
            audit.record(session, "admin", "users.update", "user", str(n % 7 + 1), {"role": "city_officer"}, {"role": f"auditor-{n:03d}"})
        audit.record(session, "hrb", "entity.update", "entity", "91230184MA1BXKXE7G", {"name": "旧名"}, {"name": "新名"})
    db.dispose_engines()
    with serving(env, tmp_path / "serve.log") as url:
        yield url
    get_settings.cache_clear()


def test_the_auditor_filters_pages_and_exports(audit_console: str, tmp_path: Path) -> None:
    with logged_in_page(audit_console, "aud", "audit", accept_downloads=True) as page:
        page.goto(audit_console + "/admin")
        page.click("a[href='/admin/audit']")
        page.wait_for_url(audit_console + "/admin/audit")
        assert page.locator("main h1").inner_text() == "审计日志"
        page.screenshot(path=str(tmp_path / "audit-all.png"), full_page=True)

        page.fill("#f-actor", "admin")
        page.select_option("#f-action", "users.update")
        page.click("form[aria-label='筛选'] button[type=submit]")
        page.wait_for_url("**/admin/audit?actor=admin&action=users.update**")
        assert page.locator("#audit-total").inner_text() == "共 120 条"
        assert page.locator(".audit-table tbody tr").count() == 50
        assert page.locator(".audit-table tbody tr").first.locator("td").nth(3).inner_text() == "修改用户"
        page.screenshot(path=str(tmp_path / "audit-filtered.png"), full_page=True)

        page.click(".audit-pager a:text-is('2')")
        page.wait_for_url("**page=2**")
        assert "第 2 / 3 页" in page.locator(".audit-pager").inner_text()
        first = page.locator(".audit-table tbody tr").first
        assert "role: city_officer → auditor-069" in first.inner_text()
        first.locator("details summary").click()
        assert "auditor-069" in first.locator("details pre").last.inner_text()
        page.screenshot(path=str(tmp_path / "audit-page2.png"), full_page=True)

        with page.expect_download() as download_info:
            page.click("#audit-export")
        saved = tmp_path / "audit.xlsx"
        download_info.value.save_as(saved)

        page.goto(audit_console + "/admin/audit?action=download")
        assert page.locator("#audit-total").inner_text() == "共 1 条"
        assert "审计日志_" in page.locator(".audit-table tbody tr").first.inner_text()
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "审计日志" and "操作人 admin；操作 修改用户" in str(rows[1][0])
    assert len(rows) == 4 + 120 and rows[4][2] == "admin" and rows[4][3] == "修改用户"
