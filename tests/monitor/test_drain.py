"""The monitor's one drain (drain.py): every driver of an engine — the console's hub, a Redis Streams consumer with
--record, `monitor replay --record` — records what it saw through it, so the same events leave the same alerts.

The evening is small enough to check by hand: 哈尔滨市道里区's S1 starts at 20:00:00, has viewers, an order and a chat
until its last event at 20:00:10, then falls silent; at 20:01:10 it has been silent 60 s (the stream-stalled threshold)
and the alert fires; its next event, at 20:01:30, resolves it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import delete

from livecommerce.accounts.actors import UserActor
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.monitor import service
from livecommerce.monitor.drain import Drain, Output, RegistrySink
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.events import Intake
from livecommerce.monitor.hub import Hub
from livecommerce.monitor.models import (
    MonitorAlert,
    MonitorAlertAck,
    MonitorAlertHistory,
    MonitorHit,
    MonitorMinute,
    MonitorSession,
)
from livecommerce.monitor.replay import Replay

T0 = 1_762_862_400  # 2025-11-11 20:00:00 Asia/Shanghai
ADMIN = UserActor(1, "admin", "province_admin")


def line(second: float, kind: str, **fields: Any) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": "S1", "ts": int((T0 + second) * 1000), "kind": kind, **fields}, ensure_ascii=False
    )


EVENING = [
    line(0, "status", state="start", shop_id="shopA", streamer_id="st1", region="230102"),
    line(1, "viewers", online=1000, total=1200),
    line(3, "order", order_id="O1", amount=99.5, product_id="P1"),
    line(5, "chat", user="张三丰", text="主播好"),
    line(10, "viewers", online=1500, total=2100),  # the last event before the silence
    line(90, "viewers", online=1400, total=2300),  # 20:01:30: the stream is back
]
# what every driver leaves in the store: one alert with its two transitions, and the session's figures
ALERTS = [
    (
        "stream-stalled",
        "S1",
        "哈尔滨市道里区",
        "resolved",
        [("firing", "2025-11-11T20:01:10+08:00"), ("resolved", "2025-11-11T20:01:30+08:00")],
    )
]
SESSION = ("S1", "230102", 1400, 1500, 1, "99.50")


def stored(home: Settings) -> tuple[list[Any], tuple[Any, ...]]:
    """The alerts in the store with their history, and S1's stored figures."""
    with session_scope(home) as db:
        found, _ = service.list_alerts(db, ADMIN)
        alerts = []
        for a in found:
            history = service.get_alert(db, ADMIN, a["id"])["history"]
            alerts.append((a["rule"], a["session_id"], a["region_name"], a["state"], [(h["state"], h["at"]) for h in history]))
        s = service.get_session(db, ADMIN, "douyin", "S1")
    return alerts, (s["session_id"], s["region"], s["online"], s["peak_online"], s["orders"], s["gmv"])


def forget_everything(home: Settings) -> None:
    """Empty the monitor's tables, so that the next driver records into a clean store."""
    with session_scope(home) as db:
        for model in (MonitorAlertAck, MonitorAlertHistory, MonitorAlert, MonitorHit, MonitorMinute, MonitorSession):
            db.execute(delete(model))


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def through_the_hub(home: Settings) -> None:
    clock = Clock(T0 + 10)
    hub = Hub(home, scanner=None, clock=clock)
    assert hub.submit(EVENING[:5])["accepted"] == 5
    hub.step(now=T0 + 72)  # the clock less its 2 s of lag: 20:01:10, silent 60 s
    clock.now = T0 + 90
    assert hub.submit(EVENING[5:])["accepted"] == 1
    hub.step(now=T0 + 92, final=True)
    hub.stop()


def through_a_consumer(home: Settings, redis_url: str) -> None:
    from livecommerce.monitor.redis_bus import Consumer, caught_up, publish

    publish(redis_url, EVENING, partitions=2)
    sink = RegistrySink(home)
    consumer = Consumer(redis_url, "c1", 2, lease_ms=3000, scanner=None, sink=sink)
    deadline = time.monotonic() + 30
    while not caught_up(redis_url) and time.monotonic() < deadline:
        consumer.step()
    consumer.close()
    sink.close()
    assert sink.recorded["transitions"] == 2


