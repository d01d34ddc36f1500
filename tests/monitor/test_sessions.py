"""One room, one session: a room that falls silent for 2 hours is taken as ended, but its next event (anything but its
own status end) continues the same session and its figures; a lone status end of a session not held opens none; the
auto-end says the same number of seconds in its threshold and in its text. And the region an event carries is a
division code of Heilongjiang (a retired code is carried as its successor).

T is 2025-11-11 20:00:00 in Shanghai; ``at(s)`` is the ISO time s seconds later.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from livecommerce.monitor.alerts import iso
from livecommerce.monitor.engine import LONE_END, Engine
from livecommerce.monitor.events import EventRejected, parse

T = 1_762_862_400


def at(second: float) -> str:
    return iso(T + second)


def line(second: float, kind: str, session: str = "R1", **data: object) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": session, "ts": round((T + second) * 1000), "kind": kind, **data}, ensure_ascii=False
    )


def play(engine: Engine, lines: list[str]) -> list[tuple[str, str, str, str]]:
    out = [t for ln in lines for t in engine.read(ln)] + engine.close()
    return [(t.rule, t.state, iso(t.at), t.summary) for t in out]


def held(engine: Engine) -> int:
    """Sessions the engine knows: held now, or let go (kept for the store)."""
    return len(engine.sessions) + len(engine.ended)


def test_two_hours_of_silence_end_the_session_and_the_text_says_the_same_seconds() -> None:
    engine = Engine(scanner=None)
    got = play(
        engine, [line(0, "status", state="start"), line(10, "chat", text="在吗"), line(7212, "chat", text="回来了")]
    )  # the clock reaches 7210 = 10 + 7200
    assert got[0][:3] == ("stream-stalled", "firing", at(70))
    assert got[1] == (
        "stream-stalled",
        "resolved",
        at(7210),
        "已 7200 秒无任何事件（7200 秒以上视为结束）：直播中断：已 7200 秒未收到任何事件（阈值 60 秒）",
    )
    assert len(got) == 2


def test_7199_seconds_of_silence_do_not_end_the_session() -> None:
    engine = Engine(scanner=None)
    got = play(
        engine, [line(0, "status", state="start"), line(10, "chat", text="在吗"), line(7211, "chat", text="回来了")]
    )  # the clock reaches 7209: 7199 s silent
    assert [(rule, state, when) for rule, state, when, _ in got] == [
        ("stream-stalled", "firing", at(70)),
        ("stream-stalled", "resolved", at(7211)),
    ]
    assert got[1][3].startswith("直播恢复")
    state = engine.sessions[("douyin", "R1")]
    assert (state.status, state.auto_ended) == ("live", False)


def test_a_chat_after_the_auto_end_continues_the_same_session() -> None:
    engine = Engine(scanner=None)
    for ln in [line(0, "status", state="start"), line(5, "order", order_id="O1", amount="10.00"), line(10, "chat", text="在吗")]:
        engine.read(ln)
    first = engine.sessions[("douyin", "R1")]
    engine.read(line(7300, "chat", text="回来了"))  # ended by silence at 7210, then its room speaks again
    engine.read(line(7310, "order", order_id="O2", amount="20.00"))
    assert engine.sessions[("douyin", "R1")] is first and held(engine) == 1
    assert (first.status, first.ended_at, first.auto_ended) == ("live", None, False)
    assert (first.chat_lines, first.orders, str(first.gmv), first.started) == (2, 2, "30.00", T)
    assert first.armed == T + 7300 + 60  # watched for a stall again from its first event back


def test_the_rooms_own_end_after_an_auto_end_ends_it_for_good_in_the_same_session() -> None:
    engine = Engine(scanner=None)
    for ln in [
        line(0, "status", state="start"),
        line(10, "chat", text="在吗"),
        line(7400, "status", state="end"),
        line(7410, "chat", text="下次见"),
    ]:
        engine.read(ln)
    state = engine.sessions[("douyin", "R1")]
    assert (state.status, state.ended_at, state.auto_ended, state.chat_lines) == ("ended", T + 7400, False, 2)
    assert held(engine) == 1  # the late chat line after the end is counted in the ended session, not a new one


def test_one_room_stays_one_session_and_a_lone_end_opens_none() -> None:
    # the room: live, silent for more than 2 h, a chat, its end, then hours later another end
    engine = Engine(scanner=None)
    lines = (
        [line(0, "status", state="start")]
        + [line(s, "chat", text="好") for s in range(10, 101, 10)]
        + [line(7400, "chat", text="还在吗"), line(7500, "status", state="end"), line(20000, "status", state="end")]
    )
    for ln in lines:
        engine.read(ln)
    engine.close()
    assert held(engine) == 1 and engine.sessions == {}  # let go 600 s after its end
    [state] = engine.ended
    assert (state.chat_lines, state.started, state.ended_at) == (11, T, T + 7500)
    assert dict(engine.intake.rejected) == {LONE_END: 1}
    assert engine.intake.accepted == len(lines) - 1


def test_a_lone_end_of_an_unknown_session_opens_none() -> None:
    engine = Engine(scanner=None)
    assert engine.read(line(0, "status", "NEVER", state="end")) == []
    assert engine.sessions == {} and engine.ended == []
    assert engine.intake.accepted == 0 and engine.intake.examples[0][1] == LONE_END


def test_a_pause_or_a_start_of_an_unknown_session_still_opens_it() -> None:
    engine = Engine(scanner=None)
    engine.read(line(0, "status", "P", state="pause"))
    engine.read(line(0, "status", "S", state="start"))
    assert {key[1]: s.status for key, s in engine.sessions.items()} == {"P": "paused", "S": "live"}


@pytest.mark.parametrize("code", ["999999", "110101", "2301", "23010X"])
def test_a_region_outside_heilongjiangs_table_is_refused(code: str) -> None:
    with pytest.raises(EventRejected) as caught:
        parse({"platform": "douyin", "session_id": "R1", "ts": T * 1000, "kind": "like", "count": 1, "region": code})
    assert caught.value.reason.startswith("region is not a division code of Heilongjiang") and caught.value.value == code


def test_a_region_of_the_table_is_kept_and_a_retired_one_becomes_its_successor() -> None:
    def region(code: str) -> str | None:
        event = parse({"platform": "douyin", "session_id": "R1", "ts": T * 1000, "kind": "like", "count": 1, "region": code})
        return (event.meta or {}).get("region")

    assert region("230184") == "230184"  # 五常市
    assert region("230100") == "230100"  # 哈尔滨市
    assert region("232723") == "232701"  # 漠河县 → 漠河市
    assert region("230182") == "230113"  # 双城市 → 双城区


def test_a_refused_region_is_counted_by_the_engine() -> None:
    engine = Engine(scanner=None)
    engine.read(line(0, "like", count=1, region="110101"))
    engine.read(line(1, "like", count=1, region="232723"))
    assert engine.intake.accepted == 1 and engine.sessions[("douyin", "R1")].labels["region"] == "232701"
    assert list(engine.intake.rejected) == [
        "region is not a division code of Heilongjiang (GB/T 2260, or a retired code with one successor)"
    ]


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_live_intake_refuses_a_lone_end_with_its_reason(home: Any) -> None:
    from livecommerce.monitor.hub import Hub

    hub = Hub(home, scanner=None, clock=Clock(T + 10))
    answer = hub.submit([line(0, "status", "R9", state="end")])
    assert answer == {"accepted": 0, "rejected": 1, "reasons": {LONE_END: 1}, "examples": [{"line": 1, "reason": LONE_END}]}
    assert hub.engine.sessions == {}


def test_live_a_room_silent_for_two_hours_is_ended_by_the_wall_clock_and_its_next_chat_continues_it(home: Any) -> None:
    from livecommerce.accounts.actors import UserActor
    from livecommerce.core.db import session_scope
    from livecommerce.monitor import service
    from livecommerce.monitor.hub import Hub

    admin = UserActor(1, "admin", "province_admin")
    clock = Clock(T + 10)
    hub = Hub(home, scanner=None, clock=clock)
    hub.submit(
        [line(0, "status", state="start", region="230102"), line(5, "order", order_id="O1", amount="10.00"), line(10, "chat", text="在吗")]
    )
    clock.now = T + 7212  # the wall clock less 2 s of lag reaches 7210: 7200 s without any event
    hub.step()
    with session_scope(home) as db:
        assert service.get_session(db, admin, "douyin", "R1")["status"] == "ended"
    clock.now = T + 7300
    hub.submit([line(7300, "chat", text="回来了"), line(7301, "order", order_id="O2", amount="20.00")])
    hub.step()
    with session_scope(home) as db:
        stored = service.get_session(db, admin, "douyin", "R1")
    assert (stored["status"], stored["orders"], stored["gmv"], stored["chat_lines"]) == ("live", 2, "30.00", 2)
    assert len(hub.engine.sessions) == 1 and hub.engine.ended == []
