"""The consuming side of the monitor's scale-out path over Redis Streams (redis_bus.py has the whole design: leases,
checkpoints, at-least-once delivery with each transition written once): ``Consumer``, one member of the consumer
group running one Engine per partition it owns; watching a deployment (``caught_up``, ``alerts``, ``drop``); and the
benchmark (``throughput``). redis_publish.py has the key names and ``publish``."""

from __future__ import annotations

import json
import logging
import math
import pickle
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack

import redis

from livecommerce.monitor.alerts import Transition
from livecommerce.monitor.drain import Output
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.redis_publish import GROUP, PACK, Keys, connect, ensure_partitions, publish, stream_id, text_of
from livecommerce.monitor.rules import RuleFile, RuleSet
from livecommerce.monitor.state import dumps

log = logging.getLogger(__name__)

DEFAULT_LEASE_MS = 10_000
SINK_RETRY = 5.0  # seconds before a partition tries again to record its results after the sink failed

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: lease, checkpoint, events stream, alerts stream
# ARGV: consumer, group, engine pickle, last id, partition, number of ids to ack, the ids…, then (id, record) pairs
_CHECKPOINT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'engine', ARGV[3], 'last_id', ARGV[4], 'consumer', ARGV[1])
local n = tonumber(ARGV[6])
local i = 7
local last = 6 + n
while i <= last do
  local j = math.min(i + 99, last)
  redis.call('XACK', KEYS[3], ARGV[2], unpack(ARGV, i, j))
  i = j + 1
end
while i < #ARGV do
  redis.call('XADD', KEYS[4], '*', 'id', ARGV[i], 'record', ARGV[i + 1], 'partition', ARGV[5])
  i = i + 2
end
return 1
"""


class Sink(Protocol):
    """Where a consumer's results go besides the stream of transitions (drain.RegistrySink)."""

    def write(self, engine: Engine, transitions: list[Transition]) -> None: ...

    def silences(self) -> list[Any] | None: ...


class ConsumerOptions(TypedDict, total=False):
    """A consumer's options, every one with its default: the deployment's key ``prefix`` ("lc"); ``lease_ms`` of a
    partition (DEFAULT_LEASE_MS); a checkpoint after ``checkpoint_every`` events (2000) or ``checkpoint_seconds`` (1.0);
    ``batch`` events a read of each partition (1000; fewer entries when they are packed, redis_publish.publish: a read is
    done well within a lease), waiting ``block_ms`` (100)
    for them; the ``rules`` (the built-in ones); the
    compliance ``scanner`` ("default": compliance's default scanner; None: no scan); ``live_clock`` (False: the wall
    clock does not move the sessions); the ``sink`` (None: only lc:alerts)."""

    prefix: str
    lease_ms: int
    checkpoint_every: int
    checkpoint_seconds: float
    batch: int
    block_ms: int
    rules: RuleSet | RuleFile | None
    scanner: Any
    live_clock: bool
    sink: Sink | None


class StopFlag(Protocol):
    def is_set(self) -> bool: ...


def transition_id(t: Transition) -> str:
    """The identity of a transition in the output stream: "fingerprint|state|at"."""
    return f"{t.fingerprint}|{t.state}|{t.at:.3f}"


@dataclass
class Partition:
    """A partition this consumer owns: its engine, the last id processed, and what the next checkpoint covers."""

    number: int
    engine: Engine
    last_id: tuple[int, int] = (0, 0)
    last_text: str = "0-0"
    unacked: list[bytes] = field(default_factory=list)
    out: list[Transition] = field(default_factory=list)
    since: float = field(default_factory=time.monotonic)
    events: int = 0
    cost: float = 0.0  # seconds the last checkpoint took
    hold: float = 0.0  # no checkpoint before this (time.monotonic) after the sink failed
    moved: float = 0.0  # when (time.time) the wall clock last moved the partition's sessions (``live_clock``)
    waiting: list[Any] = field(default_factory=list)  # entries read past a step's ``batch`` events: the next step's


