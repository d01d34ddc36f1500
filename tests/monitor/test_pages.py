"""直播监测 and 预警中心 pages through the app, as the administrator, 哈尔滨's officer and 齐齐哈尔's officer: the wall with a
live session from the hub, a live session's page with its chat marked, a stored session and its 复盘 (page and XLSX),
the alert centre (filter, acknowledge, silence, expire) and one alert's page; and a city officer of another city sees
none of 哈尔滨's sessions or alerts, whatever the URL."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from livecommerce.accounts.models import AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.monitor import pages, recording, service
from tests.monitor.test_review import PEERS, s1
from tests.web.conftest import add_user, client, hidden, logged_in  # noqa: F401 (fixtures)

Login = Callable[[str], TestClient]


def _text(html: str) -> str:
    """The visible text of a page, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _line(session_id: str, second: float, kind: str, start: float, **fields: Any) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": session_id, "ts": int((start + second) * 1000), "kind": kind, **fields}, ensure_ascii=False
    )


@pytest.fixture
def monitor_app(client: TestClient, logged_in: Login, monkeypatch: pytest.MonkeyPatch) -> Iterator[Login]:  # noqa: F811
    """S1 (ended, 哈尔滨) and its peers in the store; LIVE1 live in 哈尔滨 in the hub with a chat hit and a negative
    line; users of 哈尔滨 and 齐齐哈尔. Streams send one snapshot and end."""
    from livecommerce.monitor.hub import get_hub

    monkeypatch.setattr(pages, "STREAM_SECONDS", 0)
    s, minutes, transitions, hits = s1()
    with session_scope() as db:
        recording.record(db, transitions=transitions, minutes=minutes, hits=hits, sessions=[s, *PEERS])
    add_user("hrb", "city_officer", scope_region="230100")
    add_user("qq", "city_officer", scope_region="230200")
    start = time.time() - 20
    answer = get_hub().submit(
        [
            _line("LIVE1", 0, "status", start, state="start", shop_id="DY-HRB", streamer_id="冰城小米", region="230184"),
            _line("LIVE1", 1, "viewers", start, online=1000, total=1200),
            _line("LIVE1", 2, "product", start, product_id="P1", title="五常大米", price=59.9, action="on"),
            _line("LIVE1", 3, "order", start, order_id="O1", amount=59.9, product_id="P1"),
            _line("LIVE1", 5, "chat", start, user="张三丰", text="这是全网最好的大米"),
            _line("LIVE1", 6, "chat", start, user="李四", text="假货吧，要退款"),
            _line("LIVE1", 10, "viewers", start, online=1500, total=2100),
        ]
    )
    assert answer["accepted"] == 7, answer
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the worker scans chat before its clock moves on
        live = pages.live_view(service_admin(), "douyin", "LIVE1")
        if live and any(c["flagged"] for c in live["chat"]):
            break
        time.sleep(0.2)

    def as_user(username: str) -> TestClient:
        client.cookies.clear()
        return logged_in(username)

    yield as_user


def service_admin() -> Any:
    from livecommerce.core.scope import SystemActor

    return SystemActor(name="test")


def test_the_wall_shows_the_live_session_and_the_filters(monitor_app: Login) -> None:
    page = monitor_app("admin").get("/monitor")
    assert page.status_code == 200
    text = _text(page.text)
    for words in ("直播监测", "数据范围： 全省", "直播中场次", "DY-HRB", "冰城小米", "哈尔滨市五常市", "大屏模式", "告警中的预警"):
        assert words in text, words
    assert 'href="/monitor/sessions/douyin/LIVE1"' in page.text and '<option value="230100">哈尔滨市</option>' in page.text
    assert "<polyline points=" in page.text  # the sparklines
    elsewhere = monitor_app("admin").get("/monitor", params={"city": "230200"})
    assert "LIVE1" not in elsewhere.text and "当前没有直播中的场次（已筛选）" in _text(elsewhere.text)


def test_the_wall_stream_sends_the_walls_json(monitor_app: Login) -> None:
    response = monitor_app("admin").get("/monitor/stream")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    data = json.loads(next(line[6:] for line in response.text.splitlines() if line.startswith("data: ")))
    assert [s["session_id"] for s in data["sessions"]] == ["LIVE1"]
    assert data["sessions"][0]["online"] == 1500 and data["totals"]["live"] == 1


def test_a_live_sessions_page_marks_the_chat_and_shows_the_last_point(monitor_app: Login) -> None:
    page = monitor_app("admin").get("/monitor/sessions/douyin/LIVE1")
    assert page.status_code == 200
    assert re.search(r'<mark title="[^"]+">全网最好</mark>', page.text), "the compliance hit is marked with its rule"
    assert "负面" in page.text and 'class="negative' in page.text
    assert 'data-last-online="1500"' in page.text
    stream = monitor_app("admin").get("/monitor/sessions/douyin/LIVE1/stream")
    data = json.loads(next(line[6:] for line in stream.text.splitlines() if line.startswith("data: ")))
    assert data["last"]["online"] == 1500 and data["session_id"] == "LIVE1"


