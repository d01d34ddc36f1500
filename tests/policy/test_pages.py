"""政策兑现 pages on the province of tests/policy/conftest.py, seen by the analyst, 哈尔滨's officer and an enterprise:
the overview and a new run, the clause table, the award list (filters, sort, 万元, totals, export), one entity's
explanation with its quote and review figures, the what-if view and the acceptance upload."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.policy.conftest import DECLARED, E01, A, B, G
from tests.policy.test_cli_api import ACCEPTANCE, QUOTE_1A
from tests.web.conftest import hidden

Login = Callable[[str], TestClient]


def _text(html: str) -> str:
    """The visible text of a page, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_shows_documents_runs_and_the_forms(as_user: Login, policy_home: Any) -> None:
    page = as_user("analyst").get("/policy")
    assert page.status_code == 200
    text = _text(page.text)
    for words in (
        "政策兑现",
        "数据范围： 全省",
        "《黑龙江省加快电商直播产业高质量发展二十条措施(试行)》",
        "兑现批次",
        "发起兑现计算",
        "核对申报文件",
        "1,124.00",
    ):
        assert words in text, words
    assert f'href="/policy/runs/{policy_home[1]}"' in page.text
    officer = as_user("hrb").get("/policy")
    assert officer.status_code == 200 and "发起兑现计算" not in officer.text and "1,124.00" not in officer.text
    assert "数据范围： 哈尔滨市" in _text(officer.text)


def test_the_analyst_starts_a_run_through_the_form(as_user: Login) -> None:
    client = as_user("analyst")
    token = hidden(client.get("/policy").text, "csrf_token")
    files = {"declared": ("申报.json", json.dumps(DECLARED, ensure_ascii=False).encode(), "application/json")}
    response = client.post(
        "/policy/runs",
        data={"csrf_token": token, "year": "2025", "budget": "562", "method": "rank", "note": "页面发起"},
        files=files,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "预算 562.00 万元" in _text(page.text) and "按排序分配" in page.text
    bad = client.post("/policy/runs", data={"csrf_token": token, "year": "2025", "budget": "abc"}, follow_redirects=False)
    assert bad.status_code == 422 and "以万元计的数字" in bad.text
    refused = as_user("hrb").post("/policy/runs", data={"csrf_token": token, "year": "2025"}, follow_redirects=False)
    assert refused.status_code == 403


def test_evaluating_a_file_on_the_overview(as_user: Login) -> None:
    client = as_user("analyst")
    token = hidden(client.get("/policy").text, "csrf_token")
    page = client.post(
        "/policy/evaluate", data={"csrf_token": token}, files={"file": ("e01.json", json.dumps(E01).encode(), "application/json")}
    )
    assert page.status_code == 200
    text = _text(page.text)
    assert "文件核对结果" in text and "LIVE20/1a" in text and "12.00" in text and QUOTE_1A in page.text
    broken = client.post("/policy/evaluate", data={"csrf_token": token}, files={"file": ("x.json", b"{oops", "application/json")})
    assert broken.status_code == 422 and "不是有效的 JSON" in broken.text
    bad = {"year": 2025, "entities": [{"id": "X", "kind": "robot"}]}
    refused = client.post("/policy/evaluate", data={"csrf_token": token}, files={"file": ("bad.json", json.dumps(bad).encode())})
    assert refused.status_code == 422 and "字段 <code>kind</code>" in refused.text and "robot" in refused.text


def test_the_clause_table_quotes_each_clause(as_user: Login) -> None:
    page = as_user("analyst").get("/policy/clauses", params={"year": "2026"})
    assert page.status_code == 200
    text = _text(page.text)
    assert QUOTE_1A in text and "LIVE20/1a.cap" in text and "上限300万元" in text and "奖励上限： 3,000,000.00 元" in text
    assert "奖励比例： 2%" in text and "可获奖主体类型 (省内电商企业)： 企业、MCN机构、主播团队" in text
    assert "与 LIVE20/1b、LIVE20/3 从优不重复" in text and "同一法人每年限享 EC20 一项" in text
    assert "一事一议" in text and "2026 不适用" in text and "2026 适用" in text and "一次性" in text


def test_the_award_list_filters_sorts_and_shows_wan(as_user: Login, policy_home: Any) -> None:
    client = as_user("analyst")
    url = f"/policy/runs/{policy_home[1]}"
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page.text)
    for words in (
        "2025年度奖补名单",
        "数据范围： 全省",
        "应享金额（万元）",
        "拟拨付金额（万元）",
        "哈尔滨甲农业有限公司",
        "鹤城乙MCN有限公司",
        "1,000.00",
        "12.00",
        "需复核",
        "条款汇总",
        "1,124.00",
        "导出Excel",
    ):
        assert words in text, words
    assert f'href="/api/policy/runs/{policy_home[1]}/awards.xlsx"' in page.text
    qiqihar = _text(client.get(url, params={"city": "230200"}).text)
    assert "鹤城乙MCN有限公司" in qiqihar and "哈尔滨甲农业有限公司" not in qiqihar and "数据范围： 齐齐哈尔市" in qiqihar
    filtered = client.get(url, params={"city": "230200", "kind": "mcn"}).text
    assert "awards.xlsx?city=230200&amp;kind=mcn" in filtered
    flagged = _text(client.get(url, params={"review": "true"}).text)
    assert "哈尔滨甲农业有限公司" in flagged and "南岗区人民政府" not in flagged
    by_name = client.get(url, params={"sort": "name"}).text
    assert by_name.index("鹤城乙MCN有限公司") > by_name.index("哈尔滨市南岗区人民政府")  # 哈 < 鹤 in code points
    largest_first = client.get(url, params={"sort": "-amount"}).text
    assert largest_first.index("哈尔滨市南岗区人民政府") < largest_first.index("鹤城乙MCN有限公司")


