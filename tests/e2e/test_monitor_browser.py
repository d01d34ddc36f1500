"""直播监测 in a real browser against `livecommerce serve`: the administrator opens the wall and one session's page,
events are posted to /api/monitor/events (with the admin's session and CSRF token, as a platform would with its token),
the session's curve moves by server-sent events without a reload, and when a session has been silent for 60 s (the hub
moves every session's clock with the wall clock) a 直播中断 alert appears on the wall. No request may leave the console.

Screenshots go to /tmp/monitor-*.png (look at them after a change of layout).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_login_browser import CHROMIUM, PASSWORD, livecommerce, logged_in_page, serving

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]
SHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def monitor_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("monitor-browser")
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG", "LIVECOMMERCE_MONITOR_DEMO_FEED"):
        env.pop(name, None)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    with serving(env, tmp / "serve.log") as url:
        yield url


def line(session_id: str, ts: float, kind: str, **fields: Any) -> str:
    return json.dumps({"platform": "douyin", "session_id": session_id, "ts": int(ts * 1000), "kind": kind, **fields}, ensure_ascii=False)


def post(page: Any, url: str, lines: list[str]) -> dict[str, Any]:
    """POST JSON lines to /api/monitor/events with the page's session cookie and its CSRF token."""
    token = page.locator("form.logout input[name=csrf_token]").get_attribute("value")
    response = page.request.post(
        url + "/api/monitor/events", data="\n".join(lines), headers={"Content-Type": "application/x-ndjson", "X-CSRF-Token": token}
    )
    assert response.status == 202, response.text()
    answer: dict[str, Any] = response.json()
    assert answer["rejected"] == 0, answer
    return answer


def last_online(page: Any) -> str:
    return str(page.locator("#session-chart").get_attribute("data-last-online"))


def test_the_curve_moves_and_a_stall_appears_on_the_wall(monitor_console: str) -> None:
    url = monitor_console
    with logged_in_page(url, "admin", "monitor") as page:
        page.click("nav.mainnav >> text=直播监测")
        page.wait_for_url(url + "/monitor")
        assert page.locator("main h1").inner_text() == "直播监测"
        assert "当前没有直播中的场次" in page.locator("#wall-sessions").inner_text()

        start = time.time()
        post(
            page,
            url,
            [
                line("E2E-1", start, "status", state="start", shop_id="DY-HRB-旗舰店", streamer_id="冰城小米", region="230184"),
                line("E2E-1", start + 0.5, "product", product_id="P1", title="五常大米 5kg", price=59.9, action="on"),
                line("E2E-1", start + 1, "viewers", online=800, total=900),
                line("E2E-1", start + 1.5, "order", order_id="O1", amount=59.9, product_id="P1"),
                line("E2E-1", start + 2, "chat", user="张三丰", text="这是全网最好的大米"),
                line("E2E-1", start + 2.5, "chat", user="李四", text="别是假货吧，要退款"),
            ],
        )
        # the wall picks the session up by itself (server-sent events), no reload
        page.wait_for_selector('#wall-sessions a[data-session="douyin/E2E-1"]', timeout=15_000)
        assert "DY-HRB-旗舰店" in page.locator("#wall-sessions").inner_text()
        page.screenshot(path=str(SHOTS / "monitor-wall.png"), full_page=True)

        page.click('#wall-sessions a[data-session="douyin/E2E-1"]')
        page.wait_for_url(url + "/monitor/sessions/douyin/E2E-1")
        page.wait_for_function("() => document.getElementById('stream-state').dataset.state === 'open'", timeout=15_000)
        assert last_online(page) == "800"
        page.wait_for_selector("#chat-list mark", timeout=15_000)  # the compliance hit, marked with its rule
        assert page.locator("#chat-list mark").first.inner_text() == "全网最好"
        assert page.locator("#chat-list mark").first.get_attribute("title")

        post(page, url, [line("E2E-1", start + 3, "viewers", online=1500, total=2100)])
        page.wait_for_function("() => document.getElementById('session-chart').dataset.lastOnline === '1500'", timeout=15_000)
        assert page.locator("#fig-online").inner_text() == "1,500"
        option_last = page.evaluate("(() => { const d = window.monitorChart.getOption().series[0].data; return d[d.length - 1][1]; })()")
        assert option_last == 1500
        page.screenshot(path=str(SHOTS / "monitor-session.png"), full_page=True)

        # E2E-2's platform delivers its first events late: they were sent 58 s ago and nothing came since. Each session
        # has its own clock, which the hub moves with the wall clock every second, so E2E-2 stalls 60 s after its last
        # event (in about 2 s), whatever E2E-1 sends
        page.goto(url + "/monitor")
        page.wait_for_function("() => document.getElementById('stream-state').dataset.state === 'open'", timeout=15_000)
        later = time.time() - 58.5
        post(
            page,
            url,
            [
                line("E2E-2", later, "status", state="start", shop_id="DY-QQ-小店", streamer_id="鹤城大叔", region="230202"),
                line("E2E-2", later + 0.5, "viewers", online=300, total=320),
            ],
        )
        page.wait_for_function("() => document.getElementById('wall-alert-list').innerText.includes('直播中断')", timeout=20_000)
        alerts = page.locator("#wall-alert-list").inner_text()
        assert "DY-QQ-小店" in alerts and "待确认" in alerts
        assert page.locator('#wall-sessions a[data-session="douyin/E2E-2"].has-alert').count() == 1
        assert int(page.locator("#kpi-firing").inner_text()) >= 1
        page.screenshot(path=str(SHOTS / "monitor-wall-alert.png"), full_page=True)

        page.click("[data-dark-toggle]")
        assert "mon-dark" in (page.locator("body").get_attribute("class") or "")
        page.screenshot(path=str(SHOTS / "monitor-wall-dark.png"), full_page=True)
        page.click("[data-dark-toggle]")

        # the alert centre: acknowledge the stall with an assignee
        page.click("#wall-alert-list a.mon-alert-title")
        page.wait_for_selector("#ack-form")
        page.fill("#k-assignee", "王科长")
        page.fill("#k-note", "已电话联系主播")
        page.click("#ack-form button[type=submit]")
        page.wait_for_selector("#alert-acks >> text=王科长")
        assert "王科长" in page.locator("#alert-assignee").inner_text()
        page.screenshot(path=str(SHOTS / "monitor-alert.png"), full_page=True)
        page.goto(url + "/alerts")
        page.screenshot(path=str(SHOTS / "monitor-alerts.png"), full_page=True)

        page.goto(url + "/monitor/sessions/douyin/E2E-1/review")
        assert page.locator("main h1").inner_text() == "直播复盘"
        assert "1 / 2" in page.locator("#rv-rank").inner_text()  # E2E-1 and E2E-2: douyin, the same day, by GMV
        page.wait_for_selector("#review-chart canvas, #review-chart .mon-empty")  # no minute completed yet
        page.screenshot(path=str(SHOTS / "monitor-review.png"), full_page=True)
