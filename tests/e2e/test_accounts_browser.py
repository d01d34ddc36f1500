"""Accounts in a real browser (Playwright + Debian's chromium against `livecommerce serve`): the forced change of an
operator-set password, 修改密码 from the header, a token issued, listed and revoked on 系统管理, a user deactivated
while logged in elsewhere. Screenshots go to the test's tmp_path (and to LIVECOMMERCE_SHOTS when set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_login_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, livecommerce, serving

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

NEW_PASSWORD = "龙江-sunflower-2026"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[str]:
    """A console whose admin was made by `users create-admin` (must change its password), with the feed account
    'douyin' and 哈尔滨's officer 'hrb' (both free to log in)."""
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp_path / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG"):
        env.pop(name, None)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n", forced_change=True)
    livecommerce(
        "users", "add", "douyin", "--role", "platform", "--display-name", "抖音数据接口", "--password-stdin", env=env, stdin=PASSWORD + "\n"
    )
    livecommerce(
        "users",
        "add",
        "hrb",
        "--role",
        "city_officer",
        "--region",
        "230100",
        "--display-name",
        "哈尔滨市商务局",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    with serving(env, tmp_path / "serve.log") as url:
        yield url


def shot(page: Any, tmp_path: Path, name: str) -> None:
    """A full-page screenshot in tmp_path, copied to $LIVECOMMERCE_SHOTS when set (to look at the pages)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if target := os.environ.get("LIVECOMMERCE_SHOTS"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def log_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


@pytest.fixture
def browser(console: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any, url: str, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # 停用, 重置密码 and 吊销 ask to confirm
    page.on(
        "request", lambda request: errors.append(f"off-site {request.url}") if not request.url.startswith((url, "data:", "blob:")) else None
    )
    return page


def test_forced_change_then_the_console_opens(console: str, browser: Any, tmp_path: Path) -> None:
    errors: list[str] = []
    page = new_page(browser, console, errors)
    log_in(page, console, "admin", PASSWORD)
    page.wait_for_url(console + "/account/password")
    assert "须先修改密码才能继续使用系统" in page.locator(".alert-error").inner_text()
    shot(page, tmp_path, "accounts-forced-change")
    page.goto(console + "/stats")
    assert page.url == console + "/account/password"  # every page leads here until the password is changed
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", "admin-is-my-name-1")
    page.fill("#confirm-password", "admin-is-my-name-1")
    page.click("main form button[type=submit]")
    assert "密码不得包含用户名" in page.locator(".alert-error").last.inner_text()
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#confirm-password", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    assert "密码已修改" in page.locator(".alert-ok").inner_text()
    shot(page, tmp_path, "accounts-password-changed")
    page.goto(console + "/")
    assert page.locator("main h1").inner_text() == "总览"
    assert errors == []


def test_change_password_from_the_header(console: str, browser: Any, tmp_path: Path) -> None:
    errors: list[str] = []
    page = new_page(browser, console, errors)
    log_in(page, console, "hrb", PASSWORD)
    page.wait_for_url(console + "/")
    page.click("header >> text=修改密码")
    page.wait_for_url(console + "/account/password")
    assert page.locator("main h1").inner_text() == "修改密码" and page.locator(".alert-error").count() == 0
    shot(page, tmp_path, "accounts-change-password")
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#confirm-password", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    assert "密码已修改" in page.locator(".alert-ok").inner_text()
    page.click("form.logout button")
    log_in(page, console, "hrb", NEW_PASSWORD)
    page.wait_for_url(console + "/")
    assert errors == []


def admin_page(browser: Any, console: str, errors: list[str]) -> Any:
    """The admin, its forced change done, on 系统管理."""
    page = new_page(browser, console, errors)
    log_in(page, console, "admin", PASSWORD)
    page.wait_for_url(console + "/account/password")
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#confirm-password", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(console + "/admin")
    return page


def test_issue_list_and_revoke_a_token_on_the_admin_pages(console: str, browser: Any, tmp_path: Path) -> None:
    errors: list[str] = []
    page = admin_page(browser, console, errors)
    shot(page, tmp_path, "accounts-admin")
    page.click("table >> text=douyin")
    assert page.locator("main h1").inner_text() == "用户 douyin"
    page.fill("#token-name", "抖音数据推送")
    page.fill("#token-days", "30")
    page.click("#issue-token")
    token = page.locator(".token-issued code.secret").inner_text()
    assert token.startswith("lc_") and "该令牌只显示这一次" in page.locator(".token-issued").inner_text()
    shot(page, tmp_path, "accounts-token-issued")
    rows = page.locator("#tokens tbody tr")
    assert rows.count() == 1 and "抖音数据推送" in rows.first.inner_text() and "有效" in rows.first.inner_text()
    assert "从未使用" in rows.first.inner_text()
    page.request.get(console + "/api/ingest/batches", headers={"Authorization": f"Bearer {token}"})
    assert page.url.endswith("/admin/users/" + page.url.rsplit("/", 1)[-1]) and not page.url.endswith("/tokens")
    page.reload()  # the answer's history entry is the user page: a reload is a GET, not a second token
    assert page.locator("#tokens tbody tr").count() == 1
    assert page.locator(".token-issued").count() == 0  # the plaintext was shown once
    assert "从未使用" not in page.locator("#tokens tbody tr").first.inner_text()  # its last use is shown
    page.click("#tokens >> text=吊销")
    assert "已吊销令牌" in page.locator(".alert-ok").inner_text()
    assert "已吊销" in page.locator("#tokens tbody tr").first.inner_text()
    assert page.request.get(console + "/api/ingest/batches", headers={"Authorization": f"Bearer {token}"}).status == 401
    shot(page, tmp_path, "accounts-token-revoked")
    assert errors == []


def test_deactivate_ends_the_users_session_at_once(console: str, browser: Any, tmp_path: Path) -> None:
    errors: list[str] = []
    officer_context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    officer = officer_context.new_page()
    log_in(officer, console, "hrb", PASSWORD)
    officer.wait_for_url(console + "/")
    page = admin_page(browser, console, errors)
    page.click("table >> text=hrb")
    page.click("#deactivate")
    assert "已停用" in page.locator(".alert-ok").inner_text() and page.locator("#activate").count() == 1
    assert "停用" in page.locator(".card-head .tag").inner_text()
    shot(page, tmp_path, "accounts-deactivated")
    officer.goto(console + "/stats")
    assert "/login" in officer.url  # the officer's session ended with the deactivation
    page.click("#activate")
    assert "已启用" in page.locator(".alert-ok").inner_text()
    log_in(officer, console, "hrb", PASSWORD)
    officer.wait_for_url(console + "/")
    officer_context.close()
    assert errors == []
