"""合规检测 in a real browser: a streamer's clerk (an enterprise user) opens /compliance from the navigation, pastes a
script with several violations and two traps, submits, and sees exactly the violations marked (and the traps not),
the table of hits and the summary; then opens the rule packs. Served by `livecommerce serve`; no request may leave
the console.

Screenshots go to /tmp/compliance-*.png (look at them after a change of layout).
"""

from __future__ import annotations

import os
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
SCRIPT = (
    "家人们，这款五常大米是全網最低價，最*好吃的米，吃了能降血糖，加V信私聊下单！第一次来直播间的宝宝点关注，最佳食用时间是开封后一个月内。"
)
# what the engine finds (service.check): 最*好吃 is one claim (AD-ABS-ZUI's 最好吃); 第一次 (时空顺序) and 最佳食用时间
# (消费提示) are exceptions of the 绝对化用语 guide, so they stay unmarked
VIOLATIONS = ["全網最低價", "最*好吃", "降血糖", "加V信", "私聊下单"]
HOST_USCC = "91230184MA1BXKXE7G"


@pytest.fixture(scope="module")
def compliance_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`livecommerce serve` on a new home with the admin and an enterprise user 'host'; yields the URL."""
    tmp = tmp_path_factory.mktemp("compliance-browser")
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG", "LIVECOMMERCE_COMPLIANCE_PACKS_DIR"):
        env.pop(name, None)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    livecommerce(
        "users",
        "add",
        "host",
        "--role",
        "enterprise",
        "--entity",
        HOST_USCC,
        "--display-name",
        "冰城小米直播间",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    with serving(env, tmp / "serve.log") as url:
        yield url


@pytest.fixture
def browser_page(compliance_console: str) -> Iterator[Any]:
    """A page of a fresh browser logged in as the host; requests to any other site are collected and must stay none."""
    with logged_in_page(compliance_console, "host", "compliance") as page:
        yield page


def test_a_host_checks_a_script_and_sees_exactly_the_violations(compliance_console: str, browser_page: Any) -> None:
    from livecommerce.compliance import service

    assert [hit.text for hit in service.check(SCRIPT)] == VIOLATIONS  # the engine's answer, asserted below in the page
    url, page = compliance_console, browser_page
    page.click("nav.mainnav >> text=合规检测")
    page.wait_for_url(url + "/compliance")
    assert page.locator("main h1").inner_text() == "合规检测"
    assert page.locator("input[name=packs]:checked").count() == 4  # every pack by default (ad-law, claims, platform, red-line)
    page.fill("#c-text", SCRIPT)
    page.screenshot(path=str(SHOTS / "compliance-form.png"), full_page=True)
    page.evaluate("window.sameDocument = true")
    page.click("#check-submit")
    page.wait_for_selector("#marked-text mark")
    assert page.evaluate("window.sameDocument") is True  # HTMX swapped the result in; the page was not reloaded
    marks = page.locator("#marked-text mark")
    assert marks.all_inner_texts() == VIOLATIONS
    shown = page.locator("#marked-text").inner_text()
    assert shown == SCRIPT  # the text once, whole, in order (the hit numbers are drawn by CSS, not text)
    assert "第一次" not in "".join(marks.all_inner_texts()) and "最佳食用时间" not in "".join(marks.all_inner_texts())
    assert marks.nth(2).get_attribute("title") == "3. 医疗功效宣称（严重）：《中华人民共和国广告法》第十七条"
    assert "sev-high" in (marks.nth(2).get_attribute("class") or "")
    assert page.locator("#check-summary").inner_text() == "共 5 处：绝对化用语 2 处，医疗功效宣称 1 处，诱导私下交易 2 处"
    rows = page.locator("#hits-table tbody tr")
    assert rows.count() == 5
    assert rows.nth(0).locator("td").all_inner_texts()[:5] == ["1", "全網最低價", "第 12–16 字", "绝对化用语", "较重"]
    assert page.locator("#c-text").input_value() == SCRIPT  # the text stays in the box for the next edit
    page.screenshot(path=str(SHOTS / "compliance-result.png"), full_page=True)
    page.locator("#compliance-result").screenshot(path=str(SHOTS / "compliance-result-close.png"))

    page.fill("#c-text", "第一次来直播间的宝宝点关注，最佳食用时间是开封后一个月内。")
    page.click("#check-submit")
    page.wait_for_selector("#check-clean")
    assert page.locator("#check-clean").inner_text() == "未发现违规用语。"
    assert page.locator("#marked-text mark").count() == 0

    page.fill("#c-text", '<img src=x onerror="alert(1)">最好评返现')
    page.click("#check-submit")
    page.wait_for_selector("#hits-table")
    assert page.locator("#marked-text").inner_text() == '<img src=x onerror="alert(1)">最好评返现'
    assert page.locator("#marked-text img").count() == 0
    assert page.locator("#marked-text mark").all_inner_texts() == ["最", "好", "评返现"]  # 最好 and 好评返现 overlap
    page.locator("#compliance-result").screenshot(path=str(SHOTS / "compliance-overlap.png"))

    # the same function wording is lawful for a registered 保健食品 and a violation for an ordinary food
    page.fill("#c-text", "本品有助于抗氧化，保健食品不是药物，不能代替药物治疗疾病。")
    page.select_option("#c-product-type", "health_food")
    page.click("#check-submit")
    page.wait_for_selector("#check-clean")
    assert "商品类型：保健食品" in page.locator("#compliance-result").inner_text()
    page.select_option("#c-product-type", "food")
    page.click("#check-submit")
    page.wait_for_selector("#marked-text mark")
    assert page.locator("#marked-text mark").all_inner_texts() == ["抗氧化"]  # the function claim itself
    assert "商品类型：普通食品" in page.locator("#compliance-result").inner_text()
    page.locator("#compliance-result").screenshot(path=str(SHOTS / "compliance-product-type.png"))


def test_the_rule_packs_page(compliance_console: str, browser_page: Any) -> None:
    url, page = compliance_console, browser_page
    page.goto(url + "/compliance")
    page.click("nav.tabs >> text=规则包")
    page.wait_for_url(url + "/compliance/packs")
    assert page.locator("main h1").inner_text() == "合规检测规则包"
    row = page.locator("#rule-AD-ABS-ZUI")
    assert "《中华人民共和国广告法》第九条第（三）项" in row.inner_text()
    row.locator("td.exceptions summary").click()
    assert "本店最畅销" in row.locator("td.exceptions").inner_text()
    assert page.locator("#rules-platform tbody tr").count() == 5
    page.screenshot(path=str(SHOTS / "compliance-packs.png"), full_page=False)
    page.locator("#pack-red-line").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "compliance-packs-full.png"), full_page=True)
