"""Commands of 直播监测预警: `livecommerce monitor replay|alerts|silence|rules`.

`replay FILE.jsonl` plays a recorded evening through the rules, as fast as it can (`--speed max`) or N times as fast as
it happened; rules run on event time, so every speed prints the same transitions at the same seconds. With
`--format jsonl` each transition is one line `{"rule", "state", "at", "session_id", "labels", "summary"}`. Refused
events are counted by reason on stderr (with the line numbers of the first ones) and skipped; the replay goes on.
Exit codes: 0 every line accepted; 1 some lines refused (the rest replayed); 2 wrong input: nothing accepted (an empty
file, every line refused), a file that cannot be read, a wrong rules file, a wrong option.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from livecommerce.monitor.adapters import SOURCES, Adapter
from livecommerce.monitor.alert_cli import STATE_NAMES, alerts_app, silence_app
from livecommerce.monitor.alerts import Transition, iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.rules import RuleFile, RulesError

if TYPE_CHECKING:
    from livecommerce.monitor.replay import Replay

app = typer.Typer(help="直播监测预警: live sessions, rules, alerts.", no_args_is_help=True)
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, soft_wrap=True)  # a message is one line, whatever the width


def _speed(value: str) -> float | None:
    if value == "max":
        return None
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if speed <= 0:
        errors.print(f"[red]--speed {value!r}: a number above 0 (times real time) or max[/red]")
        raise typer.Exit(2)
    return speed


def rule_file(path: Path | None) -> RuleFile:
    """The rules to use (the built-in defaults without a path); a wrong file ends the command with exit 2."""
    try:
        return RuleFile(path)
    except RulesError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def replay(
    path: Annotated[Path, typer.Argument(help="JSON Lines of live events (DESIGN.md events); - reads stdin")],
    speed: Annotated[str, typer.Option("--speed", help="N times as fast as the events happened, or max")] = "max",
    output: Annotated[str, typer.Option("--format", help="jsonl: one transition a line; table: for reading")] = "table",
    rules: Annotated[Path | None, typer.Option("--rules", help="A rules file (default: the built-in rules.yaml)")] = None,
    muted: Annotated[bool, typer.Option("--muted", help="Also print silenced and inhibited transitions")] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Also store the sessions, minutes, hits and alerts seen in the registry (idempotent)")
    ] = False,
    source: Annotated[
        str | None, typer.Option("--from", help='The lines are a platform\'s own messages: douyin or kuaishou (docs/monitor.md "Events")')
    ] = None,
    session: Annotated[str | None, typer.Option("--session", help="With --from: the room of messages that carry no room id")] = None,
) -> None:
    """Replay a recorded evening through the rules and print each alert transition (with --record, store them).
    Exit 0 when every line was accepted, 1 when some were refused, 2 when none was accepted or the input is wrong."""
    from livecommerce.monitor.replay import Replay

    pace = _speed(speed)
    adapter = _adapter(source, session)
    if output not in ("jsonl", "table"):
        errors.print(f"[red]--format {output!r}: one of jsonl, table[/red]")
        raise typer.Exit(2)
    run = Replay(Engine(rule_file(rules)), adapter, session, pace, record)
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        errors.print(f"[red]{path}: cannot be read ({exc.strerror})[/red]")
        raise typer.Exit(2) from exc
    printer = _Printer(output, muted)
    with handle:
        try:
            run.play(handle, printer)
        except UnicodeDecodeError as exc:
            errors.print(f"[red]{path}: line {run.engine.intake.line + 1} is not UTF-8 ({exc.reason})[/red]")
            raise typer.Exit(2) from exc
    if record:
        _store(run)
    _summary(path, run, source, printer.printed)


class _Printer:
    """Prints transitions as they come: one JSON line each, or a line for reading; muted ones only with --muted."""

    def __init__(self, output: str, muted: bool) -> None:
        self.output, self.muted, self.printed = output, muted, 0

    def __call__(self, transitions: list[Transition]) -> None:
        for t in transitions:
            if t.muted and not self.muted:
                continue
            self.printed += 1
            if self.output == "jsonl":
                sys.stdout.write(json.dumps(t.to_json(), ensure_ascii=False) + "\n")
            else:
                note = f"  [dim]({t.muted})[/dim]" if t.muted else ""
                console.print(
                    f"{iso(t.at)}  {STATE_NAMES.get(t.state, t.state)}  {t.rule:<16} {t.session_id:<12} {t.summary}{note}", highlight=False
                )
        sys.stdout.flush()


def _summary(path: Path, run: Replay, source: str | None, printed: int) -> None:
    """The replay's counts on stderr: events, refusals by reason with the first lines refused; the exit code."""
    engine = run.engine
    intake = engine.intake
    refused = sum(intake.rejected.values())
    errors.print(
        f"{intake.accepted:,} events, {refused:,} refused, {len(engine.sessions) + len(engine.ended):,} sessions, {printed:,} transitions",
        highlight=False,
    )
    if run.adapter is not None:
        errors.print(f"  {source}: {run.adapter.summary()}", highlight=False)
    for reason, count in intake.rejected.most_common():
        errors.print(f"  refused {count:,}: {reason}", highlight=False)
    for line_no, reason, text in intake.examples[:10]:
        errors.print(f"  {path}:{line_no}: {reason}: {text}", highlight=False)
    if not intake.accepted:
        errors.print(f"[red]{path}: no event accepted[/red]")
        raise typer.Exit(2)
    if refused:
        raise typer.Exit(1)


