"""Benchmark of the live monitor (issue 6, "Speed"): 10,000 concurrent sessions and 2,000,000 events of a synthetic
evening (about 70% chat, 15% viewers, 10% orders, 5% other; monitor.synth), every rule and the compliance scan on,
in-process on one core; in the same run the baseline that only parses the JSON lines (json.loads), and the ratio.
Then the same events through Redis Streams with 2 consumers (when a redis-server binary is on the machine).

    python -m bench.monitor [--sessions 10000] [--events 2000000] [--seconds 360] [--redis-sessions 1000]
                            [--redis-repeat 1] [--redis-pack 100] [--douyin-events 500000]

Targets: at least 100,000 events a second in-process; p99 event-to-alert latency under 1 s; Douyin's own messages
through the platform adapter (monitor.adapters) under 20% more time an event than the same events as the monitor's
own lines. Latency here is the wall time from the moment the engine receives the event that makes an alert true (an
order, a viewers count, a hit in a text) to the moment the transition comes out, compliance batching included.
Alerts of time (a stall, a window that empties) are decided when their session's own clock (its newest event less
``lag``, 2 s by default; in live mode the wall clock) passes their second; that wait is by design and not counted
here.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from decimal import Decimal

from livecommerce.monitor.engine import Engine
from livecommerce.monitor.synth import evening


def deep_size(obj: object, seen: set[int] | None = None) -> int:
    """Bytes held by an object and everything it refers to (each object once)."""
    seen = set() if seen is None else seen
    stack, total = [obj], 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (type, type(len))):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, deque)):
            stack.extend(item)
        elif hasattr(item, "__slots__"):
            stack.extend(getattr(item, name) for name in item.__slots__ if hasattr(item, name))
        elif hasattr(item, "__dict__"):
            stack.append(item.__dict__)
    return total


def in_process(lines: list[str]) -> dict[str, object]:
    gc.collect()
    gc.disable()  # the engine makes no cycles; the collector would only walk millions of live objects
    engine = Engine()
    started = time.perf_counter()
    read = engine.read
    transitions = 0
    for line in lines:
        transitions += len(read(line))
    transitions += len(engine.close())
    seconds = time.perf_counter() - started
    gc.enable()
    return {"engine": engine, "seconds": seconds, "transitions": transitions}


def latencies(lines: list[str]) -> tuple[list[float], Counter[str]]:
    """Per transition caused by an event: seconds from that event's arrival to the transition's emission."""
    engine = Engine()
    arrived: dict[tuple[str, float], float] = {}
    out: list[float] = []
    rules: Counter[str] = Counter()
    clock = time.perf_counter
    for line in lines:
        now = clock()
        event = engine.intake.read(line)
        if event is None:
            continue
        arrived.setdefault((event.session_id, event.ts), now)
        for t in engine.feed(event):
            cause = arrived.get((t.session_id, t.at))
            if cause is not None and t.state in ("firing", "pending"):
                out.append(clock() - cause)
                rules[t.rule] += 1
    engine.close()
    return out, rules


def baseline(lines: list[str]) -> float:
    loads = json.loads
    started = time.perf_counter()
    for line in lines:
        loads(line)
    return time.perf_counter() - started


def baseline_decimal(lines: list[str]) -> float:
    decoder = json.JSONDecoder(parse_float=Decimal)
    started = time.perf_counter()
    for line in lines:
        decoder.decode(line)
    return time.perf_counter() - started


def douyin_shaped(lines: list[str], limit: int) -> tuple[list[str], list[str]]:
    """The evening's chat, viewers, like and gift events (the kinds Douyin's live messages carry), at most ``limit``,
    twice: as the monitor's own lines (platform douyin) and as Douyin's protobuf messages decoded to JSON, the shape
    capture tools write (monitor.adapters.douyin; ids and times as Douyin gives them)."""
    native: list[str] = []
    douyin: list[str] = []
    for number, line in enumerate(lines):
        event = json.loads(line, parse_float=Decimal)
        kind, ms = event["kind"], event["ts"]
        if kind not in ("chat", "viewers", "like", "gift"):
            continue
        event["platform"] = "douyin"
        common = {"method": "", "msgId": str((ms // 1000 << 32) | number), "roomId": event["session_id"], "createTime": str(ms)}
        if kind == "chat":
            common["method"] = "WebcastChatMessage"
            user = event.get("user", "")
            message: dict[str, object] = {"common": common, "user": {"id": user[2:], "nickName": user}, "content": event["text"]}
        elif kind == "viewers":
            common["method"] = "WebcastRoomUserSeqMessage"
            message = {"common": common, "total": str(event["online"]), "totalUser": str(event["total"])}
        elif kind == "like":
            common["method"] = "WebcastLikeMessage"
            message = {"common": common, "count": str(event["count"]), "user": {"id": "1", "nickName": "x"}}
        else:
            event.pop("value")  # Douyin gives no money for a gift: both sides without a value
            common["method"] = "WebcastGiftMessage"
            message = {
                "common": common,
                "giftId": "463",
                "repeatCount": str(event["count"]),
                "gift": {"id": "463", "name": event["name"], "diamondCount": 1},
                "user": {"id": "2"},
            }
        native.append(json.dumps(event, ensure_ascii=False, default=str))
        douyin.append(json.dumps(message, ensure_ascii=False))
        if len(native) >= limit:
            break
    return native, douyin


def side_by_side(native: list[str], douyin: list[str], chunk: int = 2_000) -> tuple[float, float, Engine]:
    """Seconds of the monitor on its own lines and of the adapter path on the Douyin lines of the same events, taken in
    alternating chunks of ``chunk`` events (each side its own engine), so that the machine's drift, which moves a run
    by ±10% and more on a shared 2-core machine, falls on both sides alike."""
    from livecommerce.monitor.adapters import Adapter

    gc.collect()
    gc.disable()
    plain_engine, adapted_engine, adapter = Engine(), Engine(), Adapter("douyin")
    read, feed, clock = plain_engine.read, adapter.feed, time.perf_counter
    plain = adapted = 0.0
    for start in range(0, len(native), chunk):
        began = clock()
        for line in native[start : start + chunk]:
            read(line)
        middle = clock()
        for line in douyin[start : start + chunk]:
            feed(adapted_engine, line)
        plain, adapted = plain + middle - began, adapted + clock() - middle
    gc.enable()
    return plain, adapted, adapted_engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def through_redis(lines: list[str], consumers: int = 2, pack: int = 1) -> dict[str, object] | str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "skipped: no redis-server on this machine (apt-get install redis-server)"
    try:
        from livecommerce.monitor.redis_consume import throughput
    except ImportError as exc:
        return f"skipped: {exc}"
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="lc-bench-redis-")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        return throughput(f"redis://127.0.0.1:{port}/0", lines, consumers=consumers, partitions=4, pack=pack)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def redis_side(subset: list[str], sessions: int, repeat: int, pack: int = 1) -> None:
    """The Redis Streams path against the in-process engine on the same events (issue 15: at least 0.7 of its speed),
    each side ``repeat`` times, the best of each kept, with the baseline (json.loads) of the same events. ``pack``: event
    lines an entry at most (redis_publish.publish; 1 = one entry a line)."""
    if not subset:
        print("redis streams, 2 consumers: skipped (--redis-sessions 0)")
        return
    best: dict[str, object] | None = None
    for _ in range(repeat):
        result = through_redis(subset, pack=pack)
        if isinstance(result, str):
            print(f"redis streams, 2 consumers: {result}")
            return
        if best is None or float(result["seconds"]) < float(best["seconds"]):  # type: ignore[arg-type]
            best = result
    assert best is not None
    alone, alone_seconds = None, math.inf
    for _ in range(repeat):
        this = in_process(subset)
        if float(this["seconds"]) < alone_seconds:  # type: ignore[arg-type]
            alone, alone_seconds = this, float(this["seconds"])  # type: ignore[arg-type]
        del this
        gc.collect()
    assert alone is not None
    base_subset = baseline(subset)
    seconds = float(best["seconds"])  # type: ignore[arg-type]
    same = "the same count as" if alone["transitions"] == best["transitions"] else "NOT the same count as"
    print(
        f"redis streams, 2 consumers, 4 partitions, up to {pack} lines an entry: {best['events']:,} events of {sessions:,} sessions "
        f"in {seconds:.2f} s "
        f"(publishing {float(best['publish_seconds']):.2f} s of it), {best['events_per_second']:,.0f} events/s, "  # type: ignore[arg-type]
        f"{best['transitions']:,} transitions ({same} in-process: {alone['transitions']:,})"
    )
    ratio = alone_seconds / seconds
    print(
        f"  in-process on the same events: {len(subset) / alone_seconds:,.0f} events/s (one core); redis / in-process: "
        f"{ratio:.2f}x the speed, target at least 0.7: {'met' if ratio >= 0.7 else 'NOT met'}; baseline json.loads on them "
        f"{len(subset) / base_subset:,.0f} events/s ({os.cpu_count()} cores: publisher, redis-server and both consumers share them)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--seconds", type=int, default=360, help="seconds of event time (sales-spike needs 5 minutes)")
    parser.add_argument("--redis-sessions", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side; the best time of each is printed")
    parser.add_argument("--redis-repeat", type=int, default=1, help="runs of the Redis side and of its in-process twin; best of each")
    parser.add_argument("--redis-pack", type=int, default=100, help="event lines an entry at most on the Redis side (1: one a line)")
    parser.add_argument("--douyin-events", type=int, default=500_000, help="events replayed as Douyin messages (0: skip)")
    args = parser.parse_args()

    seconds = args.seconds
    rate = -(-args.events // seconds)
    started = time.perf_counter()
    lines = list(evening(sessions=args.sessions, seconds=seconds, events_per_second=rate))
    kinds = Counter(json.loads(line)["kind"] for line in lines[:: max(1, len(lines) // 200_000)])
    sampled = sum(kinds.values())
    print(
        f"evening: {len(lines):,} events, {args.sessions:,} sessions, {seconds} s of event time "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    print("  mix: " + ", ".join(f"{kind} {count / sampled:.1%}" for kind, count in kinds.most_common()))

    # each side twice, alternating, the best time of each kept: this machine is shared, and its speed drifts
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base, base_decimal, ours, run = math.inf, math.inf, math.inf, None
    for attempt in range(args.repeat):
        base = min(base, baseline(lines))
        base_decimal = min(base_decimal, baseline_decimal(lines))
        this = in_process(lines)
        if float(this["seconds"]) < ours:  # type: ignore[arg-type]
            ours, run = float(this["seconds"]), this  # type: ignore[arg-type]
        if attempt + 1 < args.repeat:
            del this
            gc.collect()
    assert run is not None
    engine = run["engine"]
    assert isinstance(engine, Engine)
    print(f"baseline json.loads only:          {base:7.2f} s  {len(lines) / base:>12,.0f} events/s")
    print(f"baseline json with exact Decimal:  {base_decimal:7.2f} s  {len(lines) / base_decimal:>12,.0f} events/s")
    print(
        f"monitor, every rule + compliance:  {ours:7.2f} s  {len(lines) / ours:>12,.0f} events/s  (one core of {os.cpu_count()}; "
        f"baseline json.loads {len(lines) / base:,.0f} events/s)"
    )
    print(
        f"  ratio monitor / json.loads: {ours / base:.1f}x the time; target 100,000 events/s: "
        f"{'met' if len(lines) / ours >= 100_000 else 'NOT met'}"
    )
    print(
        f"  transitions: {run['transitions']:,}; refused events: {engine.intake.line - engine.intake.accepted:,}; "
        f"hits: {len(engine.hits):,}"
    )

    sessions = list(engine.sessions.values()) + engine.ended
    sample = sessions[:: max(1, len(sessions) // 200)]
    shared = {id(engine)} | {id(o) for specs in engine._specs.values() for o in (specs, *specs.values())}
    sizes = sorted(deep_size(state, set(shared)) for state in sample)  # the rules are shared, not the session's
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"memory per session (deep size of {len(sample)} sessions): median {sizes[len(sizes) // 2] / 1024:.1f} KiB, "
        f"max {sizes[-1] / 1024:.1f} KiB; peak RSS grew {(rss_after - rss_before) / 1024:.0f} MiB over "
        f"{len(sessions):,} sessions"
    )
    del engine, run
    gc.collect()

    delays, rules = latencies(lines)
    delays.sort()
    if delays:
        p50, p99, worst = (delays[len(delays) // 2], delays[min(len(delays) - 1, int(len(delays) * 0.99))], delays[-1])
        print(
            f"event-to-alert latency over {len(delays):,} alerts ({', '.join(f'{r} {n}' for r, n in rules.most_common())}):"
            f" p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, max {worst * 1000:.2f} ms; target p99 < 1 s: "
            f"{'met' if p99 < 1 else 'NOT met'}"
        )

    # Douyin's own messages through the adapter against the same events as the monitor's lines (issue 14: under 20 %)
    if args.douyin_events:
        native, douyin = douyin_shaped(lines, args.douyin_events)
        plain, adapted = 1.0, math.inf
        for _ in range(args.repeat):  # the run with the lowest ratio is printed, like the best time of the others
            this_plain, this_adapted, engine = side_by_side(native, douyin)
            if this_adapted / this_plain < adapted / plain:
                plain, adapted = this_plain, this_adapted
        print(
            f"douyin adapter: {len(native):,} chat/viewers/like/gift events, in alternating chunks of 2,000; the "
            f"monitor's own lines {plain / len(native) * 1e6:.2f} µs an event, Douyin protobuf JSON through the adapter "
            f"{adapted / len(douyin) * 1e6:.2f} µs an event ({engine.intake.accepted:,} accepted): "
            f"+{(adapted / plain - 1) * 100:.1f}%; target under 20%: {'met' if adapted / plain < 1.2 else 'NOT met'}"
        )
        del engine
        gc.collect()

    # Redis: a smaller evening of its own (publisher, redis-server and both consumers share this machine's cores)
    subset = list(evening(sessions=args.redis_sessions, seconds=args.seconds)) if args.redis_sessions else []
    redis_side(subset, args.redis_sessions, args.redis_repeat, args.redis_pack)
    print(f"cpu: {os.cpu_count()} cores on this machine; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
