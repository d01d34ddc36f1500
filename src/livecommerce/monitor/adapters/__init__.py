"""Platform adapters (issue 14 point 6): a platform's own live messages, in the JSON shapes public capture tools write
(tests/monitor/fixtures/douyin and kuaishou cite each), turned into the monitor's events (monitor.events). The adapter
only translates; the Intake then checks each event like any other, so a bad value is still refused with its reason —
but for a platform's quick path (``Adapter.take``: Douyin's commonest protobuf lines), which checks what the Intake
would and gives the event's fields as the Intake would have built them, and sends any line it does not fully check
the full way.

``adapt(raw, source, session=None)`` gives, for one decoded JSON line, a list of outcomes: an event dict, ``Ignored``
(a known message the monitor does not use, an unknown method, a duplicate — counted by reason, never refused) or
``Refused`` (with its reason: no room id, no time, not a message of that platform). One line may hold several
messages (a poll response, a Kuaishou feed push), so one line may give several outcomes.

What every adapter shares lives in ``Adapter``: the keyed hash of user ids, the de-duplication of message ids and the
counts of what was ignored. docs/monitor.md "Events" says what each platform's messages become.
"""

from __future__ import annotations

import secrets
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

import msgspec

from livecommerce.monitor.events import _DECODER, FIRST_TS, LAST_TS, Event, Intake

if TYPE_CHECKING:
    from livecommerce.monitor.alerts import Transition
    from livecommerce.monitor.engine import Engine

DEDUP_IDS = 262_144  # message ids remembered per adapter (about 25 MB at most); a re-polled batch repeats seconds-old ids
CENT = Decimal("0.01")
_ENCODER = msgspec.json.Encoder()  # Decimal amounts are written as strings, which the Intake reads exactly


@dataclass(frozen=True)
class Ignored:
    """A message counted and skipped: known but not used, of an unknown method, or a duplicate."""

    reason: str


@dataclass(frozen=True)
class Refused:
    """A message refused, with the reason in words."""

    reason: str


Outcome = dict[str, Any] | Ignored | Refused


