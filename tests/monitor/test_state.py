"""Session state: counters, gauges, the shelf and bounded per-second series, checked on a handful of events."""

from __future__ import annotations

from decimal import Decimal

from livecommerce.monitor.events import parse
from livecommerce.monitor.state import WINDOW, Ring, Sessions

T = 1_762_862_400  # 2025-11-11 20:00:00 in Shanghai, epoch seconds


def ev(second: int, kind: str, **data: object) -> object:
    return parse({"platform": "douyin", "session_id": "S1", "ts": (T + second) * 1000, "kind": kind, **data})


def test_a_session_adds_up() -> None:
    sessions = Sessions()
    for event in (ev(0, "status", state="start"), ev(1, "viewers", online=120, total=150),
                  ev(2, "order", order_id="O1", amount="39.90"), ev(2, "order", order_id="O2", amount="59.90"),
                  ev(3, "refund", order_id="O1", amount="39.90"), ev(4, "chat", text="好吃吗"),
                  ev(4, "gift", name="小心心", count=3, value="0.30"),
                  ev(5, "viewers", online=80, total=190), ev(6, "product", product_id="P1", title="五常大米", price="49.90",
                                                             action="on"),
                  ev(7, "product", product_id="P1", title="五常大米", price="29.90", action="on")):
        state = sessions.apply(event)
    assert (state.online, state.peak_online, state.total_viewers) == (80, 120, 190)
    assert (state.orders, state.gmv, state.refunds, state.refunded) == (2, Decimal("99.80"), 1, Decimal("39.90"))
    assert state.chat_lines == 1 and state.status == "live" and state.gifts == Decimal("0.30")
    product = state.products["P1"]
    assert (product.first_price, product.price, product.on_shelf) == (Decimal("49.90"), Decimal("29.90"), True)
    assert state.orders_series.total(T, T + 10) == 2 and state.viewers_series.at(T + 5) == 80


def test_a_ring_keeps_only_its_window() -> None:
    ring = Ring(size=10)
    for second in range(25):
        ring.add(second)
    assert ring.total(0, 24) == 10  # seconds 15..24 only
    assert ring.at(14) is None and ring.at(24) == 1
    assert len(Ring().values) == WINDOW  # bounded, however long the session lives
