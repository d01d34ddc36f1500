"""复盘 of a hand-made session recorded through recording.record: three minutes of douyin/S1 in 五常市 on 2025-03-01,
20:00–20:03, with known viewers and orders, a price change, a compliance hit; and five other sessions to rank it among
and to take the streamer's median from. Every expected number below is worked out by hand in the comment beside it.

    minute  online  peak  orders  gmv     chat
    20:00   100     120   2       100.00  5
    20:01   300     300   6       360.00  8
    20:02   200     250   2        40.00  3
    total viewers 400, orders 10, GMV 500.00 → conversion 10 / 400 = 2.50%, average order 50.00
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.monitor import export, recording, review
from livecommerce.monitor.alerts import Transition, fingerprint
from livecommerce.monitor.engine import Hit
from livecommerce.monitor.state import MinuteRow, Product, SessionState

WINDOWS = dict.fromkeys(("viewers-drop", "sales-spike", "refund-surge", "negative-chat", "complaint-surge"), 60.0)
REGION = "230184"  # 五常市 (哈尔滨市)
ADMIN = SystemActor(name="test")


def ts(text: str) -> float:
    """Shanghai wall time '2025-03-01 20:01:30' as epoch seconds."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI).timestamp()


def state(
    session_id: str,
    *,
    started: str,
    gmv: str,
    streamer: str,
    platform: str = "douyin",
    minutes: int = 3,
    orders: int = 0,
    viewers: int = 0,
    peak: int = 0,
) -> SessionState:
    """A session that has ended ``minutes`` after ``started`` with these figures."""
    s = SessionState(platform, session_id, ts(started), WINDOWS)
    s.labels.update(shop=f"SHOP-{session_id}", streamer=streamer, region=REGION)
    s.status, s.ended_at = "ended", ts(started) + 60 * minutes
    s.last_event = s.ended_at
    s.gmv, s.orders, s.total_viewers, s.peak_online = Decimal(gmv), orders, viewers, peak
    return s


def minute(at: str, online: int, peak: int, orders: int, gmv: str, chat: int) -> MinuteRow:
    row = MinuteRow(int(ts(at)))
    row.online, row.peak_online, row.orders, row.gmv, row.chat = online, peak, orders, Decimal(gmv), chat
    return row


def s1() -> tuple[SessionState, list[Any], list[Transition], list[Hit]]:
    s = state("S1", started="2025-03-01 20:00:00", gmv="500.00", streamer="冰城小米", orders=10, viewers=400, peak=300)
    s.refunds = 1
    rice = Product("P1", "五常大米 5kg", Decimal("50.00"), True)
    rice.orders, rice.gmv = 8, Decimal("400.00")
    fungus = Product("P2", "东宁黑木耳", Decimal("20.00"), True)
    fungus.price, fungus.orders, fungus.gmv = Decimal("10.00"), 2, Decimal("100.00")
    s.products = {"P1": rice, "P2": fungus}
    rows = [
        minute("2025-03-01 20:00:00", 100, 120, 2, "100.00", 5),
        minute("2025-03-01 20:01:00", 300, 300, 6, "360.00", 8),
        minute("2025-03-01 20:02:00", 200, 250, 2, "40.00", 3),
    ]
    labels = dict(s.labels)
    price = Transition(
        "price-change",
        "firing",
        ts("2025-03-01 20:01:30"),
        labels,
        "商品 P2 价格 20.00 → 10.00（-50.0%）",
        "warning",
        fingerprint("price-change", labels | {"product_id": "P2"}),
        0.5,
    )
    hit = Hit(
        "douyin",
        "S1",
        ts("2025-03-01 20:02:40"),
        "transcript",
        "absolute-terms",
        "absolute",
        "high",
        "《广告法》第九条",
        "最好",
        "这是全网最好的大米",
        "改为客观描述",
    )
    return s, [(s.key, row) for row in rows], [price], [hit]