def test_a_city_officer_and_an_enterprise_see_their_own_awards(as_user: Login, policy_home: Any) -> None:
    url = f"/policy/runs/{policy_home[1]}"
    harbin = _text(as_user("hrb").get(url).text)
    assert "哈尔滨甲农业有限公司" in harbin and "鹤城乙MCN有限公司" not in harbin and "龙沙区" not in harbin
    assert "数据范围： 哈尔滨市" in harbin and "1,112.00" in harbin  # 11,120,000.00: A and G only
    assert as_user("hrb").get(f"{url}/entities/{B}").status_code == 404
    assert as_user("hrb").get(f"{url}/what-if").status_code == 403
    own = _text(as_user("mcn").get(url).text)
    assert "鹤城乙MCN有限公司" in own and "哈尔滨" not in own.split("退出")[1]


def test_the_entity_page_explains_each_clause_with_its_quote(as_user: Login, policy_home: Any) -> None:
    page = as_user("analyst").get(f"/policy/runs/{policy_home[1]}/entities/{A}")
    assert page.status_code == 200
    text = _text(page.text)
    for words in (
        "哈尔滨甲农业有限公司",
        QUOTE_1A,
        "年度新增实物网络零售额 6,000,000.00元 × 2%",
        "计算公式",
        "上限",
        "3,000,000.00",
        "年度新增地产品实物网络零售额 6,000,000.00元 ≥ 5,000,000.00元 (以上, 含本数): 满足",
        "予以支持",
        "需复核",
        "地产品实物网络零售额",
        "不符合条件的条款",
        "120,000.00",
        "1,000,000.00",
    ):
        assert words in text, words
    assert '<mark class="figure declared">19,200,000.00</mark>' in page.text
    assert '<mark class="figure platform">16,000,000.00</mark>' in page.text
    county = _text(as_user("hrb").get(f"/policy/runs/{policy_home[1]}/entities/{G}").text)
    assert "LIVE20/5" in county and "10,000,000.00" in county


def test_what_if_shows_a_changed_total_when_the_cap_is_lowered(as_user: Login, policy_home: Any) -> None:
    client = as_user("analyst")
    url = f"/policy/runs/{policy_home[1]}/what-if"
    first = client.get(url)
    assert first.status_code == 200 and "LIVE20/1a.cap" in first.text and "现值 3,000,000.00 元" in first.text
    assert 'id="total-after"' not in first.text
    page = client.get(
        url, params=[("go", "1"), ("name", "LIVE20/1a.cap"), ("value", "100000"), ("name", ""), ("value", ""), ("budget", "562")]
    )
    assert page.status_code == 200
    after = re.search(r'id="total-after">([^<]+)<', page.text)
    before = re.search(r'id="total-before">([^<]+)<', page.text)
    assert before and after and (before.group(1), after.group(1)) == ("1,124.00", "1,122.00")
    text = _text(page.text)
    assert "LIVE20/1a" in text and "-2.00" in text and "按比例分配" in text and "按排序分配" in text and "预算不足" in text
    wrong = client.get(url, params=[("go", "1"), ("name", "LIVE20/1a.cap"), ("value", "abc")])
    assert wrong.status_code == 200 and "测算条件有误" in wrong.text


def test_acceptance_upload_shows_results_and_the_sample(as_user: Login) -> None:
    client = as_user("hrb")
    assert "上传验收文件" in client.get("/policy/accept").text
    token = hidden(client.get("/policy/accept").text, "csrf_token")
    page = client.post(
        "/policy/accept",
        data={"csrf_token": token, "unit": "22700", "seed": "2023-12-01"},
        files={"file": ("accept.json", json.dumps(ACCEPTANCE, ensure_ascii=False).encode())},
    )
    assert page.status_code == 200
    text = _text(page.text)
    assert "验收结果" in text and "达标" in text and "未达标" in text and "查验抽样" in text and "6.81" in text
    assert "龙江服务商" in text and "哈尔滨市" in text
