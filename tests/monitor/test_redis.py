"""The scale-out path over Redis Streams (issue 6 item 5), on a real redis-server (conftest.redis_server).

The reference is one in-process Engine reading the same evening: whatever the consumers, the partitions, a rebalance
or a SIGKILL in the middle, the stream lc:alerts must hold exactly its transitions — none missing, none twice — and
every event must end acknowledged.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

redis = pytest.importorskip("redis")

from livecommerce.monitor import redis_bus, redis_consume, synth  # noqa: E402
from livecommerce.monitor.engine import Engine  # noqa: E402
from livecommerce.monitor.redis_bus import GROUP, Consumer, Keys, caught_up, partition_of, publish  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EVENING = {"sessions": 40, "seconds": 420}  # 420 s: sales-spike needs five minutes of the session's own median
RULES = {
    "stream-stalled",
    "viewers-drop",
    "sales-spike",
    "compliance-hit",
    "price-change",
    "refund-surge",
    "complaint-surge",
    "negative-chat",
}


def key(record: dict[str, Any]) -> tuple[str, str, float, str]:
    return (record["rule"], record["state"], record["ts"], record["session_id"])


@pytest.fixture(scope="module")
def evening() -> tuple[list[str], list[tuple[str, str, float, str]]]:
    """The synthetic evening's lines and the transitions one in-process Engine gives on them (sorted keys), with the
    texts still waiting for a batch at the end scanned (``flush``: a consumer does it when it has nothing new)."""
    lines = list(synth.evening(**EVENING))
    engine = Engine()
    got = [t for line in lines for t in engine.read(line)] + engine.flush()
    expected = [key(json.loads(json.dumps(t.record()))) for t in got]
    assert {k[0] for k in expected} == RULES  # every rule fires in this evening
    return lines, sorted(expected)


def written(url: str, prefix: str = "lc") -> list[tuple[str, dict[str, Any]]]:
    return redis_bus.alerts(url, prefix)


def wait(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.02)


def pending(client: Any, partitions: int = 4) -> int:
    return sum(client.xpending(Keys().events(p), GROUP)["pending"] for p in range(partitions))


# -- publishing ------------------------------------------------------------------------------------------------------


def test_partition_is_crc32_of_platform_and_session() -> None:
    # crc32(b"douyin:S00001") = 1451279261 = 4 × 362819815 + 1; crc32(b"kuaishou:S00001") = 4230077020 ≡ 0 (mod 4)
    assert partition_of("douyin", "S00001", 4) == 1
    assert partition_of("kuaishou", "S00001", 4) == 0


def test_one_sessions_events_go_to_one_stream_in_order(redis_url: str) -> None:
    base = 1_762_862_400_000
    lines = [
        json.dumps({"platform": "douyin", "session_id": "S00001", "ts": base + i * 1000, "kind": "like", "count": i}) for i in range(3)
    ]
    assert publish(redis_url, [*lines, "not json", ""], partitions=4) == 4
    client = redis.Redis.from_url(redis_url)
    assert [fields[b"e"].decode() for _, fields in client.xrange("lc:events:1")] == lines
    assert [fields[b"e"] for _, fields in client.xrange("lc:events:0")] == [b"not json"]  # refused later, counted
    assert client.get("lc:partitions") == b"4"


def test_another_number_of_partitions_is_refused(redis_url: str) -> None:
    publish(redis_url, [], partitions=4)
    with pytest.raises(ValueError, match="partitions: 8, but lc:partitions is already 4"):
        publish(redis_url, [], partitions=8)


def test_publish_command_and_its_refusals(redis_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from livecommerce.cli import app

    path = tmp_path / "evening.jsonl"
    lines = [
        json.dumps({"platform": platform, "session_id": "S00001", "ts": 1_762_862_400_000, "kind": "like", "count": 1})
        for platform in ("douyin", "douyin", "kuaishou")
    ]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["monitor", "publish", str(path), "--redis", redis_url, "--partitions", "4"])
    assert result.exit_code == 0, result.output
    assert "3 events published to lc:events:*" in result.output  # the empty line is not an event
    client = redis.Redis.from_url(redis_url)
    assert (client.xlen("lc:events:1"), client.xlen("lc:events:0")) == (2, 1)  # douyin:S00001 → 1, kuaishou:S00001 → 0
    result = runner.invoke(app, ["monitor", "publish", str(path), "--redis", redis_url, "--partitions", "3"])
    assert result.exit_code == 2
    assert "partitions: 3, but lc:partitions is already 4" in result.output
    result = runner.invoke(app, ["monitor", "publish", str(tmp_path / "missing.jsonl"), "--redis", redis_url])
    assert result.exit_code == 2
    assert "cannot be read" in result.output
    packed = runner.invoke(app, ["monitor", "publish", str(path), "--redis", redis_url, "--prefix", "packed", "--pack", "2"])
    assert packed.exit_code == 0, packed.output
    douyin = client.xrange("packed:events:1")
    assert len(douyin) == 1 and douyin[0][1][b"b"].decode().split("\n") == lines[:2]  # two lines, one entry


# -- checkpoints -----------------------------------------------------------------------------------------------------


def test_nothing_is_acknowledged_before_the_checkpoint(redis_url: str) -> None:
    lines = list(synth.evening(sessions=4, seconds=5))
    publish(redis_url, lines, partitions=1)
    consumer = Consumer(redis_url, "a", 1, checkpoint_every=10**9, checkpoint_seconds=3600, batch=10_000, scanner=None)
    client = redis.Redis.from_url(redis_url)
    consumer.rebalance()  # takes partition 0, nothing read yet
    assert consumer.step() == len(lines)  # everything read and processed in one batch …
    assert (consumer.checkpoints, pending(client, 1)) == (0, len(lines))  # … none acknowledged yet
    wait(lambda: consumer.step() == 0 and consumer.checkpoints == 1, 5, "the idle checkpoint")
    assert pending(client, 1) == 0  # … acknowledged with the checkpoint when the partition went idle
    saved = client.hgetall("lc:ckpt:0")
    assert saved[b"last_id"] == client.xrevrange("lc:events:0", count=1)[0][0]
    assert saved[b"consumer"] == b"a"


def test_a_consumer_that_lost_its_lease_cannot_checkpoint(redis_url: str) -> None:
    lines = list(synth.evening(sessions=4, seconds=5))
    publish(redis_url, lines, partitions=1)
    consumer = Consumer(redis_url, "a", 1, checkpoint_every=10**9, checkpoint_seconds=3600, scanner=None)
    consumer.rebalance()
    consumer.next_round = time.monotonic() + 3600  # no renewal round: it does not notice before it writes
    client = redis.Redis.from_url(redis_url)
    client.set("lc:lease:0", "b", px=10_000)  # its lease expired and consumer b took the partition
    while consumer.owned:
        consumer.step()  # reads, processes, tries the idle checkpoint: refused, the partition dropped
    assert client.exists("lc:ckpt:0") == 0
    assert pending(client, 1) == len(lines)  # nothing acknowledged: b will claim and process them
    assert client.xlen("lc:alerts") == 0


# -- the whole evening -----------------------------------------------------------------------------------------------


def run_until_caught_up(url: str, consumers: list[Consumer], seconds: float) -> None:
    stop, failures = threading.Event(), []

    def work(consumer: Consumer) -> None:
        try:
            while not stop.is_set():
                consumer.step()
        except Exception as exc:  # surfaced below
            failures.append(exc)
            stop.set()

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in consumers]
    for thread in threads:
        thread.start()
    try:
        wait(lambda: bool(failures) or caught_up(url), seconds, "every event to be checkpointed")
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not failures, failures


@pytest.mark.slow
def test_two_consumers_split_four_partitions_and_give_one_engines_transitions(redis_url: str, evening: Any) -> None:
    lines, expected = evening
    consumers = [Consumer(redis_url, name, 4, lease_ms=10_000, checkpoint_every=1000) for name in ("a", "b")]
    for consumer in consumers:
        consumer.join()  # both alive before either takes partitions: two each
    publish(redis_url, lines, partitions=4)
    run_until_caught_up(redis_url, consumers, 60)

    assert sorted(len(c.owned) for c in consumers) == [2, 2]
    assert sorted(set(consumers[0].owned) | set(consumers[1].owned)) == [0, 1, 2, 3]
    assert all(c.events > 0 for c in consumers)
    assert sum(c.events for c in consumers) == len(lines)
    out = written(redis_url)
    assert sorted(key(record) for _, record in out) == expected
    assert len({tid for tid, _ in out}) == len(out)
    client = redis.Redis.from_url(redis_url)
    assert pending(client) == 0
    for consumer in consumers:
        consumer.close()
    assert client.exists(*[f"lc:lease:{p}" for p in range(4)]) == 0  # given back on a clean stop


@pytest.mark.slow
def test_a_consumer_killed_with_sigkill_is_replaced_without_loss_or_repeat(redis_url: str, evening: Any, tmp_path: Path) -> None:
    lines, expected = evening
    publish(redis_url, lines, partitions=4)
    client = redis.Redis.from_url(redis_url)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    log = tmp_path / "first.log"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "livecommerce",
            "monitor",
            "consume",
            "--redis",
            redis_url,
            "--consumer",
            "first",
            "--partitions",
            "4",
            "--lease-ms",
            "2000",
            "--checkpoint-every",
            "500",
            "--checkpoint-seconds",
            "0.2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )

    def delivered() -> int:
        return (
            sum(int(g["entries-read"] or 0) for p in range(4) for g in client.xinfo_groups(f"lc:events:{p}"))
            if all(client.exists(f"lc:ckpt:{p}") for p in range(4))
            else 0
        )

    try:
        wait(lambda: first.poll() is not None or delivered() >= len(lines) * 6 // 10, 60, "the first consumer to get 60% in")
        assert first.poll() is None, log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert not caught_up(redis_url)  # killed mid-way …
    in_flight = pending(client)
    assert in_flight > 0  # … with events processed but not yet acknowledged (their transitions not yet written)
    before = len(written(redis_url))
    print(f"killed at {in_flight} pending, {before} transitions written")

    replacement = Consumer(redis_url, "second", 4, lease_ms=2000, checkpoint_every=500)
    started = time.monotonic()
    run_until_caught_up(redis_url, [replacement], 60)
    assert time.monotonic() - started >= 1.0  # it waited for the dead consumer's leases to expire
    assert replacement.resumed == 4  # every partition from its checkpoint …
    assert replacement.claimed == in_flight  # … and every entry the dead consumer had not acknowledged claimed

    out = written(redis_url)
    ids = Counter(tid for tid, _ in out)
    assert [tid for tid, n in ids.items() if n > 1] == []  # nothing repeated
    assert sorted(key(record) for _, record in out) == expected  # nothing lost
    assert 0 < before < len(out)  # the first consumer wrote some, the replacement the rest
    assert pending(client) == 0  # every event acknowledged
    assert client.xinfo_groups("lc:events:0")[0]["lag"] == 0
    replacement.close()


@pytest.mark.slow
def test_throughput_reports_events_per_second(redis_url: str) -> None:
    lines = list(synth.evening(sessions=8, seconds=30))
    result = redis_bus.throughput(redis_url, lines, consumers=2, partitions=4, lease_ms=1500)
    assert result["events"] == len(lines)
    assert result["events_per_second"] == pytest.approx(len(lines) / result["seconds"])
    assert result["transitions"] == len(Engine().read_many(lines))
    assert redis.Redis.from_url(redis_url).keys("lc-bench-*") == []  # its namespace deleted


# -- the registry sink (`monitor consume --record`) ------------------------------------------------------------------


def stored_transitions() -> list[tuple[str, str, float, str]]:
    """Every alert transition in the registry, as (rule, state, event time, session) like ``key``."""
    from sqlalchemy import select

    from livecommerce.core.db import session_scope
    from livecommerce.core.timeutil import aware
    from livecommerce.monitor.models import MonitorAlert, MonitorAlertHistory

    with session_scope() as db:
        rows = db.execute(
            select(MonitorAlert.rule, MonitorAlertHistory.state, MonitorAlertHistory.at, MonitorAlert.session_id).join(
                MonitorAlert, MonitorAlert.id == MonitorAlertHistory.alert_id
            )
        )
        return sorted((rule, state, round(aware(at).timestamp(), 3), session) for rule, state, at, session in rows)


def stored_counts() -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from livecommerce.core.db import session_scope
    from livecommerce.monitor.models import MonitorHit, MonitorMinute, MonitorSession

    with session_scope() as db:
        return tuple(
            db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
            for model in (MonitorSession, MonitorMinute, MonitorHit)
        )


class Failing:
    """A sink whose registry is down: every write fails."""

    def __init__(self) -> None:
        self.tries = 0

    def write(self, engine: Engine, transitions: list[Any]) -> None:
        self.tries += 1
        raise ConnectionError("the registry database is down")

    def silences(self) -> None:
        return None


@pytest.mark.slow
def test_the_registry_sink_records_what_the_consumer_writes_and_holds_the_checkpoint_while_it_cannot(
    redis_url: str, evening: Any, home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from livecommerce.monitor.drain import RegistrySink

    lines, expected = evening
    reference = Engine()
    reference.read_many(lines)
    minutes = {(key, row.minute) for key, row in reference.minutes}  # the minutes completed during the evening
    monkeypatch.setattr(redis_consume, "SINK_RETRY", 0.0)
    publish(redis_url, lines, partitions=4)
    client = redis.Redis.from_url(redis_url)

    # the registry is down: everything is processed, but from the first result to record on (the first completed
    # minute) nothing is checkpointed or acknowledged, and no transition is written
    down = Failing()
    consumer = Consumer(redis_url, "r", 4, lease_ms=3000, checkpoint_every=1000, sink=down)
    deadline = time.monotonic() + 60
    while consumer.events < len(lines) and time.monotonic() < deadline:
        consumer.step()
    assert consumer.events == len(lines) and down.tries >= 4 and consumer.sink_failures == down.tries
    assert pending(client) > len(lines) // 2 and written(redis_url) == []
    assert stored_transitions() == []

    # it is back: the next checkpoints record everything once, in the registry as in the stream
    consumer.sink = RegistrySink(home)
    run_until_caught_up(redis_url, [consumer], 60)
    consumer.close()
    assert sorted(key(record) for _, record in written(redis_url)) == expected
    assert [(r, s, round(t, 3), sid) for r, s, t, sid in expected] == stored_transitions()
    sessions, stored_minutes, hits = stored_counts()
    assert sessions == EVENING["sessions"] and stored_minutes == len(minutes) and hits == len(reference.hits)
    assert pending(client) == 0