def _adapter(source: str | None, session: str | None) -> Adapter | None:
    """The platform adapter --from names (None without it); an unknown platform ends the command with exit 2."""
    if source is None:
        if session is not None:
            errors.print("[red]--session names the room of a platform's messages: give --from too[/red]")
            raise typer.Exit(2)
        return None
    if source not in SOURCES:
        errors.print(f"[red]--from {source!r}: one of {', '.join(SOURCES)}[/red]")
        raise typer.Exit(2)
    return Adapter(source)


@app.command("rules")
def show_rules(rules: Annotated[Path | None, typer.Option("--rules", help="A rules file to check and show")] = None) -> None:
    """Check a rules file and show the thresholds each rule has (exit 2 when the file is wrong)."""
    ruleset = rule_file(rules).rules
    for name in ruleset.rules:
        spec = ruleset.spec(name)
        console.print(
            f"{name:<16} {spec.title}  {spec.op} {spec.threshold:g}  resolve {spec.resolve:g}  for {spec.for_:g}s"
            f"  window {spec.window:g}s  severity {spec.severity}",
            highlight=False,
        )
    for override in ruleset.overrides:
        console.print(
            f"override platform={override.get('platform', '*')} class={override.get('session_class', '*')}: {override['rules']}",
            highlight=False,
        )