def through_a_replay(home: Settings) -> None:
    replay = Replay(Engine(scanner=None), record=True)
    replay.play(EVENING, lambda transitions: None)
    counts = replay.store(Drain(home, batch=2))  # two things of a kind per transaction
    assert (counts["transitions"], counts["sessions"]) == (2, 1)


def test_the_hub_a_consumer_and_a_replay_record_the_same_alert(home: Settings, redis_url: str) -> None:
    through_the_hub(home)
    assert stored(home) == (ALERTS, SESSION)

    forget_everything(home)
    through_a_consumer(home, redis_url)
    assert stored(home) == (ALERTS, SESSION)

    forget_everything(home)
    through_a_replay(home)
    assert stored(home) == (ALERTS, SESSION)


def test_recording_an_output_twice_changes_nothing(home: Settings) -> None:
    engine = Engine(scanner=None)
    transitions = engine.read_many(EVENING) + engine.close()
    output = Output(transitions, engine.minutes, engine.hits, [*engine.sessions.values()])
    drain = Drain(home)

    drain.record(output)
    drain.record(output)

    assert stored(home) == (ALERTS, SESSION)
    assert drain.recorded == {"transitions": 4, "minutes": 2 * len(engine.minutes), "hits": 0, "sessions": 2}  # counted twice


class Down(Drain):
    """A drain whose store is down for the first ``down`` tries."""

    def __init__(self, home: Settings, down: int, retries: int = 10) -> None:
        super().__init__(home, retries=retries)
        self.down, self.tries = down, 0

    def record(self, output: Output) -> None:
        self.tries += 1
        if self.tries <= self.down:
            raise ConnectionError("the registry database is down")
        super().record(output)


def two_steps() -> tuple[Output, Output]:
    """The evening as two outputs: the first transition (firing), then the second (resolved) with the session."""
    engine = Engine(scanner=None)
    transitions = engine.read_many(EVENING)
    first = Output(transitions[:1])
    second = Output(transitions[1:], sessions=[*engine.sessions.values()])
    return first, second


def test_keep_holds_what_the_store_refused_and_writes_it_with_the_next_output(home: Settings) -> None:
    first, second = two_steps()
    drain = Down(home, down=1)

    assert drain.keep(first) == {"transitions": 0, "minutes": 0, "hits": 0, "sessions": 0}  # the store is down
    assert drain.keep(second) == {"transitions": 2, "minutes": 0, "hits": 0, "sessions": 1}  # both, in one write

    alerts, _ = stored(home)
    assert alerts == ALERTS and drain.backlog.counts() == {"transitions": 0, "minutes": 0, "hits": 0, "sessions": 0}


def test_keep_drops_what_it_holds_after_its_retries(home: Settings) -> None:
    first, second = two_steps()
    drain = Down(home, down=2, retries=2)

    drain.keep(first)
    drain.keep(Output())  # the second failed try: the firing transition is dropped (and logged)
    drain.keep(second)

    alerts, _ = stored(home)
    assert [(rule, state, history) for rule, _, _, state, history in alerts] == [
        ("stream-stalled", "resolved", [("resolved", "2025-11-11T20:01:30+08:00")])
    ]


def test_write_raises_when_the_store_is_down_and_counts_nothing(home: Settings) -> None:
    first, _ = two_steps()
    drain = Down(home, down=1)

    with pytest.raises(ConnectionError):
        drain.write(first)

    assert drain.recorded == {"transitions": 0, "minutes": 0, "hits": 0, "sessions": 0}
    assert drain.backlog.counts()["transitions"] == 0  # ``write`` keeps nothing: the caller does


def test_the_intake_takes_back_an_event_it_accepted() -> None:
    intake = Intake()
    event = intake.read(EVENING[1])
    assert event is not None and (intake.accepted, intake.latest) == (1, {("douyin", "S1"): T0 + 1.0})

    intake.unaccept("ts more than 60 s ahead of the server's clock")
    intake.forget(event.key, event.ts)

    assert (intake.accepted, dict(intake.rejected), intake.examples, intake.latest) == (
        0,
        {"ts more than 60 s ahead of the server's clock": 1},
        [],  # no line given: no example kept
        {},
    )
    intake.forget(("douyin", "S1"), T0 + 5.0)  # not the latest: nothing to forget
