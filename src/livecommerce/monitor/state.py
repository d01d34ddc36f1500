"""The state of one live session (直播场次状态) as its events arrive: viewers now and in total, GMV, orders, refunds,
chat, likes, the products on the shelf with their prices, the last event time — and per-second series of the recent
past in ring buffers of fixed length, so that the memory of a session is bounded however long it stays live."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from livecommerce.monitor.events import Event

WINDOW = 600  # seconds of per-second history kept (the rules look back at most this far)


class Ring:
    """Per-second sums over the last ``size`` seconds; a second not seen counts 0."""

    __slots__ = ("size", "values", "seconds")

    def __init__(self, size: int = WINDOW) -> None:
        self.size = size
        self.values = [0] * size
        self.seconds = [-1] * size

    def add(self, second: int, amount: int = 1) -> None:
        slot = second % self.size
        if self.seconds[slot] != second:
            self.seconds[slot], self.values[slot] = second, 0
        self.values[slot] += amount

    def set(self, second: int, value: int) -> None:
        """The value of a gauge (online viewers) at this second."""
        slot = second % self.size
        self.seconds[slot], self.values[slot] = second, value

    def at(self, second: int) -> int | None:
        slot = second % self.size
        return self.values[slot] if self.seconds[slot] == second else None

    def total(self, first: int, last: int) -> int:
        """The sum over seconds first..last (both included), within the kept window."""
        return sum(self.values[s % self.size] for s in range(max(first, last - self.size + 1), last + 1)
                   if self.seconds[s % self.size] == s)


@dataclass
class Product:
    """A product on (or taken off) the session's shelf, with the price first seen and now."""

    product_id: str
    title: str
    first_price: Decimal
    price: Decimal
    on_shelf: bool = True


@dataclass
class SessionState:
    """Everything the rules and the wall need to know about one live session."""

    platform: str
    session_id: str
    started: float
    last_event: float
    status: str = "live"
    online: int = 0
    peak_online: int = 0
    total_viewers: int = 0
    gmv: Decimal = Decimal("0.00")
    orders: int = 0
    refunds: int = 0
    refunded: Decimal = Decimal("0.00")
    chat_lines: int = 0
    likes: int = 0
    gifts: Decimal = Decimal("0.00")
    complaints: int = 0
    products: dict[str, Product] = field(default_factory=dict)
    viewers_series: Ring = field(default_factory=Ring)
    orders_series: Ring = field(default_factory=Ring)
    chat_series: Ring = field(default_factory=Ring)
    refunds_series: Ring = field(default_factory=Ring)

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        second = int(event.ts)
        self.last_event = max(self.last_event, event.ts)
        data = event.data
        kind = event.kind
        if kind == "chat":
            self.chat_lines += 1
            self.chat_series.add(second)
        elif kind == "viewers":
            self.online = data["online"]
            self.peak_online = max(self.peak_online, self.online)
            self.total_viewers = max(self.total_viewers, data.get("total", 0))
            self.viewers_series.set(second, self.online)
        elif kind == "order":
            self.orders += 1
            self.gmv += data["amount"]
            self.orders_series.add(second)
        elif kind == "refund":
            self.refunds += 1
            self.refunded += data["amount"]
            self.refunds_series.add(second)
        elif kind == "like":
            self.likes += data["count"]
        elif kind == "gift":
            self.gifts += data["value"]
        elif kind == "product":
            self._product(data)
        elif kind == "status":
            self.status = {"start": "live", "pause": "paused", "end": "ended"}[data["state"]]
        elif kind == "complaint":
            self.complaints += 1

    def _product(self, data: dict) -> None:
        known = self.products.get(data["product_id"])
        if known is None:
            self.products[data["product_id"]] = Product(data["product_id"], data["title"], data["price"], data["price"],
                                                         data["action"] == "on")
            return
        known.title, known.price, known.on_shelf = data["title"], data["price"], data["action"] == "on"


@dataclass
class Sessions:
    """Every session seen, by (platform, session_id)."""

    by_key: dict[tuple[str, str], SessionState] = field(default_factory=dict)

    def apply(self, event: Event) -> SessionState:
        state = self.by_key.get(event.key)
        if state is None:
            state = SessionState(event.platform, event.session_id, event.ts, event.ts)
            self.by_key[event.key] = state
        state.apply(event)
        return state