class Adapter:
    """One platform's adapter with its memory: the hash key, the message ids seen, the counts of what was ignored.

    User ids are pseudonymised with keyed BLAKE2b (RFC 7693 keyed mode, 64-bit digest) under a random key drawn when
    the adapter is made and never stored: the same viewer has the same pseudonym within one replay or one server
    process, and nobody holding a list of short Douyin ids can find them among the pseudonyms (they would need the
    key). Message ids are remembered in a bounded first-in-first-out set of ``dedup`` ids (``seen`` and ``order``)."""

    def __init__(self, source: str, key: bytes | None = None, dedup: int = DEDUP_IDS) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
        self.source = source
        self.translate: Callable[[Adapter, Any, str | None, int | None], list[Outcome]] = SOURCES[source]
        # the platform's quick path for its commonest lines: (kind, room, ms, the event's data), Ignored, or None
        self.take: Callable[[Adapter, str], tuple[str, str, int, dict[str, Any]] | Ignored | None] | None = TAKE.get(source)
        self.key = key if key is not None else secrets.token_bytes(32)
        self.keyed = blake2b(key=self.key, digest_size=8)  # copied for each id: the key is set up once
        self.seen: set[Any] = set()
        self.order: deque[Any] = deque()
        self.dedup = dedup
        self.ignored: Counter[str] = Counter()

    def adapt(self, raw: Any, session: str | None = None, now: int | None = None) -> list[Outcome]:
        """The outcomes of one decoded JSON line; ``session`` names the room when a message has none, ``now`` (epoch
        ms, the server's clock on the live path) dates a message that carries no time of its own."""
        out = self.translate(self, raw, session, now)
        for outcome in out:
            if type(outcome) is Ignored:
                self.ignored[outcome.reason] += 1
        return out

    def line(self, text: str, session: str | None = None, now: int | None = None) -> list[Outcome] | None:
        """The outcomes of one JSON line (None when it is not JSON): the platform's quick path for its commonest shape
        first (typed decoding, bench/monitor.py), else the line decoded and translated in full."""
        got = self.take(self, text) if self.take is not None else None
        if got is None:
            return self.full(text, session, now)
        if isinstance(got, Ignored):
            self.ignored[got.reason] += 1
            return [got]
        kind, room, ms, data = got
        return [{"platform": self.source, "session_id": room, "ts": ms, "kind": kind, **data}]

    def full(self, text: str, session: str | None = None, now: int | None = None) -> list[Outcome] | None:
        """The outcomes of one JSON line decoded and translated in full (None when it is not JSON)."""
        try:
            raw = _DECODER.decode(text)
        except ValueError:
            return None
        return self.adapt(raw, session, now)

    def user(self, uid: Any) -> str | None:
        """The pseudonym of a platform user id (None for none): "u" and the keyed hash of the id's text, in hex.

        Computed for every message, not kept: a dict of the pseudonyms of the bench's 88,000 viewers was measured slower
        than hashing again (bench/monitor.py, 2026-12-07: the adapter +23% to +28% against +18% to +22%), because a lookup in it
        misses the CPU cache about as long as the hash takes and each new entry keeps two more strings alive."""
        if uid is None or uid == "" or uid == 0:
            return None
        keyed = self.keyed.copy()
        keyed.update(str(uid).encode())
        return "u" + keyed.hexdigest()

    def fresh(self, msg_id: Any) -> bool:
        """True the first time a message id is seen (ids missing or 0 are always fresh)."""
        if msg_id is None or msg_id == "" or msg_id == 0:
            return True
        if msg_id in self.seen:
            return False
        self.remember(msg_id)
        return True

    def remember(self, msg_id: Any) -> None:
        """Keep a message id (the oldest one forgotten when ``dedup`` are kept)."""
        if len(self.order) >= self.dedup:
            self.seen.discard(self.order.popleft())
        self.seen.add(msg_id)
        self.order.append(msg_id)

    def read(self, intake: Intake, line: str, session: str | None = None, now: int | None = None) -> list[Event]:
        """The checked events of one JSON line of platform messages. The intake counts the line once (its examples of
        refused messages name the line of the file) and each event accepted or refused with its reason (summed in
        ``intake.rejected``, not ``intake.line``: one line may hold several messages); ignored ones are counted here."""
        intake.line += 1
        outcomes = self.line(line, session, now)
        if outcomes is None:
            intake.refuse("not JSON", line)
            return []
        events = []
        for outcome in outcomes:
            if type(outcome) is dict:
                event = intake.check(outcome, line)
                if event is not None:
                    events.append(event)
            elif type(outcome) is Refused:
                intake.refuse(outcome.reason, line)
        return events

    def feed(self, engine: Engine, line: str, session: str | None = None, now: int | None = None) -> list[Transition]:
        """One line of platform messages into ``engine``, as ``Engine.read`` takes one of the monitor's own lines: the
        transitions (bench/monitor.py times this path). The platform's quick path gives a common line's fields already
        checked, which go straight to the engine: a chat line to its fast path (``Engine.chat``), any other as the Event
        the Intake would have built — no event dict that is then checked again. Any other line is translated in full
        and each event checked by the Intake."""
        intake = engine.intake
        intake.line += 1
        take = self.take
        got = take(self, line) if take is not None else None
        if got is not None:
            if isinstance(got, Ignored):
                self.ignored[got.reason] += 1
                return []
            kind, room, ms, data = got
            if kind == "chat" and engine.fast:
                done = engine.chat(self.source, room, ms, data["text"], data.get("user"))
                if done is not None:
                    return done
            intake.accepted += 1  # what Intake.check counts for the event it builds
            return engine.feed(Event(self.source, room, ms / 1000.0, kind, data, None), line)
        outcomes = self.full(line, session, now)
        if outcomes is None:
            intake.refuse("not JSON", line)
            return []
        out: list[Transition] = []
        for outcome in outcomes:
            if type(outcome) is dict:
                if engine.fast and outcome["kind"] == "chat":
                    done = engine.chat(outcome["platform"], outcome["session_id"], outcome["ts"], outcome.get("text"), outcome.get("user"))
                    if done is not None:
                        out.extend(done)
                        continue
                event = intake.check(outcome, line)
                if event is not None:
                    out.extend(engine.feed(event, line))
            elif type(outcome) is Refused:
                intake.refuse(outcome.reason, line)
        return out

    def summary(self) -> str:
        """The ignored messages in words: "12 ignored (WebcastRoomIntroMessage 2, duplicate msg_id 10)"."""
        total = sum(self.ignored.values())
        if not total:
            return "0 ignored"
        return f"{total:,} ignored (" + ", ".join(f"{reason} {n:,}" for reason, n in self.ignored.most_common()) + ")"

    def lines(self, texts: list[str], session: str | None, now: int) -> Batch:
        """A batch of JSON lines of platform messages (the live path) as the monitor's own JSON lines, with the number
        of the line each came from, the messages refused and the ones ignored."""
        batch = Batch([], [], [], Counter())
        before = Counter(self.ignored)
        for number_, text in enumerate(texts, 1):
            outcomes = self.line(text, session, now)
            if outcomes is None:
                batch.refused.append((number_, "not JSON"))
                continue
            for outcome in outcomes:
                if type(outcome) is dict:
                    batch.events.append(_ENCODER.encode(outcome).decode())
                    batch.origin.append(number_)
                elif type(outcome) is Refused:
                    batch.refused.append((number_, outcome.reason))
        batch.ignored = self.ignored - before
        return batch


