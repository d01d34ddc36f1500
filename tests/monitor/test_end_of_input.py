"""Nothing the engine decides at the end of its input is lost: the replay's close, the console hub's stop and a Redis
consumer with nothing new to read (or giving its partitions back) all emit and record what the engine still held —
above all the compliance hit of a text that waited for its batch when the input ended."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from livecommerce.accounts.actors import UserActor
from livecommerce.cli import app
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.monitor import service
from livecommerce.monitor.alerts import iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.hub import Hub
from livecommerce.monitor.models import MonitorHit

T = 1_762_862_400  # 2025-11-11 20:00:00 Shanghai
ADMIN = UserActor(1, "admin", "province_admin")
runner = CliRunner()


def line(second: float, kind: str, session: str = "S1", **data: object) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": session, "ts": round((T + second) * 1000), "kind": kind, **data}, ensure_ascii=False
    )


# a quiet evening whose only violation is its very last line (a chat line sending buyers to a private WeChat deal)
EVENING = [
    line(0, "status", state="start", region="230102"),
    line(1, "viewers", online=300),
    line(5, "chat", text="主播好"),
    line(9.5, "chat", text="加微信私聊下单"),
]


def test_close_returns_the_hit_of_the_last_line() -> None:
    engine = Engine()
    during = [t for ln in EVENING for t in engine.read(ln)]
    assert during == []  # the last text waits for its batch (512 texts) when the input ends
    closing = engine.close()
    assert [(t.rule, t.state, iso(t.at), t.labels["compliance_rule"]) for t in closing] == [
        ("compliance-hit", "firing", iso(T + 9.5), "PF-PRIV-CONTACT")
    ]
    assert [(h.source, h.text) for h in engine.hits] == [("chat", "加微信私聊下单")]


def test_close_returns_what_its_last_advance_decides() -> None:
    # S1 falls silent at 10; S2 goes on to 100: the stall of S1 at 70 is decided only by close (S1 sends nothing more)
    lines = [line(0, "chat", text="在吗"), line(10, "chat", text="在")] + [line(s, "like", "S2", count=1) for s in range(0, 101, 10)]
    engine = Engine(scanner=None)
    during = [t for ln in lines for t in engine.read(ln)]
    assert during == []
    assert [(t.rule, t.state, iso(t.at), t.session_id) for t in engine.close()] == [("stream-stalled", "firing", iso(T + 70), "S1")]


def test_replay_prints_and_records_the_hit_of_the_last_line(tmp_path: Path, home: Settings) -> None:
    path = tmp_path / "evening.jsonl"
    path.write_text("\n".join(EVENING) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["monitor", "replay", str(path), "--format", "jsonl", "--record"], catch_exceptions=False)
    assert result.exit_code == 0
    printed = [json.loads(ln) for ln in result.stdout.splitlines()]
    assert [(p["rule"], p["state"], p["at"]) for p in printed] == [("compliance-hit", "firing", "2025-11-11T20:00:09.500+08:00")]
    assert "4 events, 0 refused, 1 sessions, 1 transitions" in result.stderr
    with session_scope(home) as db:
        alerts, total = service.list_alerts(db, ADMIN, rule="compliance-hit")
        hits = db.scalar(select(func.count()).select_from(MonitorHit))
    assert total == 1 and alerts[0]["state"] == "firing" and hits == 1


class Notes:
    """Stands in for the webhooks: keeps every notification the hub hands over."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def dispatch(self, notification: Any) -> int:
        self.sent.append(notification)
        return 1

    def stop(self) -> None:
        pass


class Frozen:
    """A server clock that does not move: the hub's worker takes batches but never reaches its next second."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_hubs_stop_writes_and_sends_what_the_engine_still_held(home: Settings) -> None:
    notes = Notes()
    # 20:00:09.6 less the 2 s lag: the engine's clock stays in the second of the last event, so only the stop decides
    hub = Hub(home, clock=Frozen(T + 9.6), notifier=notes).start()  # type: ignore[arg-type]
    try:
        answer = hub.submit(EVENING)
        assert (answer["accepted"], answer["rejected"]) == (4, 0)
        assert hub.engine.texts  # the last chat line waits for its batch
    finally:
        hub.stop()
    with session_scope(home) as db:
        alerts, total = service.list_alerts(db, ADMIN, rule="compliance-hit")
        stored = service.get_session(db, ADMIN, "douyin", "S1")
        hits = db.scalar(select(func.count()).select_from(MonitorHit))
    assert total == 1 and alerts[0]["state"] == "firing" and hits == 1
    assert (stored["online"], stored["chat_lines"]) == (300, 2)
    [note] = notes.sent  # the group's notification was waiting its 5 s: sent at the stop
    assert [(t.rule, t.state) for t in note.alerts] == [("compliance-hit", "firing")]


@pytest.mark.slow
def test_a_consumer_with_nothing_new_writes_the_hit_of_the_last_line(redis_url: str) -> None:
    redis_bus = pytest.importorskip("livecommerce.monitor.redis_bus")
    redis_bus.publish(redis_url, EVENING, partitions=2)
    consumer = redis_bus.Consumer(redis_url, "c", 2, lease_ms=3000, checkpoint_every=1000)
    for _ in range(20):
        consumer.step()
        if redis_bus.caught_up(redis_url) and redis_bus.alerts(redis_url):
            break
    consumer.close()
    assert [(record["rule"], record["state"]) for _, record in redis_bus.alerts(redis_url)] == [("compliance-hit", "firing")]


@pytest.mark.slow
def test_a_consumer_that_gives_its_partitions_back_writes_the_hit_of_the_last_line(redis_url: str) -> None:
    redis_bus = pytest.importorskip("livecommerce.monitor.redis_bus")
    redis_bus.publish(redis_url, EVENING, partitions=2)
    # no checkpoint is due while it reads: only the clean stop (give back) writes
    consumer = redis_bus.Consumer(redis_url, "c", 2, lease_ms=3000, checkpoint_every=10_000, checkpoint_seconds=600)
    while consumer.events < len(EVENING):
        consumer.step()
    assert redis_bus.alerts(redis_url) == []
    consumer.close()
    assert [(record["rule"], record["state"]) for _, record in redis_bus.alerts(redis_url)] == [("compliance-hit", "firing")]
    assert redis_bus.caught_up(redis_url)


@pytest.mark.slow
def test_the_live_clock_moves_a_silent_session_of_a_busy_partition(redis_url: str) -> None:
    import time

    redis_bus = pytest.importorskip("livecommerce.monitor.redis_bus")
    now = int(time.time())
    silent = json.dumps({"platform": "douyin", "session_id": "QUIET", "ts": (now - 100) * 1000, "kind": "chat", "text": "在吗"})
    busy = [
        json.dumps({"platform": "douyin", "session_id": "BUSY", "ts": (now - 5 + s) * 1000, "kind": "like", "count": 1}) for s in range(5)
    ]
    redis_bus.publish(redis_url, [silent, *busy], partitions=1)
    consumer = redis_bus.Consumer(
        redis_url, "c", 1, lease_ms=3000, checkpoint_every=10_000, checkpoint_seconds=600, scanner=None, live_clock=True
    )
    consumer.step()  # one read of all six events: the partition is not idle, yet QUIET is judged by the wall clock
    [part] = consumer.owned.values()
    assert [(t.rule, t.state, t.session_id, t.at) for t in part.out] == [("stream-stalled", "firing", "QUIET", now - 100 + 60)]
    consumer.close()