PEERS = [
    state("S2", started="2025-03-01 19:00:00", gmv="800.00", streamer="鹤城大叔"),  # same platform and day: above S1
    state("S4", started="2025-03-01 21:00:00", gmv="200.00", streamer="鹤城大叔"),  # same platform and day: below
    state("S5", started="2025-03-01 20:00:00", gmv="900.00", streamer="鹤城大叔", platform="kuaishou"),  # not a peer
    state("S3", started="2025-02-28 20:00:00", gmv="300.00", streamer="冰城小米"),  # the streamer's other sessions:
    state("S6", started="2025-02-27 20:00:00", gmv="700.00", streamer="冰城小米"),  # median of 300 and 700 = 500.00
]


@pytest.fixture
def recorded(home: Any) -> dict[str, Any]:
    """S1 and its peers recorded through recording.record; the review of S1 as the system sees it."""
    s, minutes, transitions, hits = s1()
    with session_scope() as db:
        recording.record(db, transitions=transitions, minutes=minutes, hits=hits, sessions=[s, *PEERS])
    with session_scope() as db:
        return review.build(db, ADMIN, "douyin", "S1")


def test_conversion_and_the_figures_are_plain_arithmetic(recorded: dict[str, Any]) -> None:
    r = recorded
    assert (r["orders"], r["total_viewers"], r["gmv"]) == (10, 400, Decimal("500.00"))
    assert r["conversion"] == Decimal("2.50")  # 10 / 400
    assert r["average_order"] == Decimal("50.00")  # 500.00 / 10
    assert r["refund_rate"] == Decimal("10.00")  # 1 refund / 10 orders
    assert r["duration"] == 180
    assert [(m["label"], m["peak_online"], m["orders"]) for m in r["minutes"]] == [("20:00", 120, 2), ("20:01", 300, 6), ("20:02", 250, 2)]


def test_the_peaks_and_what_happened_near_them(recorded: dict[str, Any]) -> None:
    online = [(p["label"], p["value"]) for p in recorded["online_peaks"]]
    assert online == [("20:01", 300), ("20:02", 250), ("20:00", 120)]
    assert [(p["label"], p["value"]) for p in recorded["order_peaks"]] == [("20:01", 6), ("20:00", 2), ("20:02", 2)]
    by_minute = {p["label"]: [e["kind"] for e in p["events"]] for p in recorded["online_peaks"]}
    # the price change at 20:01:30 is near every minute; the hit at 20:02:40 only near 20:01 and 20:02
    assert by_minute == {"20:01": ["商品变动", "违规"], "20:02": ["商品变动", "违规"], "20:00": ["商品变动"]}
    assert "直播中商品改价" in recorded["online_peaks"][0]["events"][0]["text"]


def test_top_products_by_gmv_with_share_and_price_change(recorded: dict[str, Any]) -> None:
    rows = [(p["product_id"], p["gmv"], p["share"], p["price_change"]) for p in recorded["products"]]
    assert rows == [
        ("P1", Decimal("400.00"), Decimal("80.00"), Decimal("0.00")),
        ("P2", Decimal("100.00"), Decimal("20.00"), Decimal("-50.00")),
    ]


def test_the_timeline_holds_the_alert_then_the_hit(recorded: dict[str, Any]) -> None:
    assert [(i["at"].strftime("%H:%M:%S"), i["kind"], i["what"]) for i in recorded["timeline"]] == [
        ("20:01:30", "预警", "直播中商品改价"),
        ("20:02:40", "违规", "absolute-terms"),
    ]


def test_the_streamers_median_and_the_rank_among_peers(recorded: dict[str, Any]) -> None:
    assert recorded["streamer"] == {"streamer": "冰城小米", "sessions": 2, "median": Decimal("500.00"), "ratio": Decimal("100.00")}
    # douyin sessions of 2025-03-01: S2 800.00, S1 500.00, S4 200.00 (kuaishou's S5 is no peer)
    assert recorded["peers"] == {"day": "2025-03-01", "rank": 2, "of": 3}