@dataclass
class Batch:
    """A batch of platform lines translated: the events as JSON lines and the line each came from; what was refused
    (line, reason) and ignored (reason → count)."""

    events: list[str]
    origin: list[int]
    refused: list[tuple[int, str]]
    ignored: Counter[str]


_LIVE: dict[str, Adapter] = {}


def live_adapter(source: str) -> Adapter:
    """The process's adapter of a platform for the live path (its memory of message ids lasts across requests)."""
    adapter = _LIVE.get(source)
    if adapter is None:
        adapter = _LIVE[source] = Adapter(source)
    return adapter


def submit(live: Any, source: str, session: str | None, lines: list[str]) -> dict[str, Any]:
    """A batch of ``source``'s own messages through the process's adapter, then the live monitor (``live``: the hub):
    the hub's answer with the lines numbered as sent, the adapter's refusals added and what it ignored ({reason:
    count})."""
    batch = live_adapter(source).lines(lines, session or None, int(live.clock() * 1000))
    answer: dict[str, Any] = live.submit(batch.events) if batch.events else {"accepted": 0, "rejected": 0, "reasons": {}, "examples": []}
    for example in answer["examples"]:
        example["line"] = batch.origin[example["line"] - 1]
    for line, reason in batch.refused:
        answer["rejected"] += 1
        answer["reasons"][reason] = answer["reasons"].get(reason, 0) + 1
        if len(answer["examples"]) < 20:
            answer["examples"].append({"line": line, "reason": reason})
    answer["examples"].sort(key=lambda example: example["line"])
    answer["ignored"] = dict(batch.ignored)
    return answer


def pick(data: Any, *names: str) -> Any:
    """The first of ``names`` that ``data`` (a dict) has with a value other than None and ""."""
    if type(data) is not dict:
        return None
    for name in names:
        value = data.get(name)
        if value is not None and value != "":
            return value
    return None


def number(value: Any) -> int | None:
    """A whole number from a JSON number or a string of digits (protobuf's JSON writes 64-bit ints as strings)."""
    if type(value) is int:
        return value
    if type(value) is str and value.isdecimal():  # what int() reads (isdigit() also takes ², which int() refuses)
        return int(value)
    if type(value) is Decimal and value == value.to_integral_value():
        return int(value)
    return None


def epoch_ms(value: Any) -> int | None:
    """Epoch milliseconds from a platform time: milliseconds, or seconds when the number is too small for them."""
    n = number(value)
    if n is None or n <= 0:
        return None
    return n * 1000 if n < 100_000_000_000 else n


def id_time(msg_id: Any) -> int | None:
    """Epoch milliseconds from a Douyin message id, whose high 32 bits are its second (checked on public captures,
    docs/monitor.md); None when the id gives no time between 2000 and 2100."""
    n = number(msg_id)
    if n is None:
        return None
    ms = (n >> 32) * 1000
    return ms if FIRST_TS <= ms < LAST_TS else None


def yuan(fen: Any) -> Decimal | Any:
    """Yuan from an amount in fen (1990 → 19.90); anything not a whole number is passed on for the Intake to refuse."""
    n = number(fen)
    return Decimal(n).scaleb(-2).quantize(CENT) if n is not None else fen


def adapt(raw: Any, source: str, session: str | None = None, adapter: Adapter | None = None) -> list[Outcome]:
    """The outcomes of one decoded line of ``source``'s messages (a fresh adapter unless one is given)."""
    return (adapter or Adapter(source)).adapt(raw, session)


from livecommerce.monitor.adapters import douyin, kuaishou  # noqa: E402  (the registry needs the helpers above)

SOURCES: dict[str, Callable[[Adapter, Any, str | None, int | None], list[Outcome]]] = {
    "douyin": douyin.translate,
    "kuaishou": kuaishou.translate,
}
TAKE: dict[str, Callable[[Adapter, str], tuple[str, str, int, dict[str, Any]] | Ignored | None]] = {"douyin": douyin.take}