def test_a_stored_session_shows_its_data_and_the_review(monitor_app: Login) -> None:
    web = monitor_app("admin")
    page = web.get("/monitor/sessions/douyin/S1")
    assert page.status_code == 200
    text = _text(page.text)
    assert "本场直播已不在实时监测中" in text and "直播中商品改价" in text and "东宁黑木耳" in text
    assert 'href="/monitor/sessions/douyin/S1/review"' in page.text and '<mark title="absolute-terms">最好</mark>' in page.text
    review = web.get("/monitor/sessions/douyin/S1/review")
    assert review.status_code == 200
    text = _text(review.text)
    for words in (
        "直播复盘",
        "2.50%",
        "订单数 ÷ 累计观看人数",
        "2 / 3",
        "500.00",
        "在线高峰",
        "成交高峰",
        "打印",
        "-50.00%",
        "20:01:30",
        "直播中商品改价",
    ):
        assert words in text, words
    assert "本场尚未下播" not in text  # S1 has ended: its review is whole
    workbook = web.get("/monitor/sessions/douyin/S1/review.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["概况", "分钟曲线", "预警", "违规", "商品"]
    with session_scope() as db:  # the download is audited: who, which review, how many rows
        downloads = [(a.actor, a.target_id) for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "download"))]
    assert downloads[-1][1] == "monitor.review:douyin:S1"


def test_another_citys_officer_sees_none_of_it(monitor_app: Login) -> None:
    qq = monitor_app("qq")
    for url in (
        "/monitor/sessions/douyin/S1",
        "/monitor/sessions/douyin/S1/review",
        "/monitor/sessions/douyin/S1/review.xlsx",
        "/monitor/sessions/douyin/LIVE1",
        "/monitor/sessions/douyin/LIVE1/stream",
        "/alerts/1",
    ):
        assert qq.get(url).status_code == 404, url
    wall = qq.get("/monitor")
    assert wall.status_code == 200 and "LIVE1" not in wall.text and "DY-HRB" not in wall.text
    assert "数据范围： 齐齐哈尔市" in _text(wall.text)
    alerts = qq.get("/alerts")
    assert 'href="/alerts/1"' not in alerts.text and "SHOP-S1" not in alerts.text and "共 0 条" in _text(alerts.text)
    stream = qq.get("/monitor/stream")
    assert "LIVE1" not in stream.text
    # 哈尔滨's officer sees her city's
    hrb = monitor_app("hrb")
    assert hrb.get("/monitor/sessions/douyin/S1/review").status_code == 200
    assert "LIVE1" in hrb.get("/monitor").text


def test_the_alert_centre_filters_and_acknowledges(monitor_app: Login) -> None:
    web = monitor_app("admin")
    page = web.get("/alerts", params={"rule": "price-change"})  # (LIVE1's chat hit may have raised a compliance-hit)
    assert page.status_code == 200
    text = _text(page.text)
    assert "预警中心" in text and "商品 P2 价格 20.00 → 10.00（-50.0%）" in text and "待确认" in text and "共 1 条" in text
    assert "共 0 条" in _text(web.get("/alerts", params={"state": "resolved"}).text)
    assert "共 1 条" in _text(web.get("/alerts", params={"rule": "price-change", "city": "230100", "acknowledged": "no"}).text)
    token = hidden(page.text, "csrf_token")
    refused = web.post("/alerts/1/ack", data={"csrf_token": token, "assignee": "", "note": "x"}, follow_redirects=False)
    assert refused.status_code == 422 and "未能确认" in refused.text
    done = web.post("/alerts/1/ack", data={"csrf_token": token, "assignee": "王科长", "note": "已联系店铺核实"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/alerts/1"
    alert = _text(web.get("/alerts/1").text)
    assert "王科长" in alert and "已联系店铺核实" in alert and "告警中" in alert and "状态历史" in alert
    assert "共 1 条" in _text(web.get("/alerts", params={"acknowledged": "yes"}).text)
    assert "共 0 条" in _text(web.get("/alerts", params={"rule": "price-change", "acknowledged": "no"}).text)
    no_csrf = web.post("/alerts/1/ack", data={"assignee": "x"}, follow_redirects=False)
    assert no_csrf.status_code == 403


def test_silences_are_made_listed_and_expired(monitor_app: Login) -> None:
    web = monitor_app("hrb")
    token = hidden(web.get("/alerts").text, "csrf_token")
    empty = web.post("/alerts/silences", data={"csrf_token": token, "comment": "维护"}, follow_redirects=False)
    assert empty.status_code == 422 and "请至少填写一项匹配条件" in empty.text
    made = web.post(
        "/alerts/silences",
        data={"csrf_token": token, "rule": "stream-stalled", "region": "230100", "minutes": "120", "comment": "五常机房计划内维护"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = _text(web.get("/alerts").text)
    assert "五常机房计划内维护" in page and "地区=2301*" in page and "规则=直播中断" in page
    with session_scope() as db:
        from livecommerce.core.scope import SystemActor

        [silence] = service.list_silences(db, SystemActor())
    assert web.post(f"/alerts/silences/{silence['id']}/expire", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert "没有生效中的静默规则" in _text(web.get("/alerts").text)


def test_a_live_sessions_review_says_it_is_not_whole_yet(monitor_app: Login) -> None:
    """LIVE1 is still on air: its review is what the store holds so far, and says so."""
    from livecommerce.monitor import service

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the hub writes a new session at its next step
        with session_scope() as db:
            if any(s["session_id"] == "LIVE1" for s in service.list_sessions(db, service_admin())):
                break
        time.sleep(0.2)
    review = monitor_app("admin").get("/monitor/sessions/douyin/LIVE1/review")
    assert review.status_code == 200
    text = _text(review.text)
    assert "直播中" in text and "本场尚未下播" in text and "下播后复盘完整" in text
    assert "已播时长" in text and "0 分 10 秒" in text  # from its start to its last event, 10 s later
