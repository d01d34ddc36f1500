"""The state of one live session (直播场次状态) as its events arrive: viewers now and in total, GMV, orders, refunds,
chat, likes, the products on the shelf with their prices, the last event time; the short windows the rules look at;
curves of the last half hour in 10-second buckets; the minute rows kept for the review (复盘). Every buffer has a fixed
bound, so the memory of a session does not grow however long it stays live (bench/monitor.py prints it)."""

from __future__ import annotations

import copyreg
import io
import pickle
import re
from array import array
from bisect import bisect_left, insort
from collections import deque
from decimal import Decimal
from typing import Any

from livecommerce.monitor.events import Event

STEP = 10  # seconds per curve bucket
SLOTS = 180  # curve buckets kept: half an hour
RECENT_CHAT = 20  # chat lines kept for the session page
RECENT_HITS = 50  # compliance hits kept for the session page
MAX_PRODUCTS = 500
MAX_MINUTES = 1440  # per-minute order counts kept for the median: a day
CURVES = ("online", "orders", "gmv_cents", "chat", "refunds")


class Ring:
    """Curves in buckets of ``step`` seconds over the last ``size`` buckets, interleaved in one array: the curves of
    one bucket are neighbours in memory (one cache line), written at once when the session's next bucket begins."""

    __slots__ = ("size", "step", "buckets", "values", "current", "slot")
    WIDTH = len(CURVES)
    AT = {name: i for i, name in enumerate(CURVES)}

    def __init__(self, size: int = SLOTS, step: int = STEP) -> None:
        self.size, self.step = size, step
        self.buckets = array("q", [-1]) * size
        self.values = array("q", [0]) * (size * self.WIDTH)
        self.current, self.slot = -1, 0  # the newest bucket and its slot: most events fall in it

    def _slot(self, second: float) -> int:
        bucket = int(second) // self.step
        if bucket == self.current:
            return self.slot
        slot = bucket % self.size
        if self.buckets[slot] != bucket:
            if self.buckets[slot] > bucket:
                return -1  # older than the ring: not kept
            self.buckets[slot] = bucket
            base = slot * self.WIDTH
            self.values[base : base + self.WIDTH] = array("q", [0]) * self.WIDTH
        if bucket > self.current:
            self.current, self.slot = bucket, slot
        return slot

    def add(self, name: str, second: float, amount: int = 1) -> None:
        slot = self._slot(second)
        if slot >= 0:
            self.values[slot * self.WIDTH + self.AT[name]] += amount

    def put(self, second: float, online: int | None, orders: int, gmv_cents: int, chat: int, refunds: int) -> None:
        """Every curve of one bucket at once (in the order of CURVES)."""
        bucket = int(second) // self.step
        slot = bucket % self.size
        if self.buckets[slot] > bucket:
            return  # older than the ring
        self.buckets[slot] = bucket
        base, values = slot * 5, self.values
        values[base], values[base + 1], values[base + 2] = online or 0, orders, gmv_cents
        values[base + 3], values[base + 4] = chat, refunds
        if bucket > self.current:
            self.current, self.slot = bucket, slot

    def series(self, name: str, until: float, count: int | None = None) -> list[tuple[int, int | None]]:
        """(bucket start second, value or None when no event fell in it) for the last ``count`` buckets up to ``until``."""
        last = int(until) // self.step
        count = min(count or self.size, self.size)
        at, width, values, buckets = self.AT[name], self.WIDTH, self.values, self.buckets
        out = []
        for bucket in range(last - count + 1, last + 1):
            slot = bucket % self.size
            out.append((bucket * self.step, values[slot * width + at] if buckets[slot] == bucket else None))
        return out


class Tally:
    """A sliding sum over the last ``window`` seconds, in per-second steps. Each step is one int, the second shifted
    left by 24 bits plus the amount (a deque of small ints is a third of the memory of [second, amount] pairs)."""

    __slots__ = ("window", "items", "total")

    def __init__(self, window: float) -> None:
        self.window = window
        self.items: deque[int] = deque()
        self.total = 0

    def add(self, second: int, amount: int = 1) -> None:
        items = self.items
        if items and items[-1] >> 24 == second and (items[-1] & 0xFFFFFF) + amount <= 0xFFFFFF:
            items[-1] += amount
        else:
            items.append((second << 24) | amount)
        self.total += amount

    def at(self, now: float) -> int:
        """The sum over (now − window, now]."""
        items, edge = self.items, now - self.window
        while items and items[0] >> 24 <= edge:
            self.total -= items.popleft() & 0xFFFFFF
        return self.total


