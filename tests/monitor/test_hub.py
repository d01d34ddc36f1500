"""The live hub on a real SQLite home: events in, the wall's sessions, alerts written to the store, scope, the worker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from livecommerce.accounts.actors import UserActor
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.entities.models import Entity, Shop
from livecommerce.monitor import service
from livecommerce.monitor.hub import Hub

T0 = 1_762_862_400  # 2025-11-11 20:00:00 Asia/Shanghai
ADMIN = UserActor(1, "admin", "province_admin")
HARBIN = UserActor(2, "harbin", "city_officer", scope_region="230100")
QIQIHAR = UserActor(3, "qiqihar", "city_officer", scope_region="230200")
SHOP_USCC = "91230102MA1HUB0001"


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def line(session_id: str, second: float, kind: str, start: float = T0, **fields: Any) -> str:
    return json.dumps(
        {"platform": "douyin", "session_id": session_id, "ts": int((start + second) * 1000), "kind": kind, **fields}, ensure_ascii=False
    )


def opening(session_id: str, region: str, shop: str = "shopA", start: float = T0) -> list[str]:
    """A session that starts at 20:00:00 and, until 20:00:10, has 1,000 then 1,500 viewers, one order and a chat."""
    return [
        line(session_id, 0, "status", start, state="start", shop_id=shop, streamer_id="st1", region=region),
        line(session_id, 1, "viewers", start, online=1000, total=1200),
        line(session_id, 3, "order", start, order_id="O1", amount=99.5, product_id="P1"),
        line(session_id, 5, "chat", start, user="张三丰", text="主播好"),
        line(session_id, 10, "viewers", start, online=1500, total=2100),
    ]


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 10)


@pytest.fixture
def hub(home: Settings, clock: Clock) -> Iterator[Hub]:
    hub = Hub(home, scanner=None, clock=clock)
    yield hub
    hub.stop()


def test_submit_counts_what_it_took_and_why_it_refused_the_rest(hub: Hub) -> None:
    lines = [*opening("S1", "230102"), "not json", line("S1", 11, "dance"), line("S1", 12, "viewers", online=-5), ""]

    answer = hub.submit(lines)

    assert answer["accepted"] == 5
    assert answer["rejected"] == 3
    assert answer["reasons"] == {
        "not JSON": 1,
        "unknown kind; one of viewers, chat, like, gift, order, refund, product, transcript, status, complaint, enter, follow": 1,
        "viewers.online is a whole number ≥ 0": 1,
    }
    assert [e["line"] for e in answer["examples"]] == [6, 7, 8]  # the blank line is neither taken nor refused
    assert hub.version == 1


def test_an_event_far_from_the_servers_clock_is_refused(hub: Hub, clock: Clock) -> None:
    clock.now = T0 + 2 * 3600  # two hours after the events happened: not live any more

    answer = hub.submit(opening("S1", "230102"))

    assert answer["accepted"] == 0
    assert answer["rejected"] == 5
    assert list(answer["reasons"]) == [
        "ts more than 3600 s before the server's clock: the live intake takes events as "
        "they happen (replay recorded ones with `livecommerce monitor replay`)"
    ]


def test_the_wall_shows_the_session_with_its_online_viewers_and_sparkline(hub: Hub) -> None:
    hub.submit(opening("S1", "230102"))

    [row] = hub.live_sessions(ADMIN)

    assert (row["session_id"], row["status"], row["online"], row["peak_online"], row["orders"], row["gmv"]) == (
        "S1",
        "live",
        1500,
        1500,
        1,
        "99.50",
    )
    assert (row["region"], row["region_name"], row["shop"], row["alerts_firing"]) == ("230102", "哈尔滨市道里区", "shopA", 0)
    # 30 buckets of 10 s up to 20:00:10: the last two hold the events, the 28 before the session are empty
    assert row["spark"]["online"][-2:] == [1000, 1500]
    assert row["spark"]["orders"][-2:] == [1, 0]  # a bucket with events counts 0 orders; one without is None
    assert row["spark"]["online"][:28] == [None] * 28


def test_one_sessions_live_page_has_curves_chat_masked_and_no_alert(hub: Hub) -> None:
    hub.submit(opening("S1", "230102"))

    page = hub.live_session(ADMIN, "douyin", "S1")

    assert page is not None
    assert page["series"]["online"] == [[T0 * 1000, 1000], [(T0 + 10) * 1000, 1500]]
    assert page["series"]["gmv"] == [[T0 * 1000, 99.5], [(T0 + 10) * 1000, 0.0]]
    assert [(c["user"], c["text"], c["negative"]) for c in page["chat"]] == [("张***", "主播好", False)]
    assert page["alerts"] == []
    assert page["products"] == []  # the order named P1, but no product event put it on the shelf
    hub.submit(
        [
            line("S1", 6, "product", product_id="P2", title="五常大米", price=59.9, action="on"),
            line("S1", 7, "product", product_id="P2", title="五常大米", price=39.9, action="on"),
            line("S1", 8, "order", order_id="O2", amount=39.9, product_id="P2"),
        ]
    )
    shelf = hub.live_session(ADMIN, "douyin", "S1")["products"]  # type: ignore[index]
    assert shelf == [
        {"product_id": "P2", "title": "五常大米", "first_price": "59.9", "price": "39.9", "orders": 1, "gmv": "39.90", "on_shelf": True}
    ]
    assert hub.live_session(ADMIN, "douyin", "nope") is None


def test_a_stalled_stream_is_alerted_after_60_silent_seconds_and_written_to_the_store(hub: Hub, home: Settings) -> None:
    hub.submit(opening("S1", "230102"))  # the last event at 20:00:10

    hub.step(now=T0 + 69 + 2)  # the clock (less 2 s of lag) at 20:01:09: silent 59 s
    with session_scope(home) as db:
        assert service.list_alerts(db, ADMIN, rule="stream-stalled")[1] == 0
    hub.step(now=T0 + 70 + 2)  # 20:01:10: silent 60 s, the threshold (以上: it counts)

    with session_scope(home) as db:
        alerts, total = service.list_alerts(db, ADMIN, rule="stream-stalled")
        stored = service.get_session(db, ADMIN, "douyin", "S1")
    assert total == 1
    assert (alerts[0]["state"], alerts[0]["session_id"], alerts[0]["started_at"]) == ("firing", "S1", "2025-11-11T20:01:10+08:00")
    assert (stored["online"], stored["orders"], stored["status"]) == (1500, 1, "live")
    [row] = hub.live_sessions(ADMIN)
    assert row["alerts_firing"] == 1
    assert [(a["rule"], a["state"], a["since"]) for a in hub.live_session(ADMIN, "douyin", "S1")["alerts"]] == [
        ("stream-stalled", "firing", "2025-11-11T20:01:10+08:00")
    ]


def test_a_silence_from_the_store_mutes_the_alert(hub: Hub, home: Settings, clock: Clock) -> None:
    start = float(int(time.time()) - 100)  # the store gives the silences not yet ended on today's clock
    clock.now = start + 10
    with session_scope(home) as db:
        service.create_silence(
            db,
            ADMIN,
            matchers={"session_id": "S1"},
            starts=datetime.fromtimestamp(start - 60, UTC),
            ends=datetime.fromtimestamp(start + 3600, UTC),
            comment="设备检修",
        )
    hub.submit(opening("S1", "230102", start=start))

    hub.step(now=start + 72)

    with session_scope(home) as db:
        [alert], _ = service.list_alerts(db, ADMIN, rule="stream-stalled")
    assert alert["muted"].startswith("silenced by")
    assert hub.engine.notifications == []


def test_a_city_officer_sees_only_her_citys_sessions(hub: Hub) -> None:
    hub.submit([*opening("S1", "230102"), *opening("S2", "230202")])  # 哈尔滨市道里区, 齐齐哈尔市龙沙区

    assert [r["session_id"] for r in hub.live_sessions(ADMIN)] == ["S1", "S2"]
    assert [r["session_id"] for r in hub.live_sessions(HARBIN)] == ["S1"]
    assert [r["session_id"] for r in hub.live_sessions(QIQIHAR)] == ["S2"]
    assert hub.live_session(HARBIN, "douyin", "S2") is None
    assert hub.live_session(QIQIHAR, "douyin", "S2") is not None
    assert [r["session_id"] for r in hub.live_sessions(ADMIN, city="230200")] == ["S2"]
    assert hub.live_sessions(ADMIN, platform="kuaishou") == []


def test_an_enterprise_sees_the_sessions_of_its_own_shop(hub: Hub, home: Settings) -> None:
    with session_scope(home) as db:
        db.add(Entity(uscc=SHOP_USCC, name="哈尔滨红肠有限公司", kind="enterprise", region_code="230102"))
        db.add(Shop(platform="douyin", shop_id="shopA", shop_name="红肠旗舰店", uscc=SHOP_USCC, region_code="230102"))
    hub.submit([*opening("S1", "230102", shop="shopA"), *opening("S2", "230202", shop="shopB")])

    owner = UserActor(4, "hongchang", "enterprise", scope_entity=SHOP_USCC)
    other = UserActor(5, "other", "enterprise", scope_entity="91230102MA1HUB0002")

    assert [r["session_id"] for r in hub.live_sessions(owner)] == ["S1"]
    assert hub.live_sessions(other) == []
    assert hub.live_sessions(UserActor(6, "auditor", "auditor")) == []  # no monitor.read: nothing


def test_a_session_without_a_region_takes_its_shops_region_from_the_registry(hub: Hub, home: Settings) -> None:
    with session_scope(home) as db:
        db.add(Shop(platform="douyin", shop_id="shopC", shop_name="蓝莓小店", region_code="230202"))
    hub.submit([line("S3", 0, "status", state="start", shop_id="shopC"), line("S3", 1, "viewers", online=10)])

    [row] = hub.live_sessions(QIQIHAR)

    assert (row["session_id"], row["region"], row["region_name"]) == ("S3", "230202", "齐齐哈尔市龙沙区")
    assert hub.live_sessions(HARBIN) == []


def test_the_worker_thread_answers_batches_and_steps_every_second(home: Settings) -> None:
    hub = Hub(home, scanner=None).start()
    try:
        now = time.time()
        head = {"platform": "kuaishou", "session_id": "W1"}
        batch = [
            json.dumps({**head, "ts": int(now * 1000), "kind": "status", "state": "start", "region": "230102"}),
            json.dumps({**head, "ts": int(now * 1000), "kind": "viewers", "online": 42}),
            "{",
        ]

        answer = hub.submit(batch)

        assert (answer["accepted"], answer["rejected"]) == (2, 1)
        deadline = time.monotonic() + 5
        while hub.steps < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hub.steps >= 2
        with session_scope(home) as db:
            assert service.get_session(db, ADMIN, "kuaishou", "W1")["online"] == 42
    finally:
        hub.stop()
    assert not hub.running


class RecordingHub:
    """Stands in for the hub: keeps each batch the demo feed submits."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def submit(self, lines: list[str]) -> dict[str, Any]:
        self.batches.append(lines)
        return {"accepted": len(lines), "rejected": 0, "reasons": {}}