class Consumer:
    """One member of the consumer group: owns some partitions by lease, runs one Engine per partition, checkpoints.

    ``step()`` does one round (renew/take/give back leases when due, read a batch, process, checkpoint what is due)
    and returns the number of events processed; ``run(stop)`` steps until ``stop.is_set()``, then checkpoints and
    gives its partitions back (SIGTERM). A SIGKILL leaves the leases to expire and the pending entries to a
    replacement."""

    def __init__(
        self, url_or_client: str | redis.Redis, name: str, partitions: int | None = None, **options: Unpack[ConsumerOptions]
    ) -> None:
        self.client: Any = connect(url_or_client)
        self.sink = options.get("sink")  # where results go besides lc:alerts (drain.RegistrySink: the registry and the webhooks)
        self.sink_failures = 0
        self.silences: list[Any] | None = None
        self.name = name
        prefix = options.get("prefix", "lc")
        self.keys = Keys(prefix)
        self.n = ensure_partitions(self.client, partitions, prefix)
        self.lease_ms = options.get("lease_ms", DEFAULT_LEASE_MS)
        self.batch, self.block_ms = options.get("batch", 1000), options.get("block_ms", 100)
        # event lines in the largest entry of the last read that had any: a read asks for batch // per_entry entries
        self.per_entry = self.largest = 1
        self.checkpoint_every, self.checkpoint_seconds = options.get("checkpoint_every", 2000), options.get("checkpoint_seconds", 1.0)
        self.rules, self.live_clock = options.get("rules"), options.get("live_clock", False)
        scanner = options.get("scanner", "default")
        if scanner == "default":
            from livecommerce.compliance.scanner import default_scanner

            scanner = default_scanner()
        self.scanner = scanner
        self.owned: dict[int, Partition] = {}
        self.next_round = self.renewed = 0.0
        self.events = self.checkpoints = self.written = self.claimed = self.resumed = 0
        # the reads take redis-py's reply as it comes (the entries' fields a flat list): building a dict per entry costs
        # more than it gives
        self.reader: Any = redis.Redis(connection_pool=self.client.connection_pool)
        self.reader.response_callbacks.pop("XREADGROUP", None)
        self._renew = self.client.register_script(_RENEW)
        self._release = self.client.register_script(_RELEASE)
        self._checkpoint = self.client.register_script(_CHECKPOINT)
        self._offset = zlib.crc32(name.encode()) % self.n  # where to start looking for free partitions

    # -- leases ------------------------------------------------------------------------------------------------------

    def join(self) -> int:
        """Say "alive" until the lease time from now; the number of consumers alive."""
        seconds, micros = self.client.time()
        now_ms = seconds * 1000 + micros // 1000
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(self.keys.consumers, {self.name: now_ms + self.lease_ms})
        pipe.zremrangebyscore(self.keys.consumers, "-inf", now_ms)
        pipe.zcard(self.keys.consumers)
        return int(pipe.execute()[-1])

    def rebalance(self) -> None:
        """Every lease_ms/3: renew the leases, then take free partitions up to the fair share or give back the extra."""
        alive = self.join()
        self.silences = self.sink.silences() if self.sink is not None else None
        for part in self.owned.values():
            self._silence(part)
        self.renew()
        share = math.ceil(self.n / max(alive, 1))
        for number in sorted(self.owned, reverse=True)[: max(0, len(self.owned) - share)]:
            self.give_back(number)
        for i in range(self.n):
            if len(self.owned) >= share:
                break
            number = (self._offset + i) % self.n
            if number not in self.owned and self.client.set(self.keys.lease(number), self.name, nx=True, px=self.lease_ms):
                self.take(number)

    def renew(self) -> None:
        """Renew the lease of every partition owned; a partition whose lease is lost is dropped."""
        self.renewed = time.monotonic()
        for number in list(self.owned):
            if not self._renew(keys=[self.keys.lease(number)], args=[self.name, self.lease_ms]):
                log.warning("%s lost the lease of partition %d; dropping what it had not checkpointed", self.name, number)
                self.owned.pop(number)

    def take(self, number: int) -> None:
        """Own partition ``number`` (the lease is held): its checkpoint or a new engine, then its pending entries."""
        stream = self.keys.events(number)
        try:
            self.client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        saved = self.client.hgetall(self.keys.checkpoint(number))
        if saved:
            engine = pickle.loads(saved[b"engine"])
            engine.scanner = self.scanner  # this consumer's scanner and rules file (reloaded at the next second)
            if isinstance(self.rules, RuleFile):
                engine.rule_file = self.rules
            part = Partition(number, engine, stream_id(saved[b"last_id"]), text_of(saved[b"last_id"]))
            self.resumed += 1
        else:
            part = Partition(number, Engine(self.rules, scanner=self.scanner))
        self.owned[number] = part
        self._silence(part)
        log.info("%s took partition %d (checkpoint %s)", self.name, number, part.last_text)
        cursor, self.largest = "0-0", 0
        while True:  # every pending entry: holding the lease proves the previous owner is gone (redis_bus's docstring)
            count = max(1, self.batch // (self.largest or PACK))  # about ``batch`` events a claim, packed or not
            cursor, entries, *_ = self.client.xautoclaim(stream, GROUP, self.name, min_idle_time=0, start_id=cursor, count=count)
            self.claimed += len(entries)
            self._process(part, entries, replayed=True)
            if text_of(cursor) == "0-0":
                break
            if time.monotonic() >= self.renewed + self.lease_ms / 3000:  # a long backlog: the leases held stay held
                self.renew()

    def give_back(self, number: int) -> None:
        """Checkpoint partition ``number`` and release its lease, so another consumer takes it at once."""
        part = self.owned.pop(number, None)
        if part is None:
            return
        part.out.extend(part.engine.flush())  # the texts waiting for a batch: their hits are this owner's to write
        if self._write(part):
            self._release(keys=[self.keys.lease(number)], args=[self.name])
            log.info("%s gave back partition %d at %s", self.name, number, part.last_text)

    # -- the loop ----------------------------------------------------------------------------------------------------

    def step(self) -> int:
        """One round: leases when due, one read, processing, the checkpoints due. Events processed."""
        now = time.monotonic()
        if now >= self.next_round:
            self.rebalance()
            self.next_round = now + self.lease_ms / 3000
        if not self.owned:
            time.sleep(self.block_ms / 1000)
            return 0
        reads = self._read()
        done, fresh, self.largest = 0, set(), 0
        for number, entries in reads.items():
            part = self.owned.get(number)
            if part is not None:
                done += self._process(part, entries, limit=self.batch)
                fresh.add(number)
        if self.largest:
            self.per_entry = self.largest
        spent = sum(part.cost for part in self.owned.values())  # a round of checkpoints of every partition owned
        for number, part in list(self.owned.items()):
            self._tend(part, number not in fresh, now, spent)
        return done

    def _read(self) -> dict[int, list[Any]]:
        """The entries to process this step, by partition: those still waiting from the last step, and one read of the
        other partitions (a partition with entries waiting reads no more; with work waiting, the read does not block)."""
        reads = {number: part.waiting for number, part in self.owned.items() if part.waiting}
        streams = {self.keys.events(number): ">" for number in self.owned if number not in reads}
        if streams:
            count = max(1, self.batch // self.per_entry)
            replies = self.reader.xreadgroup(GROUP, self.name, streams, count=count, block=None if reads else self.block_ms) or []
            for stream, entries in replies.items() if isinstance(replies, dict) else replies:  # RESP3 a map, RESP2 pairs
                if entries:
                    reads[int(text_of(stream).rsplit(":", 1)[1])] = entries
        return reads

    def _tend(self, part: Partition, idle: bool, now: float, spent: float) -> None:
        """After the step's read: a partition with nothing new scans its waiting texts; the wall clock moves its sessions
        (``live_clock``); its checkpoint when due — never sooner than nine times ``spent``, what the last checkpoints of
        all the partitions owned took, so that checkpoints take at most a tenth of the consumer's time."""
        if idle and part.engine.texts:  # nothing new: the texts waiting for a batch are scanned now, not left over
            part.out.extend(part.engine.flush())
        wall = time.time()
        # the wall clock moves every session of the partition (a silent one in a busy partition too) once a second
        if self.live_clock and part.engine.tick is not None and (idle or wall >= part.moved + 1):
            part.out.extend(part.engine.advance(wall - part.engine.lag))
            part.moved = wall
        elapsed = time.monotonic() - part.since
        if (
            part.unacked
            and now >= part.hold
            and (idle or part.events >= self.checkpoint_every or elapsed >= self.checkpoint_seconds)
            and elapsed >= 9 * spent  # idle or busy, pickling the engines costs at most a tenth of the time
        ):
            if not self._write(part):
                self.owned.pop(part.number, None)

    def run(self, stop: StopFlag) -> None:
        """Step until ``stop`` is set; then checkpoint, give every partition back and leave the group's roll."""
        try:
            while not stop.is_set():
                self.step()
        finally:
            self.close()

    def close(self) -> None:
        """A clean stop: checkpoint and give back every partition, leave the roll of consumers."""
        for number in list(self.owned):
            self.give_back(number)
        self.client.zrem(self.keys.consumers, self.name)

    def _silence(self, part: Partition) -> None:
        if self.silences is not None:
            part.engine.alerts.silences = self.silences

    def _process(self, part: Partition, entries: list[Any], replayed: bool = False, limit: int = 0) -> int:
        """Feed entries to the partition's engine, in stream order: field ``e`` one event line, field ``b`` event lines
        joined by newlines (redis_publish.publish). An entry is processed whole and acknowledged whole. New entries (">")
        all lie past the checkpoint; of entries claimed from a previous owner, those the checkpoint already covers are
        only acknowledged again. With a ``limit``, the entries after the one that reaches that many events wait for
        the next step (part.waiting): a step of packed entries is no longer than one of single lines."""
        engine, out, unacked, done, largest = part.engine, part.out, part.unacked, 0, max(self.largest, 1)
        read = engine.read
        last, part.waiting = None, []
        for i, (entry_id, fields) in enumerate(entries):
            if limit and done >= limit:
                part.waiting = entries[i:]
                break
            unacked.append(entry_id)
            if fields is None:  # deleted from the stream while pending
                continue
            if replayed and stream_id(entry_id) <= part.last_id:
                continue
            last = entry_id
            name, value = _field(fields)
            if name == b"e":
                out.extend(read(value.decode("utf-8", "replace")))
                done += 1
                continue
            lines = value.decode("utf-8", "replace").split("\n") if name == b"b" else [""]  # no event field: refused, counted
            for line in lines:
                out.extend(read(line))
            done += len(lines)
            largest = max(largest, len(lines))
        self.largest = largest
        if last is not None:
            part.last_id, part.last_text = stream_id(last), text_of(last)
        part.events += done
        self.events += done
        return done

    def _write(self, part: Partition) -> bool:
        """The checkpoint: engine + last id, XACK of the covered ids, XADD of the new transitions — atomically, and only
        while this consumer holds the lease. False when the lease is lost (the partition is then someone else's)."""
        started = time.monotonic()
        engine = part.engine
        if self.sink is not None and (part.out or engine.minutes or engine.hits or engine.ended or engine.notifications):
            try:
                self.sink.write(engine, part.out)
            except Exception:  # the registry is unreachable: no checkpoint (nothing acknowledged), try again later
                log.exception("%s: partition %d's results could not be recorded; no checkpoint", self.name, part.number)
                self.sink_failures += 1
                part.hold = time.monotonic() + SINK_RETRY
                return True
        Output.discard(engine)  # drained by the sink, or not kept (without one only transitions leave)
        args: list[Any] = [
            self.name,
            GROUP,
            dumps(engine),  # pickle.dumps, its deques written faster (state.dumps)
            part.last_text,
            part.number,
            len(part.unacked),
            *part.unacked,
        ]
        for t in part.out:
            args += [transition_id(t), json.dumps(t.record(), ensure_ascii=False)]
        n = part.number
        ok = self._checkpoint(keys=[self.keys.lease(n), self.keys.checkpoint(n), self.keys.events(n), self.keys.alerts], args=args)
        if not ok:
            log.warning("%s: checkpoint of partition %d refused (lease lost)", self.name, n)
            return False
        self.checkpoints += 1
        self.written += len(part.out)
        part.unacked, part.out, part.events, part.since = [], [], 0, time.monotonic()
        part.cost = part.since - started
        return True


def _field(fields: Any) -> tuple[bytes, bytes]:
    """The event field of an entry, as read (a flat list: name, value, …) or as redis-py parses it (a dict): ``e``,
    ``b`` or, for an entry with neither, (b"", b"")."""
    if type(fields) is list:
        if len(fields) == 2:
            return fields[0], fields[1]
        fields = dict(zip(fields[::2], fields[1::2], strict=False))
    for name in (b"e", b"b"):
        if name in fields:
            return name, fields[name]
    return b"", b""


# -- watching a deployment -------------------------------------------------------------------------------------------


def caught_up(url_or_client: str | redis.Redis, prefix: str = "lc") -> bool:
    """True when every partition's checkpoint covers its stream's last entry and nothing is pending."""
    client = connect(url_or_client)
    keys = Keys(prefix)
    n = int(client.get(keys.partitions) or 0)
    for p in range(n):
        last = client.xrevrange(keys.events(p), count=1)
        if not last:
            continue
        saved = client.hget(keys.checkpoint(p), "last_id")
        if saved is None or stream_id(saved) < stream_id(last[0][0]):
            return False
        if client.xpending(keys.events(p), GROUP)["pending"]:
            return False
    return True


def alerts(url_or_client: str | redis.Redis, prefix: str = "lc") -> list[tuple[str, dict[str, Any]]]:
    """The output stream: (transition id, record) in the order written."""
    client = connect(url_or_client)
    return [(text_of(fields[b"id"]), json.loads(fields[b"record"])) for _, fields in client.xrange(Keys(prefix).alerts)]


def drop(url_or_client: str | redis.Redis, prefix: str) -> int:
    """Delete every key of ``prefix`` (a test's or a benchmark's namespace); the number deleted."""
    client = connect(url_or_client)
    names = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    return int(client.delete(*names)) if names else 0


# -- the benchmark ---------------------------------------------------------------------------------------------------


def _settled(client: redis.Redis, prefix: str, partitions: int, consumers: int) -> bool:
    owners = [client.get(Keys(prefix).lease(p)) for p in range(partitions)]
    if None in owners:
        return False
    counts = [owners.count(name) for name in set(owners)]
    return len(counts) == min(consumers, partitions) and max(counts) - min(counts) <= 1


def _consumer_process(redis_url: str, name: str, prefix: str, partitions: int, options: dict[str, Any]) -> subprocess.Popen[bytes]:
    """`livecommerce monitor consume` in a process of its own (a core of its own; no main-module guard needed)."""
    command = [
        sys.executable,
        "-m",
        "livecommerce",
        "monitor",
        "consume",
        "--redis",
        redis_url,
        "--consumer",
        name,
        "--prefix",
        prefix,
        "--partitions",
        str(partitions),
    ]
    for option, value in options.items():
        command += [f"--{option.replace('_', '-')}", str(value)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def throughput(
    redis_url: str,
    lines: Iterable[str],
    consumers: int = 2,
    partitions: int = 4,
    timeout: float = 600.0,
    pack: int = 1,
    **options: Any,
) -> dict[str, Any]:
    """Events per second through Redis Streams: ``consumers`` processes (`monitor consume`, one core each) own
    ``partitions`` partitions; the clock runs from the first publish until every event is checkpointed and
    acknowledged. ``pack``: event lines an entry at most (``publish``). ``options`` are consume's options (lease_ms,
    checkpoint_every, checkpoint_seconds). A namespace of its own, deleted afterwards. Returns events, seconds,
    events_per_second, transitions, publish_seconds."""
    client = connect(redis_url)
    prefix = f"lc-bench-{uuid.uuid4().hex[:8]}"
    ensure_partitions(client, partitions, prefix)
    workers = [_consumer_process(redis_url, f"bench-{i}", prefix, partitions, options) for i in range(consumers)]
    try:
        deadline = time.monotonic() + 120
        while not _settled(client, prefix, partitions, consumers):  # every partition owned, the shares even
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("a consumer process ended before the run (see `livecommerce monitor consume`)")
            if time.monotonic() > deadline:
                raise TimeoutError("the consumers did not start and share the partitions within 120 s")
            time.sleep(0.05)
        started = time.perf_counter()
        events = publish(client, lines, partitions, prefix, pack=pack)
        published = time.perf_counter() - started
        deadline = time.monotonic() + timeout
        while not caught_up(client, prefix):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not consumed within {timeout:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        transitions = client.xlen(Keys(prefix).alerts)
    finally:
        for worker in workers:
            worker.terminate()  # SIGTERM: a clean stop
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        drop(client, prefix)
    return {
        "events": events,
        "seconds": seconds,
        "events_per_second": events / seconds if seconds else 0.0,
        "transitions": transitions,
        "publish_seconds": published,
        "consumers": consumers,
        "partitions": partitions,
        "pack": pack,
    }
