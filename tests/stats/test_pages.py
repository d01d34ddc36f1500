"""总览 and 统计分析 pages on a province small enough to add up by hand, seen by the province and by 哈尔滨's officer.

Orders (道里区 230102 is in 哈尔滨 230100, 龙沙区 230202 in 齐齐哈尔 230200):
  H1 douyin S1 230102 crops  local physical live   2025-01-05  12,000.00
  H2 douyin S1 230102 crops  local physical shelf  2025-01-10   8,000.00
  H3 kuaishou K1 230102 apparel nonlocal physical live 2025-01-20 5,000.00 − refund 1,000.00 = 4,000.00
  Q1 jd J1 230202 liquor local physical shelf      2025-01-15  31,234.00
  H0 douyin S1 230102 crops  local physical live   2024-01-08  16,000.00   (a year before)
  D1 douyin S1 230102 2024-12-20 9,000.00 and D2 jd J1 230202 2024-12-21 5,000.00   (the month before)

January 2025: 哈尔滨 24,000.00 元 = 2.40 万元, 齐齐哈尔 31,234.00 = 3.12 万元, 全省 55,234.00 = 5.52 万元.
January 2024: 哈尔滨 1.60 万元, 齐齐哈尔 none → 同比 哈尔滨 +50.00%, 齐齐哈尔 —, 全省 55,234 / 16,000 − 1 = +245.21%.
直播 (H1 + H3) 16,000.00 = 1.60 万元, last year 1.60 → 0.00%; 直播占比 16,000 / 55,234 = 28.97% (last year 100%).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from tests.stats.conftest import _valid_uscc
from tests.web.conftest import PASSWORD, add_user, submit_login

HARBIN_SELLER = _valid_uscc("91230102MA1HHHHH1")
QIQIHAR_SELLER = _valid_uscc("91230202MA1QQQQQ3")


def _order(order_id: str, **fields: str) -> dict[str, str]:
    row = dict(
        platform="douyin",
        order_id=order_id,
        shop_id="S1",
        seller_uscc=HARBIN_SELLER,
        seller_region="230102",
        product_id="P1",
        product_name="五常大米5kg",
        category="crops",
        local_product="true",
        physical="true",
        channel="live",
        paid_at="2025-01-05 10:00:00",
        paid_amount="12000.00",
        refund_amount="0",
    )
    return row | fields


QIQIHAR = dict(
    platform="jd",
    shop_id="J1",
    seller_uscc=QIQIHAR_SELLER,
    seller_region="230202",
    product_id="P9",
    product_name="北大仓白酒",
    category="liquor",
    channel="shelf",
)
ORDERS = [
    _order("H1"),
    _order("H2", channel="shelf", paid_at="2025-01-10 10:00:00", paid_amount="8000.00"),
    _order(
        "H3",
        platform="kuaishou",
        shop_id="K1",
        seller_uscc="",
        product_id="P3",
        product_name="羽绒服",
        category="apparel",
        local_product="false",
        paid_at="2025-01-20 10:00:00",
        paid_amount="5000.00",
        refund_amount="1000.00",
    ),
    _order("Q1", **QIQIHAR, paid_at="2025-01-15 10:00:00", paid_amount="31234.00"),
    _order("H0", paid_at="2024-01-08 10:00:00", paid_amount="16000.00"),
    _order("D1", paid_at="2024-12-20 10:00:00", paid_amount="9000.00"),
    _order("D2", **QIQIHAR, paid_at="2024-12-21 10:00:00", paid_amount="5000.00"),
]
ENTITIES = [
    dict(uscc=HARBIN_SELLER, name="冰城黑土农业有限公司", kind="enterprise", region="230102"),
    dict(uscc=QIQIHAR_SELLER, name="鹤城酒业有限公司", kind="enterprise", region="230202"),
]
# What 哈尔滨's officer must never see: 齐齐哈尔's names, its seller, product, and the province's totals.
OUTSIDE_HARBIN = ("齐齐哈尔", "龙沙区", "鹤城酒业", "北大仓", "3.12", "5.52", "245.21")


@pytest.fixture(scope="module")
def pages_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    from livecommerce.accounts import service
    from livecommerce.core import db
    from livecommerce.core.settings import get_settings
    from livecommerce.ingest.service import ingest_records
    from tests.conftest import _use_home

    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _use_home(tmp_path_factory.mktemp("pages") / "home", None, monkeypatch)
        for feed, rows in (("entities", ENTITIES), ("orders", ORDERS)):
            assert ingest_records(feed, rows, SystemActor(), source_name=feed).rejected == 0
        service.create_first_admin("admin", PASSWORD, must_change_password=False)
        add_user("hrb", "city_officer", scope_region="230100")
        add_user("audit", "auditor")
        yield settings
        db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def as_user(pages_home: Settings) -> Iterator[Any]:
    from livecommerce.web.app import create_app

    clients: list[TestClient] = []

    def log_in(username: str) -> TestClient:
        client = TestClient(create_app(pages_home))
        clients.append(client)
        assert submit_login(client, username, PASSWORD).status_code == 303
        return client

    yield log_in
    for client in clients:
        client.close()


class _Tables(HTMLParser):
    """The text of every cell of the tables of a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.current and self.cell is not None:
            self.tables[self.current][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def kpi(html: str, key: str) -> str:
    """The text of one KPI card, whitespace collapsed."""
    match = re.search(rf'<div class="kpi" data-kpi="{key}">(.*?)</div>\s*(?=<div class="kpi"|</section>)', html, re.S)
    assert match, key
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def chart_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def workbook_rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# ---------------------------------------------------------------------------------------------------------- 总览


def test_dashboard_kpis_in_wan_with_yoy(as_user: Any) -> None:
    page = as_user("admin").get("/?period=2025-01").text
    assert "2025年1月" in page and '数据范围：<strong id="dash-scope">全省</strong>' in page
    assert kpi(page, "online_retail") == "网络零售额 5.52 万元 同比 ↑245.21%"
    assert kpi(page, "live_online_retail") == "直播网络零售额 1.60 万元 同比 0.00% 直播占比 28.97% 同比 ↓71.03个百分点"
    assert kpi(page, "orders") == "订单数 4 单 同比 ↑300.00%"  # 4 orders against 1
    assert kpi(page, "active_sellers") == "活跃经营主体数 3 个 同比 ↑200.00%"  # 2 entities and the shop K1, against 1
    assert kpi(page, "sellers_over_100m") == "亿元级主体数 2025年1月至1月累计 0 个 同比 —"  # last year had none


def test_dashboard_regions_table_and_map(as_user: Any) -> None:
    page = as_user("admin").get("/?period=2025-01").text
    assert tables(page)["region-table"] == [
        ["市(地)", "网络零售额（万元）", "上年同期（万元）", "同比（%）"],
        ["哈尔滨市", "2.40", "1.60", "50.00%"],
        ["齐齐哈尔市", "3.12", "0.00", "—"],
    ]
    shown = chart_data(page)["map"]
    assert shown["level"] == "city" and len(shown["data"]) == 13  # every prefecture, coloured or not
    values = {d["name"]: (d["value"], d["display"], d["yoy"]) for d in shown["data"]}
    assert values["哈尔滨市"] == ("2.40", "2.40", "↑50.00%") and values["齐齐哈尔市"] == ("3.12", "3.12", "—")
    assert values["大庆市"] == (None, "—", "—")
    assert 'href="/?period=2025-01&amp;indicator=online_retail&amp;region=230100"' in page  # drill down by link too


def test_dashboard_drills_down_to_a_citys_counties(as_user: Any) -> None:
    page = as_user("admin").get("/?period=2025-01&region=230100").text
    assert tables(page)["region-table"][1:] == [["道里区", "2.40", "1.60", "50.00%"]]
    shown = chart_data(page)["map"]
    assert (shown["level"], shown["city"]) == ("county", "230100")
    assert {"道里区", "南岗区", "五常市"} <= {d["name"] for d in shown["data"]}
    assert "返回全省" in page and kpi(page, "online_retail") == "网络零售额 2.40 万元 同比 ↑50.00%"


def test_dashboard_trend_breakdowns_and_top_lists(as_user: Any) -> None:
    page = as_user("admin").get("/?period=2025-01").text
    trend = chart_data(page)["trend"]
    assert trend["months"] == ["1月"] and trend["this_year"]["values"] == ["5.52"]
    assert trend["last_year"]["values"] == ["1.60"]
    found = tables(page)
    assert found["breakdown-table-channel"] == [
        ["渠道", "网络零售额（万元）", "同比（%）", "占上级比重（%）"],  # 上年同期 is in the export only
        ["直播", "1.60", "0.00%", "28.97%"],
        ["货架", "3.92", "—", "71.03%"],
    ]
    entities = next(rows for rows in found.values() if rows and rows[0][:2] == ["排名", "经营主体"])
    # December 2024: 冰城 9,000 (1st), 鹤城 5,000 (2nd); January: 鹤城 31,234, 冰城 20,000, shop K1 4,000 (new)
    assert [row[:2] + row[3:4] for row in entities[1:]] == [
        ["1", "鹤城酒业有限公司", "↑1"],
        ["2", "冰城黑土农业有限公司", "↓1"],
        ["3", "kuaishou:K1", "新"],
    ]


def test_dashboard_export_links_hold_the_same_figures_with_chinese_headers(as_user: Any) -> None:
    client = as_user("admin")
    page = client.get("/?period=2025-01").text
    links = re.findall(r'href="(/api/stats/(?:query|rank)\.xlsx\?[^"]+)"', page)
    assert len(links) == 1 + 1 + 3 + 5  # regions, trend, three breakdowns, five top lists
    response = client.get(links[0].replace("&amp;", "&"))
    assert response.status_code == 200 and "spreadsheet" in response.headers["content-type"]
    rows = workbook_rows(response.content)
    assert rows[3] == ("市(地)", "网络零售额（万元）", "上年同期（万元）", "同比（%）")
    assert [(r[0], float(r[1]), float(r[2])) for r in rows[4:]] == [("哈尔滨市", 2.40, 1.60), ("齐齐哈尔市", 3.12, 0.0)]


def test_a_city_officer_sees_her_city_only(as_user: Any) -> None:
    client = as_user("hrb")
    page = client.get("/?period=2025-01").text
    assert '<strong id="dash-scope">哈尔滨市</strong>' in page
    assert kpi(page, "online_retail") == "网络零售额 2.40 万元 同比 ↑50.00%"
    assert chart_data(page)["map"]["city"] == "230100"  # her city's counties, not the province
    leaked = [word for word in OUTSIDE_HARBIN if word in page]
    assert leaked == []
    assert "heilongjiang.js" not in page and 'value="230000"' not in page  # no province map, no 全省 to choose
    for link in re.findall(r'href="(/api/stats/(?:query|rank)\.xlsx\?[^"]+)"', page):
        cells = " ".join(str(c) for row in workbook_rows(client.get(link.replace("&amp;", "&")).content) for c in row)
        assert [word for word in OUTSIDE_HARBIN[:4] if word in cells] == [], link


def test_a_city_officer_asking_for_another_city_gets_her_own(as_user: Any) -> None:
    page = as_user("hrb").get("/?period=2025-01&region=230200").text
    assert "不在当前账户的数据范围内" in page and 'class="alert alert-error"' in page
    assert [word for word in OUTSIDE_HARBIN if word in page] == []
    assert tables(page)["region-table"][1:] == [["道里区", "2.40", "1.60", "50.00%"]]


def test_a_city_officer_cannot_fetch_another_citys_county_map(as_user: Any) -> None:
    client = as_user("hrb")
    assert client.get("/stats/maps/230200.json").status_code == 403
    own = client.get("/stats/maps/230100.json")
    assert own.status_code == 200 and "道里区" in {f["properties"]["name"] for f in own.json()["features"]}


def test_screen_mode_shows_the_same_figures_dark(as_user: Any) -> None:
    page = as_user("admin").get("/screen?period=2025-01").text
    assert '<body class="screen">' in page and "龙江直播电商监测大屏" in page
    assert "5.52" in page and "↑245.21%" in page and 'id="map"' in page


def test_dashboard_without_stats_grant_says_so(as_user: Any) -> None:
    page = as_user("audit").get("/")
    assert page.status_code == 200 and "无统计查看权限" in page.text and "/ingest/overview" in page.text


def test_a_wrong_period_is_shown_above_the_dashboard(as_user: Any) -> None:
    page = as_user("admin").get("/?period=2025-13")
    assert page.status_code == 200 and "统计期有误" in page.text and 'class="kpi-grid"' in page.text


def test_dashboard_queries_are_monthly_and_answered_by_rollups(pages_home: Settings) -> None:
    from livecommerce.stats.dashboard import dashboard_queries, parse_period, run_all
    from livecommerce.stats.query import Result

    queries = dashboard_queries(parse_period(period="2025-Q1"), None)
    assert len(queries.all()) == 18
    assert all(q.range.whole_months for q in queries.all())
    answers = run_all(queries, SystemActor(), pages_home)
    plans = {type(a).__name__ + ":" + a.query.indicator: a.plan for a in answers.values()}
    assert all(plan.startswith("rollup_") for plan in plans.values()), plans
    assert isinstance(answers[id(queries.map)], Result)


# ---------------------------------------------------------------------------------------------------------- 统计分析


def test_stats_page_answers_a_query_with_table_chart_and_export(as_user: Any) -> None:
    client = as_user("admin")
    page = client.get("/stats?indicator=online_retail&by=city&period=2025-01&compare=yoy").text
    assert tables(page)["result-table"][1:] == [["哈尔滨市", "2.40", "1.60", "50.00%"], ["齐齐哈尔市", "3.12", "0.00", "—"]]
    assert 'id="stats-data"' in page
    link = re.search(r'href="(/api/stats/query\.xlsx\?[^"]+)"', page)
    assert link is not None
    rows = workbook_rows(client.get(link.group(1).replace("&amp;", "&")).content)
    assert rows[3][1] == "网络零售额（万元）" and rows[4][0] == "哈尔滨市"


def test_stats_table_sorts_by_a_column(as_user: Any) -> None:
    page = as_user("admin").get("/stats?indicator=online_retail&by=city&period=2025-01&sort=-1").text
    assert [row[0] for row in tables(page)["result-table"][1:]] == ["齐齐哈尔市", "哈尔滨市"]


def test_stats_page_cuts_by_two_dimensions_and_filters(as_user: Any) -> None:
    url = "/stats?indicator=online_retail&by=county&by=channel&period=2025-01&platform=douyin"
    assert tables(as_user("admin").get(url).text)["result-table"][1:] == [["道里区", "直播", "1.20"], ["道里区", "货架", "0.80"]]


def test_stats_page_shows_a_wrong_date_above_the_form(as_user: Any) -> None:
    page = as_user("admin").get("/stats?indicator=online_retail&from=2025-13-01&to=2025-01-31")
    assert page.status_code == 200
    assert "查询条件有误" in page.text and "2025-13-01" in page.text and 'id="stats-form"' in page.text


def test_stats_page_for_a_city_officer_holds_her_city_only(as_user: Any) -> None:
    client = as_user("hrb")
    page = client.get("/stats?indicator=online_retail&by=city&period=2025-01").text
    assert tables(page)["result-table"][1:] == [["哈尔滨市", "2.40"]]
    assert [word for word in OUTSIDE_HARBIN if word in page] == []
    refused = client.get("/stats?indicator=online_retail&by=county&period=2025-01&region=230200").text
    assert "无权查询" in refused and "result-table" not in refused


def test_rank_page_lists_the_top_with_the_change_of_rank(as_user: Any) -> None:
    page = as_user("admin").get("/stats/rank?indicator=online_retail&of=entity&period=2025-01&compare=mom").text
    rows = tables(page)["result-table"]
    assert rows[0] == ["排名", "经营主体", "网络零售额（万元）", "上期排名", "名次变化", "环比（%）"]
    assert rows[1] == ["1", "鹤城酒业有限公司", "3.12", "2", "↑1", "524.68%"]  # 31,234 / 5,000 − 1
    assert 'href="/api/stats/rank.xlsx?indicator=online_retail&amp;of=entity' in page