def test_the_demo_feed_submits_one_batch_a_second_with_sessions_of_its_own() -> None:
    from livecommerce.demo.monitor import DemoFeed

    hub = RecordingHub()
    times = iter([T0 - 1.0])  # the round starts at T0; afterwards the clock is far ahead, so nothing waits
    feed = DemoFeed(hub, sessions=8, seconds=5, clock=lambda: next(times, T0 + 3600.0))

    feed.play(0)

    seconds = [{json.loads(x)["ts"] // 1000 for x in batch} for batch in hub.batches]
    assert seconds == [{T0}, {T0 + 1}, {T0 + 2}, {T0 + 3}, {T0 + 4}, {T0 + 5}]  # the last one: the sessions end
    sessions = {json.loads(x)["session_id"] for batch in hub.batches for x in batch}
    assert sessions == {f"S{i:05d}-11112000" for i in range(8)}  # round of 2025-11-11 20:00
    assert feed.sent == sum(len(batch) for batch in hub.batches)


def test_the_recorded_demo_evening_fills_the_review(home: Settings) -> None:
    from livecommerce.demo.monitor import record_evening

    done = record_evening(sessions=8, seconds=120, settings=home)

    with session_scope(home) as db:
        stored = service.list_sessions(db, ADMIN)
        again = record_evening(sessions=8, seconds=120, settings=home)
        assert service.list_alerts(db, ADMIN)[1] == again.fired
    assert (done.sessions, len(stored)) == (8, 8)
    assert {row["status"] for row in stored} == {"ended"}
    assert done.fired >= 1
