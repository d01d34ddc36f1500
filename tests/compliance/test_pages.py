"""合规检测 pages: the text box with every pack chosen, a checked text shown with each hit in a <mark> (by severity,
the law in its tooltip) and the table of hits, overlapping hits of two categories, a clean text, escaping (no XSS),
refused forms, and the packs page (ad-law with 第九条, patterns, exceptions with their sources)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from livecommerce.core.settings import Settings
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login

SCRIPT = (
    "家人们，这款五常大米是全網最低價，最*好吃的米，吃了能降血糖，加V信私聊下单！第一次来直播间的宝宝点关注，最佳食用时间是开封后一个月内。"
)


@pytest.fixture
def console(home: Settings) -> Iterator[TestClient]:
    """A client logged in as a city officer (a clerk of a bureau); any logged-in role may check a text."""
    from livecommerce.accounts import service as accounts
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("clerk", "city_officer", scope_region="230100")
    with TestClient(create_app()) as client:
        assert submit_login(client, "clerk", PASSWORD).status_code == 303
        yield client


def _text(html: str) -> str:
    """The visible text of a page, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def marks(html: str) -> list[str]:
    return re.findall(r"<mark [^>]*>([^<]*)</mark>", html)


def check(
    client: TestClient, text: str, packs: tuple[str, ...] = ("ad-law", "platform", "red-line"), headers: dict[str, str] | None = None
) -> str:
    token = hidden(client.get("/compliance").text, "csrf_token")
    response = client.post("/compliance", data={"csrf_token": token, "text": text, "packs": list(packs)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def test_the_page_has_a_text_box_and_every_pack_chosen(console: TestClient) -> None:
    page = console.get("/compliance")
    assert page.status_code == 200
    assert '<textarea id="c-text" name="text"' in page.text
    for name in ("ad-law", "platform", "red-line"):
        assert f'name="packs" value="{name}" checked' in page.text
    assert 'href="/static/css/compliance.css"' in page.text and "建设中" not in page.text
    assert 'class="active" aria-current="page">合规检测</a>' in page.text  # the navigation entry


def test_a_script_is_shown_with_each_hit_marked_and_a_table(console: TestClient) -> None:
    html = check(console, SCRIPT)
    assert marks(html) == ["全網最低價", "最*好吃", "降血糖", "加V信", "私聊下单"]
    assert (
        '<mark class="hit sev-high" title="3. 医疗功效宣称（严重）：《中华人民共和国广告法》第十七条" data-hits="3" '
        'data-n="3">降血糖</mark>'
    ) in html
    text = _text(html)
    assert "共 5 处：绝对化用语 2 处，医疗功效宣称 1 处，诱导私下交易 2 处" in text
    assert "第一次来直播间" in text and "最佳食用时间" in text  # shown, not marked
    table = _text(html[html.index('id="hits-table"') :])
    for words in (
        "原文",
        "位置",
        "类别",
        "严重程度",
        "法律依据",
        "建议改为",
        "全網最低價 第 12–16 字 绝对化用语 较重",
        "《中华人民共和国广告法》第九条第（三）项",
        "降血糖 第 28–30 字 医疗功效宣称 严重",
        "私聊下单 第 35–38 字",
    ):
        assert words in table, words
    assert "未发现违规用语" not in text


def test_overlapping_hits_of_two_categories_are_cut_into_pieces(console: TestClient) -> None:
    html = check(console, "最好评返现")  # 最好 [0, 2) absolute, 好评返现 [1, 5) fake-data
    assert marks(html) == ["最", "好", "评返现"]
    block = html[html.index('id="marked-text"') : html.index("</div>", html.index('id="marked-text"'))]
    assert re.sub(r"<[^>]+>", "", block.split(">", 1)[1]) == "最好评返现"  # the text once, in order
    # 好 is under both (the gravest severity, underlined); hit 1 ends there (its number), hit 2 goes on
    assert '<mark class="hit sev-high overlap continued"' in block and 'data-hits="1 2" data-n="1">好</mark>' in block
    assert "共 2 处：绝对化用语 1 处，虚构交易与评价 1 处" in _text(html)


def test_the_text_is_escaped(console: TestClient) -> None:
    html = check(console, '<script>alert("x")</script><b>最好</b>的米')
    assert "<script>alert" not in html and "<b>最好" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;<mark" in html
    assert marks(html) == ["最好"]
    closing = check(console, "</textarea><script>alert(1)</script>")
    assert "</textarea><script>" not in closing and "&lt;/textarea&gt;&lt;script&gt;" in closing


def test_a_clean_text_says_so(console: TestClient) -> None:
    html = check(console, "第一次来直播间的宝宝点关注，最佳食用时间是开封后一个月内。")
    assert "未发现违规用语" in html and marks(html) == []
    only_platform = check(console, "全網最低價", packs=("platform",))
    assert marks(only_platform) == [] and "未发现违规用语" in only_platform
    assert 'value="ad-law">' in only_platform and 'value="platform" checked' in only_platform  # the choice is kept


def test_refused_forms_are_shown_again_with_the_reason(console: TestClient) -> None:
    token = hidden(console.get("/compliance").text, "csrf_token")
    no_pack = console.post("/compliance", data={"csrf_token": token, "text": "最好"})
    assert no_pack.status_code == 422 and "请至少选择一个规则包" in no_pack.text and ">最好</textarea>" in no_pack.text
    empty = console.post("/compliance", data={"csrf_token": token, "text": "  ", "packs": ["ad-law"]})
    assert empty.status_code == 422 and "请粘贴要检测的文字" in empty.text
    unknown = console.post("/compliance", data={"csrf_token": token, "text": "最好", "packs": ["nope"]})
    assert unknown.status_code == 422 and "未能检测：no rule pack nope" in unknown.text
    htmx = console.post("/compliance", data={"csrf_token": token, "text": "最好"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "请至少选择一个规则包" in htmx.text  # HTMX swaps only a 2xx in
    assert console.post("/compliance", data={"text": "最好", "packs": ["ad-law"]}).status_code == 403  # no CSRF token


def test_an_htmx_request_gets_the_result(console: TestClient) -> None:
    html = check(console, "全網最低價", headers={"HX-Request": "true"})
    assert '<div id="compliance-result">' in html and marks(html) == ["全網最低價"]


def test_the_packs_page_lists_rules_patterns_and_exceptions(console: TestClient) -> None:
    page = console.get("/compliance/packs")
    assert page.status_code == 200
    text = _text(page.text)
    for words in (
        "ad-law 广告法禁用语与违规宣称",
        "2026.1",
        "2023-05-01",
        "《中华人民共和国广告法》(2021年4月29日修正)",
        "AD-ABS-ZUI",
        "绝对化用语",
        "较重",
        "《中华人民共和国广告法》第九条第（三）项",
        "platform",
        "red-line",
        "PF-FAKE-REVIEW-CASH",
        "2024-09-01 起",
        "包级例外",
    ):
        assert words in text, words
    row = page.text[page.text.index('id="rule-AD-ABS-ZUI"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="pattern">最好</span>' in row and "<details><summary>全部" in row
    assert "本店最畅销" in row and "《广告绝对化用语执法指南》第六条第（一）项" in row  # an exception with its source
    assert "第六条第（六）项" in page.text  # the pack-level exception 第一次 and its source
    assert console.get("/compliance/packs").headers["content-type"].startswith("text/html")


def test_an_anonymous_visitor_is_sent_to_login(home: Settings) -> None:
    from livecommerce.web.app import create_app

    with TestClient(create_app()) as client:
        response = client.get("/compliance", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        assert client.get("/compliance/packs", follow_redirects=False).status_code == 303