class Gauge:
    """Online viewers as a step function: the samples of the last ``window`` seconds and the one held before them, so
    that the highest value of the window includes the value still standing at its start."""

    __slots__ = ("window", "samples")

    def __init__(self, window: float) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, ts: float, value: int) -> None:
        samples = self.samples
        samples.append((ts, value))
        edge = ts - self.window
        while len(samples) > 2 and samples[1][0] <= edge:
            samples.popleft()

    def highest(self, now: float) -> int:
        samples, edge = self.samples, now - self.window
        while len(samples) > 1 and samples[1][0] <= edge:
            samples.popleft()
        return max((v for t, v in samples if t <= now), default=0)


class Minutes:
    """Orders per minute of the session: the minute being counted, and the completed ones (a sorted copy for the
    median). A minute with no order counts 0."""

    __slots__ = ("start", "minute", "count", "done", "order")

    def __init__(self, start: float) -> None:
        self.start = start
        self.minute = 0
        self.count = 0
        self.done: list[int] = []
        self.order: deque[int] = deque()

    def roll(self, now: float) -> None:
        minute = int((now - self.start) // 60)
        while self.minute < minute:
            self._close(self.count)
            self.count = 0
            self.minute += 1
            if minute - self.minute > MAX_MINUTES:  # a long quiet stretch: all zeros
                for _ in range(min(minute - self.minute, MAX_MINUTES)):
                    self._close(0)
                self.minute = minute

    def _close(self, count: int) -> None:
        insort(self.done, count)
        self.order.append(count)
        if len(self.order) > MAX_MINUTES:
            old = self.order.popleft()
            del self.done[bisect_left(self.done, old)]

    def median(self) -> float:
        done, n = self.done, len(self.done)
        if not n:
            return 0.0
        return float(done[n // 2]) if n % 2 else (done[n // 2 - 1] + done[n // 2]) / 2


class Product:
    """A product on (or taken off) the session's shelf, with the price first seen and now."""

    __slots__ = ("product_id", "title", "first_price", "price", "on_shelf", "orders", "gmv")

    def __init__(self, product_id: str, title: str, price: Decimal, on_shelf: bool) -> None:
        self.product_id, self.title, self.first_price, self.price, self.on_shelf = product_id, title, price, price, on_shelf
        self.orders, self.gmv = 0, Decimal("0.00")


class MinuteRow:
    """One minute of a session for the review (复盘): what the curves show, a row of monitor_minutes."""

    __slots__ = ("minute", "online", "peak_online", "orders", "gmv", "refunds", "chat", "likes")

    def __init__(self, minute: int) -> None:
        self.minute = minute  # epoch second of the minute's start
        self.online = self.peak_online = self.orders = self.refunds = self.chat = self.likes = 0
        self.gmv = Decimal("0.00")

    def to_json(self) -> dict[str, Any]:
        return {name: (str(getattr(self, name)) if name == "gmv" else getattr(self, name)) for name in self.__slots__}


class SessionState:
    """Everything the rules, the wall and the review need to know about one live session."""

    # slots lie in memory in this order: what a chat line (two events in three) touches comes first, so that an event
    # of a session last seen seconds ago (its memory long out of the cache) reads one or two cache lines of it, not six
    __slots__ = (
        "status",
        "armed",
        "tick",
        "active",
        "specs_version",
        "specs",
        "bucket",
        "minute",
        "last_event",
        "chat_lines",
        "b_chat",
        "chat_window",
        "negative_lines",
        "recent_chat",
        "key",
        "fps",
        "negative_window",
        "online",
        "peak_online",
        "b_online",
        "viewers",
        "last_viewers",
        "total_viewers",
        "session_class",
        "orders",
        "gmv",
        "b_orders",
        "b_gmv",
        "orders_minute",
        "orders_window",
        "orders_long",
        "products",
        "platform",
        "session_id",
        "labels",
        "started",
        "refunds",
        "refunded",
        "likes",
        "gifts",
        "gifts_unvalued",
        "complaints",
        "ring",
        "refunds_window",
        "complaints_window",
        "hits_window",
        "recent_hits",
        "ended_at",
        "b_refunds",
        "release",
        "auto_ended",
    )

    def __init__(self, platform: str, session_id: str, ts: float, windows: dict[str, float]) -> None:
        self.platform, self.session_id, self.key = platform, session_id, (platform, session_id)
        self.labels: dict[str, str] = {"platform": platform, "session_id": session_id}
        self.started = self.last_event = ts
        self.status = "live"
        self.online = self.peak_online = self.total_viewers = 0
        self.gmv = self.refunded = self.gifts = Decimal("0.00")
        self.gifts_unvalued = 0  # gifts whose value the capture did not give
        self.orders = self.refunds = self.chat_lines = self.likes = self.complaints = self.negative_lines = 0
        self.products: dict[str, Product] = {}
        self.ring = Ring()
        # the newest curve bucket, counted in plain attributes and written to the ring when the next bucket begins
        self.bucket = int(ts) // STEP
        self.b_chat = self.b_orders = self.b_gmv = self.b_refunds = 0
        self.b_online: int | None = None
        self.viewers = Gauge(windows["viewers-drop"])
        self.last_viewers: float | None = None
        self.orders_minute = Minutes(ts)
        self.orders_window = Tally(windows["sales-spike"])
        self.orders_long = Tally(windows["refund-surge"])
        self.refunds_window = Tally(windows["refund-surge"])
        self.chat_window = Tally(windows["negative-chat"])
        self.negative_window = Tally(windows["negative-chat"])
        self.complaints_window = Tally(windows["complaint-surge"])
        self.hits_window: dict[str, Tally] = {}
        # the last chat lines (ts, the user's first character, text, negative): line n in slot n % RECENT_CHAT, each
        # new line written over the oldest (a list written in place, not a deque: less memory touched a line)
        self.recent_chat: list[tuple[float, str, str, bool] | None] = [None] * RECENT_CHAT
        self.recent_hits: deque[dict[str, Any]] = deque(maxlen=RECENT_HITS)
        self.minute = MinuteRow(int(ts) // 60 * 60)
        self.armed: float | None = None  # the next second its own clock must stop at (stall, no data, silent too long)
        # the session's own clock: the last whole second its rules of time were judged at (engine: per-session watermark)
        self.tick = int(ts) - 1
        # fingerprints of the session's pending, firing and nodata alerts (a dict: in the order they began)
        self.active: dict[str, None] = {}
        self.ended_at: float | None = None
        self.release: float | None = None  # an ended session is let go (out of memory) at this second of its clock
        self.auto_ended = False  # ended by silence, not by its own status end: its next event continues it
        self.session_class = ""
        self.fps: dict[str, str] = {}  # rule → fingerprint of the session's alert of that rule (labels of the session)
        self.specs: dict[str, Any] = {}  # the rules as they apply to this session (the engine fills it)
        self.specs_version = -1

    def meta(self, meta: dict[str, str]) -> None:
        for name, label in (("shop_id", "shop"), ("streamer_id", "streamer"), ("region", "region")):
            if name in meta and self.labels.get(label) != meta[name]:
                self.labels[label] = meta[name]
                self.fps.clear()

    def apply(self, event: Event, negative: re.Pattern[str] | None = None) -> MinuteRow | None:
        """Fold one event into the state; the minute row just completed, if this event begins a new minute."""
        ts = event.ts
        second = int(ts)
        done = None
        minute = second // 60 * 60
        if minute > self.minute.minute:
            done = self.next_minute(minute)
        row = self.minute
        if ts > self.last_event:
            self.last_event = ts
        data, kind = event.data, event.kind
        bucket = second // STEP
        if bucket != self.bucket:
            if bucket < self.bucket:  # a late event of an earlier bucket: straight into the ring
                self._late(event, second)
                bucket = -1
            else:
                self.next_bucket(bucket)
        if kind == "chat":
            if bucket < 0:
                self.b_chat -= 1  # counted in the ring by _late
            self.chat(ts, second, data["text"], data.get("user"), negative)
        elif kind == "viewers":
            online = self.online = data["online"]
            if online > self.peak_online:
                self.peak_online = online
            total = data.get("total", 0)
            if total > self.total_viewers:
                self.total_viewers = total
            if bucket >= 0:
                self.b_online = online
            self.viewers.add(ts, online)
            self.last_viewers = ts
            row.online = online
            if online > row.peak_online:
                row.peak_online = online
        elif kind == "order":
            amount = data["amount"]
            self.orders += 1
            self.gmv += amount
            if bucket >= 0:
                self.b_orders += 1
                self.b_gmv += int(amount * 100)
            self.orders_minute.roll(ts)
            self.orders_minute.count += 1
            self.orders_window.add(second)
            self.orders_long.add(second)
            row.orders += 1
            row.gmv += amount
            product = self.products.get(data.get("product_id", ""))
            if product is not None:
                product.orders += 1
                product.gmv += amount
        elif kind == "refund":
            self.refunds += 1
            self.refunded += data["amount"]
            if bucket >= 0:
                self.b_refunds += 1
            self.refunds_window.add(second)
            row.refunds += 1
        elif kind == "like":
            self.likes += data["count"]
            row.likes += data["count"]
        elif kind == "gift":
            value = data.get("value")  # absent: the capture does not give it (adapters), counted apart, never as 0
            if value is None:
                self.gifts_unvalued += data["count"]
            else:
                self.gifts += value
        elif kind == "product":
            self._product(data)
        elif kind == "status":
            self.status = {"start": "live", "pause": "paused", "end": "ended"}[data["state"]]
            self.ended_at = ts if self.status == "ended" else None
        elif kind == "complaint":
            self.complaints += 1
            self.complaints_window.add(second)
        return done

    def next_minute(self, minute: int) -> MinuteRow:
        """Begin the minute starting at epoch second ``minute``; the row of the minute that ends."""
        done, row = self.minute, MinuteRow(minute)
        row.online = row.peak_online = self.online
        self.minute = row
        return done

    def next_bucket(self, bucket: int) -> None:
        """Begin a curve bucket: the one that ends goes into the ring."""
        self.flush_curves()
        self.bucket = bucket
        self.b_chat = self.b_orders = self.b_gmv = self.b_refunds = 0
        self.b_online = self.online if self.last_viewers is not None else None  # a gauge holds its value

    def chat(self, ts: float, second: int, text: str, user: str | None, negative: re.Pattern[str] | None) -> None:
        """A chat line of the current bucket and minute (the engine's fast path for chat calls this directly)."""
        self.chat_lines += 1
        self.b_chat += 1
        window = self.chat_window  # Tally.add, written out: most events are chat
        items = window.items
        if items and items[-1] >> 24 == second:
            items[-1] += 1
        else:
            items.append((second << 24) | 1)
        window.total += 1
        self.minute.chat += 1
        bad = negative is not None and negative.search(text) is not None
        if bad:
            self.negative_lines += 1
            self.negative_window.add(second)
        # the user's first character only: all the page shows of a name (张***), and all that is kept of it
        self.recent_chat[self.chat_lines % RECENT_CHAT] = (ts, user[:1] if user else "", text, bad)

    def last_chat(self) -> list[tuple[float, str, str, bool]]:
        """The last RECENT_CHAT chat lines, oldest first: (ts, the user's first character, text, negative)."""
        ring, oldest = self.recent_chat, (self.chat_lines + 1) % RECENT_CHAT
        return [line for line in ring[oldest:] + ring[:oldest] if line is not None]

    def _late(self, event: Event, second: int) -> None:
        ring, kind, data = self.ring, event.kind, event.data
        if kind == "chat":
            ring.add("chat", second)
        elif kind == "order":
            ring.add("orders", second)
            ring.add("gmv_cents", second, int(data["amount"] * 100))
        elif kind == "refund":
            ring.add("refunds", second)

    def flush_curves(self) -> None:
        """Write the newest bucket's counts into the ring (again: they are totals, so writing twice is harmless)."""
        self.ring.put(self.bucket * STEP, self.b_online, self.b_orders, self.b_gmv, self.b_chat, self.b_refunds)

    def curve(self, name: str, until: float, count: int | None = None) -> list[tuple[int, int | None]]:
        """One curve (online, orders, gmv_cents, chat, refunds) of the last ``count`` 10-second buckets up to ``until``:
        (bucket start second, value, or None when no event fell in the bucket)."""
        self.flush_curves()
        return self.ring.series(name, until, count)

    def _product(self, data: dict[str, Any]) -> None:
        known = self.products.get(data["product_id"])
        if known is None:
            if len(self.products) < MAX_PRODUCTS:
                self.products[data["product_id"]] = Product(data["product_id"], data["title"], data["price"], data["action"] == "on")
            return
        known.title, known.price, known.on_shelf = data["title"], data["price"], data["action"] == "on"

    def summary(self) -> dict[str, Any]:
        """What the wall shows of the session (JSON-ready)."""
        return {
            **self.labels,
            "status": self.status,
            "started": self.started,
            "last_event": self.last_event,
            "online": self.online,
            "peak_online": self.peak_online,
            "total_viewers": self.total_viewers,
            "gmv": str(self.gmv),
            "orders": self.orders,
            "refunds": self.refunds,
            "refunded": str(self.refunded),
            "chat_lines": self.chat_lines,
            "likes": self.likes,
            "complaints": self.complaints,
            "session_class": self.session_class,
        }


def _reduce_deque(items: deque[Any]) -> tuple[Any, ...]:
    return deque, (list(items), items.maxlen)


_CHECKPOINT_TABLE = {**copyreg.dispatch_table, deque: _reduce_deque}


def dumps(value: Any) -> bytes:
    """``pickle.dumps(value, HIGHEST_PROTOCOL)`` for a checkpoint of sessions (the Redis consumer's engine): the same
    objects when loaded, with every deque (a session holds nine) written as its items and maxlen. A deque's own
    reduction asks copyreg._slotnames for its slots each time (a built-in type cannot keep the answer), a quarter of the
    time of pickling an engine; ``pickle.loads`` reads both."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _CHECKPOINT_TABLE
    pickler.dump(value)
    return buffer.getvalue()
