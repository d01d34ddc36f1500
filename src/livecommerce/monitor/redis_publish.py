"""The publishing side of the monitor's scale-out path over Redis Streams (redis_bus.py has the whole design): the
key names of a deployment, the partition of a session, and ``publish``, which puts each event line on its session's
partition stream. It needs no engine (redis_consume.py has the consumers)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import redis

GROUP = "monitor"
DEFAULT_PARTITIONS = 4
PACK = 100  # event lines an entry a producer should pack at most (``publish(pack=PACK)``; consumers expect no more)

_PUBLISH = """
for i = 1, #ARGV, 2 do redis.call('XADD', KEYS[1], '*', ARGV[i], ARGV[i + 1]) end
return #ARGV / 2
"""


@dataclass(frozen=True)
class Keys:
    """The key names of one deployment (``prefix`` keeps tests and benchmarks apart from the real one)."""

    prefix: str = "lc"

    @property
    def partitions(self) -> str:
        return f"{self.prefix}:partitions"

    @property
    def consumers(self) -> str:
        return f"{self.prefix}:consumers"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}:alerts"

    def events(self, p: int) -> str:
        return f"{self.prefix}:events:{p}"

    def lease(self, p: int) -> str:
        return f"{self.prefix}:lease:{p}"

    def checkpoint(self, p: int) -> str:
        return f"{self.prefix}:ckpt:{p}"


class _Head(msgspec.Struct, gc=False):
    """The two fields of an event line that choose its partition; the others are skipped unread."""

    platform: Any = msgspec.UNSET
    session_id: Any = msgspec.UNSET


_HEAD = msgspec.json.Decoder(_Head)


def partition_of_line(line: str, partitions: int) -> int:
    """The partition of a JSON event line: its session's (``partition_of``), or 0 for a line that is not JSON or lacks
    platform/session_id (the consumer's Intake refuses and counts it there). Only the two fields are decoded; a line
    the quick decoder does not take is read whole, as json.loads reads it."""
    try:
        head = _HEAD.decode(line)
        platform, session_id = head.platform, head.session_id
    except msgspec.DecodeError:
        try:
            raw = json.loads(line)
            platform, session_id = raw["platform"], raw["session_id"]
        except (ValueError, KeyError, TypeError):
            return 0
    if platform is msgspec.UNSET or session_id is msgspec.UNSET:
        return 0
    return partition_of(str(platform), str(session_id), partitions)


def connect(url_or_client: str | redis.Redis) -> Any:
    """A client on bytes (the checkpoints are binary); typed Any because redis-py's stubs assume str replies."""
    if isinstance(url_or_client, redis.Redis):
        return url_or_client
    return redis.Redis.from_url(url_or_client, decode_responses=False)


def partition_of(platform: str, session_id: str, partitions: int) -> int:
    """The partition of a session: crc32 of "platform:session_id" mod N — stable across processes and machines
    (Python's hash() is salted per process)."""
    return zlib.crc32(f"{platform}:{session_id}".encode()) % partitions


def stream_id(value: bytes | str) -> tuple[int, int]:
    """A stream entry id ("ms-seq") as a pair of numbers, for comparing ids."""
    text = value.decode() if isinstance(value, bytes) else value
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def text_of(value: Any) -> str:
    """A reply from the bytes client as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def ensure_partitions(client: redis.Redis, partitions: int | None = None, prefix: str = "lc") -> int:
    """The deployment's number of partitions: set it when none is (``partitions`` or 4), refuse another one."""
    keys = Keys(prefix)
    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions: {partitions} is not a number of partitions (1 or more)")
    client.set(keys.partitions, partitions or DEFAULT_PARTITIONS, nx=True)
    current = int(client.get(keys.partitions) or 0)
    if partitions is not None and current != partitions:
        raise ValueError(
            f"partitions: {partitions}, but {keys.partitions} is already {current} "
            "(changing N moves sessions between partitions; start a new prefix instead)"
        )
    return current


def entries(lines: list[bytes], pack: int) -> list[bytes]:
    """The fields of the stream entries of a partition's lines, in order, as (name, value) pairs flat: ``e`` = one
    line; with ``pack`` > 1, ``b`` = up to ``pack`` consecutive lines joined by newlines (a line that holds a newline
    itself goes alone, as ``e``)."""
    out: list[bytes] = []
    run: list[bytes] = []
    for line in lines:
        if b"\n" in line:  # a line that holds a newline itself goes alone
            if run:
                out += _entry(run)
                run = []
            out += (b"e", line)
            continue
        run.append(line)
        if len(run) >= pack:
            out += _entry(run)
            run = []
    if run:
        out += _entry(run)
    return out


def _entry(run: list[bytes]) -> tuple[bytes, bytes]:
    return (b"b", b"\n".join(run)) if len(run) > 1 else (b"e", run[0])


def publish(
    url_or_client: str | redis.Redis,
    lines: Iterable[str],
    partitions: int | None = None,
    prefix: str = "lc",
    batch: int = 2000,
    pack: int = 1,
) -> int:
    """XADD each JSON line to its session's partition stream, in order; the number of lines published. A line that is
    not JSON or lacks platform/session_id goes to partition 0, where the consumer's Intake refuses and counts it. Lines
    go in batches of ``batch``, one script call per partition (a call per line would cost more than the consumers'
    work). ``pack`` > 1 puts up to that many consecutive lines of a partition in one entry (field ``b``, the lines
    joined by newlines): the same events in the same order, a fraction of the entries for Redis and the consumers to
    handle; 1 (the default) writes one entry per line (field ``e``)."""
    client = connect(url_or_client)
    keys = Keys(prefix)
    n = ensure_partitions(client, partitions, prefix)
    add = client.register_script(_PUBLISH)
    buffers: list[list[bytes]] = [[] for _ in range(n)]
    count = 0

    def flush() -> None:
        pipe = client.pipeline(transaction=False)
        for p, buffer in enumerate(buffers):
            if buffer:
                add(keys=[keys.events(p)], args=entries(buffer, pack), client=pipe)
                buffers[p] = []
        pipe.execute()

    for line in lines:
        line = line.strip()
        if not line:
            continue
        p = partition_of_line(line, n)
        buffers[p].append(line.encode())
        count += 1
        if count % batch == 0:
            flush()
    flush()
    return count
