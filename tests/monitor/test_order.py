"""Each session has its own clock: any order of the input that keeps each session's own events in order gives the same
transitions (two captures joined one after the other, partitions read at different speeds), and an event far behind
its own session's latest is refused and counted, however far the other sessions are.

T is 2025-11-11 20:00:00 in Shanghai; ``at(s)`` is the ISO time s seconds later.
"""

from __future__ import annotations

import json

from livecommerce.monitor.alerts import iso
from livecommerce.monitor.engine import Engine

T = 1_762_862_400


def at(second: float) -> str:
    return iso(T + second)


def line(second: float, kind: str, session: str, **data: object) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": session, "ts": round((T + second) * 1000), "kind": kind, **data}, ensure_ascii=False
    )


def transitions(lines: list[str], engine: Engine | None = None) -> set[tuple[str, str, str, str]]:
    engine = engine or Engine()
    out = [t for ln in lines for t in engine.read(ln)] + engine.close()
    return {(t.rule, t.session_id, t.state, iso(t.at)) for t in out}


def by_time(lines: list[str]) -> list[str]:
    return sorted(lines, key=lambda ln: json.loads(ln)["ts"])


# capture 1: room A, quiet for five minutes (a chat line every 30 s, nothing to alert)
ROOM_A = [line(0, "status", "A", state="start")] + [line(s, "chat", "A", text="好吃吗") for s in range(30, 301, 30)]
# capture 2: room B over the same five minutes: viewers fall from 1,000 to 400 at 10 s, a chat line asks buyers to
# add a WeChat at 20 s, a like at 30 s, then nothing
ROOM_B = [
    line(0, "status", "B", state="start"),
    line(0, "viewers", "B", online=1000),
    line(10, "viewers", "B", online=400),
    line(20, "chat", "B", text="加微信私聊下单"),
    line(30, "like", "B", count=1),
]
# worked out by hand: the drop of 60% (以上 50%) fires at 10; the chat line is a compliance hit at 20; at 70 the
# highest count of the last 60 s is the 400 itself, so the fall is 0% and the drop resolves; silent from 30, B stalls
# at 90; the hit resolves only after 300 s without another (320), beyond the input's end (300)
EXPECTED = {
    ("viewers-drop", "B", "firing", at(10)),
    ("compliance-hit", "B", "firing", at(20)),
    ("viewers-drop", "B", "resolved", at(70)),
    ("stream-stalled", "B", "firing", at(90)),
}


def test_two_captures_joined_give_the_alerts_of_the_interleaved_evening() -> None:
    interleaved = transitions(by_time(ROOM_A + ROOM_B))
    joined = transitions(ROOM_A + ROOM_B)  # room B's events come after room A's later ones
    b_first = transitions(ROOM_B + ROOM_A)
    assert interleaved == joined == b_first == EXPECTED


def test_the_joined_captures_refuse_nothing() -> None:
    engine = Engine()
    transitions(ROOM_A + ROOM_B, engine)
    assert (engine.intake.accepted, dict(engine.intake.rejected)) == (16, {})


def test_a_session_that_went_silent_is_judged_up_to_the_end_of_the_input_in_any_order() -> None:
    # room B alone stops at 30 s; the input runs to 300 s because of room A, whichever comes first in the file
    for lines in (by_time(ROOM_A + ROOM_B), ROOM_A + ROOM_B, ROOM_B + ROOM_A):
        got = transitions(lines)
        assert ("stream-stalled", "B", "firing", at(90)) in got


def test_an_event_far_behind_its_own_sessions_latest_is_refused_and_counted() -> None:
    # B's newest is 30 s; a B line at -15 s is 45 s behind it (beyond the 30 s allowed), one at 5 s only 25 s: kept.
    # Room A is 300 s ahead of both: that does not make B's lines late.
    engine = Engine(scanner=None)
    lines = ROOM_A + ROOM_B + [line(-15, "like", "B", count=1), line(5, "like", "B", count=2)]
    for ln in lines:
        engine.read(ln)
    engine.close()
    assert engine.intake.accepted == len(lines) - 1
    assert dict(engine.intake.rejected) == {"far out of order: 45 s before the session's latest event": 1}
    assert engine.sessions[("douyin", "B")].likes == 1 + 2
    assert engine.intake.examples == [(17, "far out of order: 45 s before the session's latest event", line(-15, "like", "B", count=1))]


def test_a_synthetic_evening_session_by_session_gives_the_same_transitions_as_in_time_order() -> None:
    from livecommerce.monitor.synth import evening

    lines = list(evening(sessions=24, seconds=420, seed=3))
    session_of = {ln: json.loads(ln)["session_id"] for ln in lines}
    grouped = sorted(lines, key=lambda ln: session_of[ln])  # stable: each session's own order is kept
    reverse = sorted(lines, key=lambda ln: session_of[ln], reverse=True)
    in_time = transitions(lines)
    assert len(in_time) >= 10
    assert transitions(grouped) == in_time
    assert transitions(reverse) == in_time


def test_the_fast_path_for_chat_gives_the_same_in_any_order() -> None:
    from livecommerce.monitor.synth import evening

    lines = list(evening(sessions=12, seconds=300, seed=11))
    grouped = sorted(lines, key=lambda ln: json.loads(ln)["session_id"])
    slow = Engine()
    slow.fast = False
    assert transitions(grouped) == transitions(grouped, slow) == transitions(lines)
