"""Live events (直播实时事件, DESIGN.md "events"): what the platforms push while a room is live, checked one by one.

Every event has platform, session_id, ts and kind; the fields of its kind stand beside them or in a ``data`` object
(both shapes are accepted; a platform's own messages go through monitor.adapters first). ``ts`` is an ISO 8601 time
(naive means Shanghai wall time) or epoch milliseconds, as the platforms send. Amounts are exact: JSON numbers are read
as Decimal. A bad event is rejected with its reason and counted, and the stream goes on (``Intake``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from livecommerce.core.timeutil import SHANGHAI
from livecommerce.reference.codes import PLATFORMS
from livecommerce.reference.regions import current_code

# kind → its fields and their types: int (a count ≥ 0), money (Decimal ≥ 0), text, or a set of allowed words
KINDS: dict[str, dict[str, Any]] = {
    "viewers": {"online": "int", "total": "int"},
    "chat": {"user": "text", "text": "text"},
    "like": {"count": "int"},
    "gift": {"name": "text", "count": "int", "value": "money"},
    "order": {"order_id": "text", "amount": "money", "product_id": "text"},
    "refund": {"order_id": "text", "amount": "money"},
    "product": {"product_id": "text", "title": "text", "price": "money", "action": {"on", "off"}},
    "transcript": {"text": "text"},
    "status": {"state": {"start", "pause", "end"}},
    "complaint": {"text": "text", "channel": "text"},
    "enter": {"user": "text"},  # a viewer came into the room (Douyin WebcastMemberMessage, 来了)
    "follow": {"user": "text"},  # a viewer followed the streamer (Douyin WebcastSocialMessage, 关注)
}
# gift.value absent = a value the capture does not give (Douyin sends 抖币, not money): sums count it apart, never as 0
OPTIONAL = {
    ("order", "product_id"),
    ("complaint", "channel"),
    ("chat", "user"),
    ("viewers", "total"),
    ("enter", "user"),
    ("follow", "user"),
    ("gift", "value"),
}
MAX_TEXT = 10_000
MAX_ID = 64  # platform ids (session, shop, streamer) as the store keeps them
# the times an event may carry: a ts outside them is a unit mix-up (epoch seconds or microseconds sent as milliseconds)
# that would move the watermark years away and stall every other session
FIRST_TS, LAST_TS = 946_684_800_000, 4_102_444_800_000  # 2000-01-01 and 2100-01-01, UTC, in epoch milliseconds
# One decoder for every line: msgspec's, about three times as fast as the standard library's (bench/monitor.py), with
# every JSON number that has a fraction or an exponent read as an exact Decimal.
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
PLATFORM_CODES = frozenset(code.code for code in PLATFORMS)


class EventRejected(ValueError):
    """An event the intake refuses, with the reason in words (and the field and value when there is one)."""

    def __init__(self, reason: str, field_name: str | None = None, value: Any = None) -> None:
        super().__init__(reason)
        self.reason, self.field, self.value = reason, field_name, value


# who and where, on any event (a platform sends them with the session's start; the registry fills them otherwise)
META = ("shop_id", "streamer_id", "region")


class Event:
    """One checked event: where it comes from, when (epoch seconds, UTC), what, and the fields of its kind; ``meta``
    holds the optional shop_id, streamer_id and region (a 6-digit code) the event carried; ``key`` is the live session
    it belongs to: (platform, session_id), the natural key of DESIGN.md's live_sessions."""

    __slots__ = ("platform", "session_id", "ts", "kind", "data", "meta", "key")

    def __init__(
        self, platform: str, session_id: str, ts: float, kind: str, data: dict[str, Any], meta: dict[str, str] | None = None
    ) -> None:
        self.platform, self.session_id, self.ts, self.kind, self.data, self.meta = platform, session_id, ts, kind, data, meta
        self.key = (platform, session_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __repr__(self) -> str:
        return f"Event({self.platform!r}, {self.session_id!r}, {self.ts!r}, {self.kind!r}, {self.data!r}, {self.meta!r})"


def _time(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise EventRejected("ts is an ISO 8601 time or epoch milliseconds", "ts", value)
    if isinstance(value, (int, Decimal)):
        ms = float(value)
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise EventRejected("ts is an ISO 8601 time or epoch milliseconds", "ts", value) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        ms = moment.timestamp() * 1000.0
    if not FIRST_TS <= ms < LAST_TS:
        raise EventRejected("ts is between 2000 and 2100 (epoch milliseconds: not seconds, not microseconds)", "ts", value)
    return ms / 1000.0


def _field(kind: str, name: str, spec: Any, value: Any) -> Any:
    if spec == "int":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value) or value < 0:
            raise EventRejected(f"{kind}.{name} is a whole number ≥ 0", name, value)
        return int(value)
    if spec == "money":
        try:
            amount = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise EventRejected(f"{kind}.{name} is an amount ≥ 0", name, value)
        return amount
    if spec == "text":
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise EventRejected(f"{kind}.{name} is text", name, value)
        text = str(value)
        if len(text) > MAX_TEXT:
            raise EventRejected(f"{kind}.{name} is longer than {MAX_TEXT:,} characters", name, text[:40])
        return text
    if type(value) is not str or value not in spec:
        raise EventRejected(f"{kind}.{name} is one of {', '.join(sorted(spec))}", name, value)
    return value


# the fast path of each kind: (field, 0 count | 1 text | 2 money | the allowed words, optional)
_FAST: dict[str, tuple[tuple[str, Any, bool], ...]] = {
    kind: tuple(
        (name, {"int": 0, "text": 1, "money": 2}.get(spec, spec) if isinstance(spec, str) else spec, (kind, name) in OPTIONAL)
        for name, spec in fields.items()
    )
    for kind, fields in KINDS.items()
}


def parse(raw: Any) -> Event:
    """One event from its decoded JSON object; EventRejected says why not.

    The common shape (flat, epoch-ms ts, well-typed fields, no who-and-where) takes a fast path; anything else, good or
    bad, goes through the full checks, which give the reason."""
    if type(raw) is dict and "data" not in raw and "shop_id" not in raw and "streamer_id" not in raw and "region" not in raw:
        kind, platform, session_id, ts = raw.get("kind"), raw.get("platform"), raw.get("session_id"), raw.get("ts")
        if (
            type(ts) is int
            and FIRST_TS <= ts < LAST_TS
            and type(session_id) is str
            and 0 < len(session_id) <= MAX_ID
            and type(platform) is str
            and platform in PLATFORM_CODES
            and type(kind) is str
            and kind in _FAST
        ):
            data = {}
            for name, code, optional in _FAST[kind]:
                value = raw.get(name)
                if value is None and optional:
                    continue
                if code == 0:
                    if type(value) is not int or value < 0:
                        break
                elif code == 1:
                    if type(value) is not str or len(value) > MAX_TEXT:
                        break
                elif code == 2:
                    if type(value) is int and value >= 0:
                        value = Decimal(value)
                    elif type(value) is not Decimal or not value.is_finite() or value < 0:
                        break
                elif type(value) is not str or value not in code:
                    break
                data[name] = value
            else:
                return Event(platform, session_id, ts / 1000.0, kind, data, None)
    return _parse(raw)


def _parse(raw: Any) -> Event:
    if not isinstance(raw, dict):
        raise EventRejected("an event is a JSON object")
    kind = raw.get("kind")
    if type(kind) is not str or kind not in KINDS:
        raise EventRejected(f"unknown kind; one of {', '.join(KINDS)}", "kind", kind)
    for name in ("platform", "session_id", "ts"):
        if raw.get(name) in (None, ""):
            raise EventRejected(f"missing {name}", name)
    platform = str(raw["platform"])
    if platform not in PLATFORM_CODES:
        raise EventRejected("unknown platform", "platform", platform)
    session_id = raw["session_id"]
    if not isinstance(session_id, (str, int)) or isinstance(session_id, bool) or len(str(session_id)) > MAX_ID:
        raise EventRejected(f"session_id is text of at most {MAX_ID} characters", "session_id", session_id)
    nested = raw.get("data")
    payload: dict[str, Any] = nested if isinstance(nested, dict) else raw
    data = {}
    for name, spec in KINDS[kind].items():
        if payload.get(name) is None:
            if (kind, name) in OPTIONAL:
                continue
            raise EventRejected(f"missing {kind}.{name}", name)
        data[name] = _field(kind, name, spec, payload[name])
    meta: dict[str, str] | None = None
    for name in META:
        value = payload.get(name, raw.get(name))
        if value not in (None, ""):
            if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > MAX_ID:
                raise EventRejected(f"{name} is text of at most {MAX_ID} characters", name, value)
            meta = meta or {}
            meta[name] = str(value)
    if meta and "region" in meta:
        meta["region"] = _region(meta["region"])
    return Event(platform, str(session_id), _time(raw["ts"]), kind, data, meta)


def _region(code: str) -> str:
    """The region's current code: a GB/T 2260 code of Heilongjiang's table, or a retired one, which the event then
    carries as its successor (reference.regions.current_code); anything else (999999, Beijing's 110101) is refused."""
    current = current_code(code) if len(code) == 6 and code.isdigit() else None
    if current is None:
        raise EventRejected(
            "region is not a division code of Heilongjiang (GB/T 2260, or a retired code with one successor)", "region", code
        )
    return current


@dataclass
class Intake:
    """Reads events line by line: good ones out, bad ones counted by reason (and the first few kept with their line),
    an event more than ``lateness`` seconds older than the latest of its session rejected as far out of order."""

    lateness: float = 30.0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str, str]] = field(default_factory=list)
    latest: dict[tuple[str, str], float] = field(default_factory=dict)
    line: int = 0

    def read(self, text: str) -> Event | None:
        """The event of one JSON line, or None (counted) when it is refused."""
        event = self.decode(text)
        if event is None:
            return None
        key, ts = event.key, event.ts
        newest = self.latest.get(key)
        if newest is None or ts > newest:
            self.latest[key] = ts
        elif ts < newest - self.lateness:
            self.unaccept(self.late(newest, ts), text)
            return None
        return event

    def decode(self, text: str) -> Event | None:
        """The event of one JSON line, checked but for its order (the engine judges that against the session's state),
        or None (counted) when it is refused."""
        self.line += 1
        try:
            raw = _DECODER.decode(text)
        except (ValueError, msgspec.DecodeError):
            self.refuse("not JSON", text)
            return None
        return self.check(raw, text)

    def check(self, raw: Any, text: str) -> Event | None:
        """The event of a decoded line (its line already counted), or None (counted) when it is refused."""
        try:
            event = parse(raw)
        except EventRejected as exc:
            self.refuse(exc.reason, text)
            return None
        self.accepted += 1
        return event

    def late(self, newest: float, ts: float) -> str:
        return f"far out of order: {newest - ts:.0f} s before the session's latest event"

    def refuse(self, reason: str, text: str | None = None) -> None:
        """Count a refused line by its reason; the first 20 are kept as examples when their text is given."""
        self.rejected[reason] += 1
        if text is not None and len(self.examples) < 20:
            self.examples.append((self.line, reason, text[:120]))

    def unaccept(self, reason: str, text: str | None = None) -> None:
        """Take back an event its checks accepted and a later judgement refused (far out of order for its session, an
        end of a session not held, outside the live clock): no longer counted as accepted, counted as refused."""
        self.accepted -= 1
        self.refuse(reason, text)

    def forget(self, key: tuple[str, str], ts: float) -> None:
        """Forget ``ts`` as the latest of its session when it is (a refused event's wrong clock must not make the
        session's next events late)."""
        if self.latest.get(key) == ts:
            del self.latest[key]
