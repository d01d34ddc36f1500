"""总览 in a real browser: the map of the 13 prefectures, a click on 哈尔滨市 that opens its counties, a city officer's
dashboard, the 大屏 mode and 统计分析 — on a tiny demo province served by `livecommerce serve`.

Screenshots go to /tmp/dashboard*.png (look at them after a change of layout).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_login_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, livecommerce, serving

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

PACKAGE_VENDOR = Path(__file__).resolve().parents[2] / "src/livecommerce/web/static/vendor"
VENDOR = Path(os.environ.get("LIVECOMMERCE_ASSETS_DIR") or PACKAGE_VENDOR)
PREFECTURES = [
    "哈尔滨市",
    "齐齐哈尔市",
    "鸡西市",
    "鹤岗市",
    "双鸭山市",
    "大庆市",
    "伊春市",
    "佳木斯市",
    "七台河市",
    "牡丹江市",
    "黑河市",
    "绥化市",
    "大兴安岭地区",
]
SHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def demo_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`livecommerce serve` on a tiny demo province (built once for the module), with the admin and 哈尔滨's officer."""
    if not (VENDOR / "echarts.min.js").exists() or not (VENDOR / "maps" / "heilongjiang.js").exists():
        pytest.skip("ECharts and the map boundaries are not in web/static/vendor (run make assets)")
    tmp = tmp_path_factory.mktemp("dashboard")
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG"):
        env.pop(name, None)
    livecommerce("demo", "--scale", "tiny", env=env)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    livecommerce("users", "add", "hrb", "--role", "city_officer", "--region", "230100", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    with serving(env, tmp / "serve.log") as url:
        yield url


@pytest.fixture
def browser_page(demo_console: str) -> Iterator[Any]:
    """A logged-out page of a fresh browser; requests to any other site are collected and must stay none."""
    from playwright.sync_api import sync_playwright

    off_site: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on(
                "request",
                lambda request: off_site.append(request.url) if not request.url.startswith((demo_console, "data:", "blob:")) else None,
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
        finally:
            browser.close()
    assert off_site == [], f"the dashboard asked another site for {off_site}"
    assert errors == [], f"script errors: {errors}"


def log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


MAP_STATE = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('map'));
  const option = chart.getOption();
  const series = option.series[0];
  const geo = echarts.getMap(series.map);
  return {map: series.map, names: series.data.map(d => d.name),
          coloured: series.data.filter(d => d.value !== null && d.value !== undefined && !Number.isNaN(d.value)).length,
          features: (geo.geoJSON || geo.geoJson).features.map(f => f.properties.name)};
}"""

# Where a prefecture's seat is drawn, in pixels of the page: the click a person makes on it.
SEAT_PIXEL = """([lng, lat]) => {
  const element = document.getElementById('map');
  const chart = echarts.getInstanceByDom(element);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [lng, lat]);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_the_map_shows_13_prefectures_and_a_click_opens_harbins_counties(demo_console: str, browser_page: Any) -> None:
    from livecommerce.stats.dashboard import last_complete_month
    from livecommerce.stats.params import today

    page = browser_page
    log_in(page, demo_console, "admin")
    assert page.locator("#dash-period").inner_text() == last_complete_month(today()).label  # by default
    page.goto(demo_console + "/?period=2026-10")  # the demo province sells until 2026-11-22
    page.wait_for_selector('#map[data-ready="黑龙江"]', timeout=15_000)
    state = page.evaluate(MAP_STATE)
    assert sorted(state["names"]) == sorted(PREFECTURES)
    assert sorted(state["features"]) == sorted(PREFECTURES)
    assert state["coloured"] == 13  # the demo sells in every prefecture
    assert page.locator("#dash-scope").inner_text() == "全省"
    assert page.locator("#dash-period").inner_text() == "2026年10月"
    assert page.locator("#trend canvas").count() == 1 and page.locator("#breakdown-platform canvas").count() == 1
    page.wait_for_timeout(1500)  # ECharts' opening animation
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.locator("#map").scroll_into_view_if_needed()
    x, y = page.evaluate(SEAT_PIXEL, [126.642464, 45.756967])  # 哈尔滨's seat
    page.mouse.click(x, y)
    page.wait_for_url("**region=230100**", timeout=15_000)
    page.wait_for_selector('#map[data-ready="county-230100"]', timeout=15_000)
    counties = page.evaluate(MAP_STATE)
    assert {"道里区", "南岗区", "道外区", "五常市", "尚志市"} <= set(counties["names"])
    assert set(counties["names"]) <= set(counties["features"])  # each county of ours has its boundary
    assert "齐齐哈尔市" not in counties["features"]
    table = page.locator("#region-table tbody td.name").all_inner_texts()
    assert "道里区" in table and "南岗区" in table and "哈尔滨市" not in table
    assert page.locator("#dash-scope").inner_text() == "哈尔滨市"
    page.screenshot(path=str(SHOTS / "dashboard_harbin.png"), full_page=True)

    page.click("#map-up")
    page.wait_for_selector('#map[data-ready="黑龙江"]', timeout=15_000)


def test_a_city_officer_sees_her_citys_counties_only(demo_console: str, browser_page: Any) -> None:
    page = browser_page
    log_in(page, demo_console, "hrb")
    page.goto(demo_console + "/?period=2026-10")
    page.wait_for_selector('#map[data-ready="county-230100"]', timeout=15_000)
    state = page.evaluate(MAP_STATE)
    assert "道里区" in state["names"] and not set(state["names"]) & set(PREFECTURES)
    text = page.locator("main").inner_text()
    assert not [name for name in PREFECTURES if name != "哈尔滨市" and name in text]
    assert page.locator("#map-up").count() == 0  # nothing above her city to go back to
    page.screenshot(path=str(SHOTS / "dashboard_city_officer.png"), full_page=True)


def test_screen_mode_fills_a_duty_room_screen(demo_console: str, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, demo_console, "admin")
    page.goto(demo_console + "/screen?period=2026-10")
    page.wait_for_selector('#map[data-ready="黑龙江"]', timeout=15_000)
    assert page.evaluate("document.body.classList.contains('screen')")
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")  # no scrolling
    assert page.evaluate("getComputedStyle(document.body).backgroundImage").startswith("radial-gradient")
    page.wait_for_timeout(1500)  # ECharts' opening animation
    page.screenshot(path=str(SHOTS / "dashboard_screen.png"))


def test_stats_page_draws_the_result(demo_console: str, browser_page: Any) -> None:
    page = browser_page
    log_in(page, demo_console, "admin")
    page.goto(demo_console + "/stats?indicator=online_retail&by=month&period=2026&compare=yoy")
    page.wait_for_selector('#stats-chart[data-ready="1"]', timeout=15_000)
    page.wait_for_timeout(1500)  # ECharts' opening animation
    # a month still to come is not shown: January up to this month (all twelve once 2026 is over)
    from datetime import date

    from livecommerce.stats.params import today

    last = min(today(), date(2026, 12, 31))
    assert page.locator("#result-table tbody tr").count() == (last.month if last.year == 2026 else 0)
    assert page.locator("#export-link").get_attribute("href").startswith("/api/stats/query.xlsx?")
    page.screenshot(path=str(SHOTS / "dashboard_stats.png"), full_page=True)