def test_the_day_is_shanghais_and_the_viewers_scope_applies(home: Any) -> None:
    """Peers are the platform's sessions of the same Shanghai day, however many, and only those the viewer may see."""
    from livecommerce.accounts.actors import UserActor

    s, minutes, transitions, hits = s1()
    near_midnight = [
        state("S7", started="2025-03-02 00:30:00", gmv="1000.00", streamer="鹤城大叔"),  # 2025-03-01 16:30 UTC: next day
        state("S8", started="2025-03-01 00:10:00", gmv="600.00", streamer="鹤城大叔"),  # 2025-02-28 16:10 UTC: same day
    ]
    elsewhere = state("S9", started="2025-03-01 20:00:00", gmv="900.00", streamer="鹤城大叔")
    elsewhere.labels["region"] = "230202"  # 齐齐哈尔市龙沙区: outside 哈尔滨
    with session_scope() as db:
        recording.record(db, transitions=transitions, minutes=minutes, hits=hits, sessions=[s, *PEERS, *near_midnight, elsewhere])
    with session_scope() as db:
        everyone = review.build(db, ADMIN, "douyin", "S1")
        harbin = review.build(db, UserActor(3, "hrb", "city_officer", scope_region="230100"), "douyin", "S1")
    # the province: S9 900.00, S2 800.00, S8 600.00, S1 500.00, S4 200.00 (S7 began on the 2nd in Shanghai)
    assert everyone["peers"] == {"day": "2025-03-01", "rank": 4, "of": 5}
    # 哈尔滨's officer does not see 齐齐哈尔's S9
    assert harbin["peers"] == {"day": "2025-03-01", "rank": 3, "of": 4}
    assert harbin["streamer"]["median"] == everyone["streamer"]["median"] == Decimal("500.00")


def test_recording_twice_changes_no_number(home: Any) -> None:
    s, minutes, transitions, hits = s1()
    for _ in range(2):
        with session_scope() as db:
            recording.record(db, transitions=transitions, minutes=minutes, hits=hits, sessions=[s])
    with session_scope() as db:
        r = review.build(db, ADMIN, "douyin", "S1")
    assert len(r["minutes"]) == 3 and len(r["alerts"]) == 1 and len(r["hits"]) == 1
    assert r["peers"] == {"day": "2025-03-01", "rank": 1, "of": 1} and r["streamer"]["sessions"] == 0


def test_the_workbook_has_the_five_sheets_and_the_numbers(recorded: dict[str, Any]) -> None:
    book = load_workbook(io.BytesIO(export.workbook_bytes(recorded, "全省")))
    assert book.sheetnames == ["概况", "分钟曲线", "预警", "违规", "商品"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["成交金额（元）"] == 500 and overview["订单数"] == 10 and overview["累计观看人数"] == 400
    assert overview["转化率（订单数/累计观看人数，%）"] == 2.5
    assert overview["主播其他场次成交额中位数（元）"] == 500
    assert overview["同平台同日排名（2025-03-01，按成交额）"] == "2 / 3"
    curve = list(book["分钟曲线"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[4]) for r in curve] == [
        ("2025-03-01 20:00", 120, 2, 100),
        ("2025-03-01 20:01", 300, 6, 360),
        ("2025-03-01 20:02", 250, 2, 40),
    ]
    alerts = list(book["预警"].iter_rows(min_row=2, values_only=True))
    assert [(a[1], a[4], a[5]) for a in alerts] == [("price-change", "告警中", "2025-03-01 20:01:30")]
    hits = list(book["违规"].iter_rows(min_row=2, values_only=True))
    assert [(h[0], h[1], h[5]) for h in hits] == [("2025-03-01 20:02:40", "主播口播", "最好")]
    products = list(book["商品"].iter_rows(min_row=2, values_only=True))
    assert [(p[0], p[2], p[3], p[4], p[6], p[7]) for p in products] == [("P1", 50, 50, 0, 400, 80), ("P2", 20, 10, -50, 100, 20)]
