"""政策兑现 in a real browser: an analyst opens /policy, starts a run of 2025 with a declarations file, opens the award
list, filters it by a city, opens one entity's explanation (the clause's quoted sentence is there), exports the list
to Excel, and tries a lower cap — on the hand-checkable province of tests/policy/test_runs.py served by
`livecommerce serve`. No request may leave the console.

Screenshots go to /tmp/policy-*.png (look at them after a change of layout).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.test_login_browser import CHROMIUM, PASSWORD, livecommerce, logged_in_page, serving
from tests.policy.conftest import DECLARED
from tests.policy.test_cli_api import ACCEPTANCE, QUOTE_1A
from tests.policy.test_runs import ENTITIES, ORDERS, PARCELS, A

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]
SHOTS = Path("/tmp")


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def policy_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`livecommerce serve` on the province (entities, orders, parcels loaded through `livecommerce ingest`), with an
    analyst; yields the URL and a folder holding the declarations and acceptance files."""
    tmp = tmp_path_factory.mktemp("policy-browser")
    env = {**os.environ, "LIVECOMMERCE_HOME": str(tmp / "home"), "LIVECOMMERCE_COOKIE_SECURE": "false"}
    for name in ("LIVECOMMERCE_DATABASE_URL", "LIVECOMMERCE_CONFIG"):
        env.pop(name, None)
    for feed, rows in (("entities", ENTITIES), ("orders", ORDERS), ("parcels", PARCELS)):
        livecommerce("ingest", feed, str(_csv(tmp / f"{feed}.csv", rows)), env=env)
    livecommerce("users", "create-admin", "admin", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    livecommerce("users", "add", "analyst", "--role", "province_analyst", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    (tmp / "申报.json").write_text(json.dumps(DECLARED, ensure_ascii=False), encoding="utf-8")
    (tmp / "验收.json").write_text(json.dumps(ACCEPTANCE, ensure_ascii=False), encoding="utf-8")
    with serving(env, tmp / "serve.log") as url:
        yield url, tmp


@pytest.fixture
def browser_page(policy_console: tuple[str, Path]) -> Iterator[Any]:
    """A page of a fresh browser logged in as the analyst; requests to any other site are collected and must stay none."""
    with logged_in_page(policy_console[0], "analyst", "policy", accept_downloads=True) as page:
        yield page


def test_an_analyst_runs_filters_explains_and_exports(policy_console: tuple[str, Path], browser_page: Any, tmp_path: Path) -> None:
    url, files = policy_console
    page = browser_page
    page.click("nav.mainnav >> text=政策兑现")
    page.wait_for_url(url + "/policy")
    assert page.locator("main h1").inner_text() == "政策兑现"
    assert page.locator("#policy-scope").inner_text() == "全省"
    assert "尚无兑现批次" in page.locator("main").inner_text()

    page.select_option("#r-year", "2025")
    page.set_input_files("#r-declared", str(files / "申报.json"))
    page.fill("#r-note", "浏览器测试")
    page.screenshot(path=str(SHOTS / "policy-overview.png"), full_page=True)
    page.click("#run-submit")
    page.wait_for_url("**/policy/runs/*")
    assert page.locator("#stat-entitled").inner_text() == "1,124.00"  # 11,240,000.00 元
    rows = page.locator("#awards-table tbody tr")
    assert rows.count() == 4
    page.screenshot(path=str(SHOTS / "policy-run.png"), full_page=True)

    page.select_option("#f-city", "230100")
    page.click("#award-filters button[type=submit]")
    page.wait_for_url("**city=230100**")
    regions = page.locator("#awards-table tbody td:nth-child(5)").all_inner_texts()
    assert regions and all(region.startswith("哈尔滨市") for region in regions)
    assert page.locator("#run-scope").inner_text() == "哈尔滨市"
    assert "鹤城乙MCN有限公司" not in page.locator("#awards-table").inner_text()
    page.screenshot(path=str(SHOTS / "policy-run-harbin.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / "awards.xlsx"
    download.save_as(str(target))
    assert target.read_bytes()[:2] == b"PK"
    workbook = load_workbook(target)
    cells = [c for row in workbook["奖补名单"].iter_rows(values_only=True) for c in row if c is not None]
    assert "数据范围：哈尔滨市" in cells and "哈尔滨甲农业有限公司" in cells and "鹤城乙MCN有限公司" not in cells

    page.click(f'#awards-table a[href$="/entities/{A}"] >> nth=0')
    page.wait_for_url(f"**/entities/{A}")
    quotes = page.locator(".quote").all_inner_texts()
    assert any(QUOTE_1A in quote for quote in quotes)
    assert page.locator("mark.figure.declared").first.inner_text() == "19,200,000.00"
    assert page.locator("mark.figure.platform").first.inner_text() == "16,000,000.00"
    page.screenshot(path=str(SHOTS / "policy-entity.png"), full_page=True)


def test_clauses_what_if_and_acceptance_pages(policy_console: tuple[str, Path], browser_page: Any) -> None:
    url, files = policy_console
    page = browser_page
    page.goto(url + "/policy/clauses?year=2025")
    assert QUOTE_1A in page.locator("#LIVE20-1a").inner_text()
    page.screenshot(path=str(SHOTS / "policy-clauses.png"), full_page=False)

    page.goto(url + "/policy")
    if page.locator("#runs-table").count() == 0:  # this test run alone: start a run first
        page.set_input_files("#r-declared", str(files / "申报.json"))
        page.click("#run-submit")
        page.wait_for_url("**/policy/runs/*")
        page.goto(url + "/policy")
    page.locator("#runs-table a", has_text="参数测算").first.click()
    page.wait_for_url("**/what-if")
    page.select_option("#w-name-1", "LIVE20/1a.cap")
    page.fill("#w-value-1", "100000")
    page.fill("#w-budget", "562")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#total-after")
    assert page.locator("#total-after").inner_text() == "1,122.00"
    page.screenshot(path=str(SHOTS / "policy-what-if.png"), full_page=True)

    page.goto(url + "/policy/accept")
    page.set_input_files("#a-file", str(files / "验收.json"))
    page.click("#accept-form button[type=submit]")
    page.wait_for_selector("#accept-table")
    assert page.locator("#accepted-count").inner_text() == "3"
    assert page.locator("#sample-table tbody tr").count() == 1
    page.screenshot(path=str(SHOTS / "policy-accept.png"), full_page=True)
