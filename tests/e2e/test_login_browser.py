"""Log in through the console in a real browser: Playwright driving Debian's chromium against `livecommerce serve`.

Never runs `playwright install`: it uses the chromium on PATH and skips, saying so, only when there is none.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
NAV_LABELS = "总览 统计分析 直播监测 预警中心 政策兑现 合规检测 主体库 数据接入 报告 系统管理".split()

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def livecommerce(*args: str, env: dict[str, str], stdin: str = "", forced_change: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the `livecommerce` command of this virtualenv. A user created by `users create-admin|add` with a piped
    password is then marked as having chosen it (tests log in with PASSWORD) unless ``forced_change``."""
    command = [str(Path(sys.executable).with_name("livecommerce")), *args]
    result = subprocess.run(command, input=stdin, env=env, text=True, capture_output=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"livecommerce {' '.join(args)} exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    if args[:2] in (("users", "create-admin"), ("users", "add")) and "--password-stdin" in args and not forced_change:
        password_chosen(env, args[2])
    return result


def password_chosen(env: dict[str, str], username: str) -> None:
    """Clear a user's forced password change in the home of ``env`` (a test's stand-in for the first change)."""
    script = (
        "import sys; from sqlalchemy import update; from livecommerce.core.db import session_scope; "
        "from livecommerce.accounts.models import User\n"
        "with session_scope() as s: s.execute(update(User).where(User.username == sys.argv[1])"
        ".values(must_change_password=False))"
    )
    subprocess.run([sys.executable, "-c", script, username], env=env, check=True, timeout=60)


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"livecommerce serve exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"livecommerce serve did not answer within 60 s:\n{log.read_text(errors='replace')}")


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`livecommerce serve` on a free loopback port with this environment, stopped on exit; yields its URL."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("livecommerce")), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    """A console served by `livecommerce serve` on a free loopback port, on a new home with the admin 'admin'."""
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp_path / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG"):
        env.pop(name, None)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    with serving(env, tmp_path / "serve.log") as url:
        yield url


def test_login_through_the_form_reaches_the_home_page(console_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    off_site: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on("request", lambda request: off_site.append(request.url) if not request.url.startswith((console_url, "data:")) else None)
            page.goto(console_url + "/")
            assert "/login" in page.url
            page.screenshot(path=str(tmp_path / "login.png"))

            page.fill("#username", "admin")
            page.fill("#password", "not-the-password")
            page.click("button[type=submit]")
            assert page.locator(".alert-error").inner_text() == "用户名或密码错误；连续失败5次后需等待15分钟再试"

            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(console_url + "/")
            assert page.locator("main h1").inner_text() == "总览"
            assert page.locator("nav.mainnav a").all_inner_texts() == NAV_LABELS
            assert "全省" in page.locator(".scope").inner_text()
            page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

            page.click("nav.mainnav >> text=系统管理")
            assert page.locator("main h1").inner_text() == "系统管理"
            page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)

            page.click("form.logout button")
            page.wait_for_url(f"{console_url}/login")
        finally:
            browser.close()
    assert off_site == [], f"the console asked another site for {off_site}"


PACKAGE_VENDOR = Path(__file__).resolve().parents[2] / "src/livecommerce/web/static/vendor"
SWAGGER_BUNDLE = Path(os.environ.get("LIVECOMMERCE_ASSETS_DIR") or PACKAGE_VENDOR) / "swagger-ui/swagger-ui-bundle.js"


@pytest.mark.skipif(not SWAGGER_BUNDLE.exists(), reason="swagger-ui-dist is not in web/static/vendor (run make assets)")
def test_api_docs_render_offline(console_url: str) -> None:
    from playwright.sync_api import sync_playwright

    off_site: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: off_site.append(request.url) if not request.url.startswith((console_url, "data:")) else None)
            page.goto(console_url + "/docs")
            page.wait_for_selector(".swagger-ui .title", timeout=15_000)
            assert "龙江直播电商监测服务平台" in page.locator(".swagger-ui .title").inner_text()
            assert page.locator('[data-path="/api/auth/login"]').count() >= 1
        finally:
            browser.close()
    assert off_site == [], f"the API docs asked another site for {off_site}"


@contextmanager
def logged_in_page(url: str, username: str, what: str, **options: Any) -> Iterator[Any]:
    """A page of a fresh headless chromium logged in as ``username``; afterwards no request may have left the console
    (``what`` names the pages in the message) and no script may have failed."""
    from playwright.sync_api import sync_playwright

    off_site: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN", **options)
            page.on(
                "request", lambda request: off_site.append(request.url) if not request.url.startswith((url, "data:", "blob:")) else None
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url + "/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(url + "/")
            yield page
        finally:
            browser.close()
    assert off_site == [], f"the {what} pages asked another site for {off_site}"
    assert errors == [], f"script errors: {errors}"