@app.command()
def consume(
    redis_url: Annotated[str, typer.Option("--redis", help="Redis URL, e.g. redis://127.0.0.1:6379/0")],
    consumer: Annotated[str, typer.Option("--consumer", help="This consumer's name in the group (unique per process)")],
    partitions: Annotated[int | None, typer.Option("--partitions", help="N partition streams (default: as published, else 4)")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Key prefix of the deployment")] = "lc",
    lease_ms: Annotated[int, typer.Option("--lease-ms", help="Partition lease; a killed consumer is replaced after it")] = 10_000,
    checkpoint_every: Annotated[int, typer.Option("--checkpoint-every", help="Checkpoint after this many events")] = 2000,
    checkpoint_seconds: Annotated[float, typer.Option("--checkpoint-seconds", help="… or after this many seconds")] = 1.0,
    rules: Annotated[Path | None, typer.Option("--rules", help="A rules file (default: the built-in rules.yaml)")] = None,
    live_clock: Annotated[bool, typer.Option("--live-clock", help="Move a silent partition's clock with the wall clock")] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Also record sessions, minutes, hits and alerts in the registry, "
            "send the webhooks and apply the silences kept there, as the console does",
        ),
    ] = False,
) -> None:
    """Consume events from Redis Streams as one member of the group; alert transitions go to the stream PREFIX:alerts
    (with --record, also to the registry database and the webhooks)."""
    import logging
    import signal
    import threading

    import redis

    from livecommerce.core.db import ensure_home
    from livecommerce.monitor.drain import RegistrySink
    from livecommerce.monitor.redis_consume import Consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sink = RegistrySink(ensure_home()) if record else None
    try:
        worker = Consumer(
            redis_url,
            consumer,
            partitions,
            prefix=prefix,
            lease_ms=lease_ms,
            checkpoint_every=checkpoint_every,
            checkpoint_seconds=checkpoint_seconds,
            rules=rule_file(rules),
            live_clock=live_clock,
            sink=sink,
        )
    except (ValueError, redis.RedisError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    try:
        worker.run(stop)
    finally:
        if sink is not None:
            sink.close()
    errors.print(
        f"{consumer}: {worker.events:,} events, {worker.checkpoints:,} checkpoints, {worker.written:,} transitions "
        f"written, {worker.claimed:,} entries claimed",
        highlight=False,
    )
    if sink is not None:
        names = {"transitions": "transitions", "minutes": "minute rows", "hits": "hits", "sessions": "session updates"}
        errors.print(
            "recorded "
            + ", ".join(f"{count:,} {names[name]}" for name, count in sink.recorded.items())
            + (f"; {worker.sink_failures:,} failed tries (retried)" if worker.sink_failures else ""),
            highlight=False,
        )


@app.command()
def publish(
    path: Annotated[Path, typer.Argument(help="JSON Lines of live events; - reads stdin")],
    redis_url: Annotated[str, typer.Option("--redis", help="Redis URL, e.g. redis://127.0.0.1:6379/0")],
    partitions: Annotated[int | None, typer.Option("--partitions", help="N partition streams (default: as set, else 4)")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Key prefix of the deployment")] = "lc",
    pack: Annotated[
        int, typer.Option("--pack", min=1, max=10_000, help="Up to N lines of a partition in one stream entry (field b); 1: one a line")
    ] = 1,
) -> None:
    """Publish a file of events to the partition streams PREFIX:events:{p} (p = crc32(platform:session_id) mod N);
    with --pack N, up to N consecutive lines of a partition go in one entry (fewer entries for Redis and the
    consumers: docs/monitor.md, Speed)."""
    import redis

    from livecommerce.monitor.redis_publish import publish as publish_lines

    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        errors.print(f"[red]{path}: cannot be read ({exc.strerror})[/red]")
        raise typer.Exit(2) from exc
    try:
        with handle:
            count = publish_lines(redis_url, handle, partitions, prefix, pack=pack)
    except (ValueError, redis.RedisError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    errors.print(f"{count:,} events published to {prefix}:events:*", highlight=False)


# -- the store: `--record`, alerts and silences (monitor/service.py) -------------------------------------------------


def _store(run: Replay) -> None:
    """What a replay saw, into the registry through the monitor's drain, RECORD_BATCH things of a kind per transaction
    (idempotent: recording the same evening twice changes nothing)."""
    from livecommerce.core.db import ensure_home
    from livecommerce.monitor.drain import Drain
    from livecommerce.monitor.replay import RECORD_BATCH

    counts = run.store(Drain(ensure_home(), batch=RECORD_BATCH))
    errors.print(
        f"recorded {counts['transitions']:,} transitions, {counts['minutes']:,} minutes, {counts['hits']:,} hits, "
        f"{counts['sessions']:,} sessions",
        highlight=False,
    )


app.add_typer(alerts_app, name="alerts")
app.add_typer(silence_app, name="silence")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="monitor")
