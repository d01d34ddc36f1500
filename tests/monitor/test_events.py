"""Event intake: each kind's fields checked, both shapes accepted, times read exactly, bad events counted and skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from livecommerce.monitor.events import EventRejected, Intake, parse

T0 = "2025-11-11T20:00:00+08:00"
EPOCH = datetime(2025, 11, 11, 12, 0, tzinfo=UTC).timestamp()  # the same instant


def line(**fields: object) -> str:
    return json.dumps({"platform": "douyin", "session_id": "S1", "ts": T0} | fields, ensure_ascii=False)


def test_a_chat_event_beside_or_in_data() -> None:
    flat = parse({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "chat", "user": "u1", "text": "最好的米"})
    nested = parse({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "chat", "data": {"user": "u1", "text": "最好的米"}})
    assert flat == nested
    assert (flat.key, flat.ts, flat.data) == (("douyin", "S1"), EPOCH, {"user": "u1", "text": "最好的米"})


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (T0, EPOCH),
        ("2025-11-11 20:00:00", EPOCH),  # naive is Shanghai wall time
        ("2025-11-11T12:00:00Z", EPOCH),
        (int(EPOCH * 1000), EPOCH),  # epoch milliseconds, as Douyin sends
    ],
)
def test_times(ts: object, expected: float) -> None:
    event = parse({"platform": "douyin", "session_id": "S1", "ts": ts, "kind": "like", "count": 3})
    assert event.ts == expected


def test_amounts_are_exact() -> None:
    intake = Intake()
    event = intake.read(line(kind="order", order_id="O1", amount=39.9, product_id="P1"))
    assert event is not None and event.data["amount"] == Decimal("39.9")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "shout"}, "unknown kind"),
        ({"platform": "douyin", "ts": T0, "kind": "like", "count": 1}, "missing session_id"),
        ({"platform": "myspace", "session_id": "S1", "ts": T0, "kind": "like", "count": 1}, "unknown platform"),
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "viewers"}, "missing viewers.online"),
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "viewers", "online": -5}, "viewers.online is a whole"),
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "status", "state": "paused"}, "status.state is one of"),
        ({"platform": "douyin", "session_id": "S1", "ts": "yesterday", "kind": "like", "count": 1}, "ts is an ISO 8601"),
        # a JSON array or object where a word belongs is refused like any wrong value (it is not hashable: no crash)
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": ["like"], "count": 1}, "unknown kind"),
        ({"platform": ["douyin"], "session_id": "S1", "ts": T0, "kind": "like", "count": 1}, "unknown platform"),
        ({"platform": "douyin", "session_id": "S1", "ts": T0, "kind": "status", "state": {"s": 1}}, "status.state is one of"),
        ({"platform": "douyin", "session_id": ["S1"], "ts": T0, "kind": "like", "count": 1}, "session_id is text"),
        ({"platform": "douyin", "session_id": "S" * 65, "ts": T0, "kind": "like", "count": 1}, "at most 64 characters"),
        # units mixed up: epoch seconds (1970-01-21 as milliseconds) and microseconds (the year 57,000)
        ({"platform": "douyin", "session_id": "S1", "ts": int(EPOCH), "kind": "like", "count": 1}, "between 2000 and 2100"),
        ({"platform": "douyin", "session_id": "S1", "ts": int(EPOCH * 1e6), "kind": "like", "count": 1}, "between 2000"),
        ({"platform": "douyin", "session_id": "S1", "ts": "1999-12-31T23:59:59Z", "kind": "like", "count": 1}, "between"),
    ],
)
def test_a_bad_event_says_why(raw: dict, reason: str) -> None:
    with pytest.raises(EventRejected, match=reason):
        parse(raw)


def test_bad_lines_are_counted_and_the_stream_goes_on() -> None:
    intake = Intake(lateness=30)
    lines = [
        line(kind="like", count=1),
        "{not json",
        line(kind="shout"),
        line(kind="like", count=2, ts="2025-11-11T20:01:00+08:00"),
        line(kind="like", count=3, ts="2025-11-11T20:00:29+08:00"),  # 31 s before the latest: far out of order
        line(kind="like", count=4, ts="2025-11-11T20:00:31+08:00"),
    ]  # 29 s before it: accepted
    events = [intake.read(text) for text in lines]
    assert [e.data["count"] if e else None for e in events] == [1, None, None, 2, None, 4]
    assert intake.accepted == 3 and sum(intake.rejected.values()) == 3
    assert intake.rejected["not JSON"] == 1
    assert [example[0] for example in intake.examples] == [2, 3, 5]


def test_a_numeric_session_id_is_its_digits() -> None:
    """Douyin's room ids are numbers; the session is keyed by their text."""
    event = parse({"platform": "douyin", "session_id": 7301234567890, "ts": T0, "kind": "like", "count": 1})
    assert event.key == ("douyin", "7301234567890")


def test_every_bad_shape_on_the_engine_is_counted_not_raised() -> None:
    """The same bad events through Engine.read (its chat fast path first): refused, counted, and the stream goes on."""
    from livecommerce.monitor.engine import Engine

    engine = Engine(scanner=None)
    good = line(kind="chat", user="u1", text="好")
    bad = [
        line(kind="chat", text="好", platform=["douyin"]),
        line(kind=["chat"], text="好"),
        line(kind="chat", text=["好"]),
        line(kind="chat", text="好", ts=1762862400),
        line(kind="chat", text="好", session_id={"id": 1}),
    ]
    for text in [good, *bad, good]:
        engine.read(text)
    assert (engine.intake.accepted, sum(engine.intake.rejected.values()), engine.events) == (2, 5, 2)
    assert engine.sessions[("douyin", "S1")].chat_lines == 2
