"""Session state: counters, gauges, the shelf and bounded series, checked on a handful of events."""

from __future__ import annotations

from decimal import Decimal

from livecommerce.monitor.events import parse
from livecommerce.monitor.state import SLOTS, Gauge, Minutes, Ring, SessionState, Tally

T = 1_762_862_400  # 2025-11-11 20:00:00 in Shanghai, epoch seconds
WINDOWS = {"viewers-drop": 60, "sales-spike": 60, "refund-surge": 300, "negative-chat": 60, "complaint-surge": 600}


def ev(second: int, kind: str, **data: object) -> object:
    return parse({"platform": "douyin", "session_id": "S1", "ts": (T + second) * 1000, "kind": kind, **data})


def test_a_session_adds_up() -> None:
    state = SessionState("douyin", "S1", T, WINDOWS)
    for event in (
        ev(0, "status", state="start"),
        ev(1, "viewers", online=120, total=150),
        ev(2, "order", order_id="O1", amount="39.90"),
        ev(2, "order", order_id="O2", amount="59.90"),
        ev(3, "refund", order_id="O1", amount="39.90"),
        ev(4, "chat", text="好吃吗", user="张三"),
        ev(4, "gift", name="小心心", count=3, value="0.30"),
        ev(5, "viewers", online=80, total=190),
        ev(6, "product", product_id="P1", title="五常大米", price="49.90", action="on"),
        ev(7, "product", product_id="P1", title="五常大米", price="29.90", action="on"),
    ):
        state.apply(event)
    assert (state.online, state.peak_online, state.total_viewers) == (80, 120, 190)
    assert (state.orders, state.gmv, state.refunds, state.refunded) == (2, Decimal("99.80"), 1, Decimal("39.90"))
    assert state.chat_lines == 1 and state.status == "live" and state.gifts == Decimal("0.30")
    assert state.last_chat()[0][1] == "张"  # of a name only what the page shows (张***) is kept
    product = state.products["P1"]
    assert (product.first_price, product.price, product.on_shelf) == (Decimal("49.90"), Decimal("29.90"), True)
    assert state.curve("orders", T + 9, 1) == [(T, 2)]
    assert state.curve("online", T + 9, 1) == [(T, 80)]  # a gauge: the last value of the bucket
    assert state.curve("gmv_cents", T + 9, 1) == [(T, 9980)]
    state.apply(ev(12, "order", order_id="O3", amount="1.00"))
    state.apply(ev(8, "order", order_id="O4", amount="1.00"))  # late, into the bucket before
    assert state.curve("orders", T + 19, 2) == [(T, 3), (T + 10, 1)]


def test_the_chat_kept_is_the_last_twenty_lines_oldest_first() -> None:
    state = SessionState("douyin", "S1", T, WINDOWS)
    assert state.last_chat() == []
    for n in range(1, 4):
        state.apply(ev(n, "chat", text=f"第{n}条", user="王五"))
    assert [text for _, _, text, _ in state.last_chat()] == ["第1条", "第2条", "第3条"]
    for n in range(4, 26):  # 25 lines in all: the first five are gone
        state.apply(ev(n, "chat", text=f"第{n}条"))
    kept = state.last_chat()
    assert [text for _, _, text, _ in kept] == [f"第{n}条" for n in range(6, 26)]
    assert kept[0][0] == T + 6 and kept[0][1] == ""  # a line without a user keeps no name at all


def test_a_ring_keeps_only_its_window() -> None:
    ring = Ring(size=10, step=1)
    for second in range(25):
        ring.add("chat", second)
    assert sum(v for _, v in ring.series("chat", 24) if v) == 10  # seconds 15..24 only
    assert ring.series("chat", 24)[0] == (15, 1)
    assert len(Ring().buckets) == SLOTS  # bounded, however long the session lives


def test_a_tally_counts_its_window_excluding_the_edge() -> None:
    tally = Tally(60)
    tally.add(100, 3)
    tally.add(130)
    assert tally.at(159) == 4
    assert tally.at(160) == 1  # (100, 160]: second 100 has left
    assert tally.at(190) == 0


def test_a_gauge_holds_its_value_into_the_window() -> None:
    gauge = Gauge(60)
    gauge.add(0, 1000)
    gauge.add(100, 200)
    assert gauge.highest(100) == 1000  # 1000 still stood at second 40, the window's start
    assert gauge.highest(160) == 200


def test_the_median_of_orders_per_minute_counts_quiet_minutes() -> None:
    minutes = Minutes(0)
    for second, count in ((10, 4), (70, 6), (190, 2)):  # minute 2 (120..179) has no order
        minutes.roll(second)
        minutes.count += count
    minutes.roll(240)
    assert sorted(minutes.order) == [0, 2, 4, 6] and minutes.median() == 3
