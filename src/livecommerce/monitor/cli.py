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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.core.answers import answering
from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.scope import SystemActor
from livecommerce.core.timeutil import now
from livecommerce.monitor.adapters import SOURCES, Adapter
from livecommerce.monitor.alerts import Transition, iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.rules import RuleFile, RulesError

if TYPE_CHECKING:
    from livecommerce.monitor.replay import Replay

app = typer.Typer(help="直播监测预警: live sessions, rules, alerts.", no_args_is_help=True)
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, soft_wrap=True)  # a message is one line, whatever the width
STATE_NAMES = {"pending": "待定", "firing": "告警", "resolved": "恢复", "nodata": "无数据"}


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
) -> None:
    """Publish a file of events to the partition streams PREFIX:events:{p} (p = crc32(platform:session_id) mod N)."""
    import redis

    from livecommerce.monitor.redis_publish import publish as publish_lines

    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        errors.print(f"[red]{path}: cannot be read ({exc.strerror})[/red]")
        raise typer.Exit(2) from exc
    try:
        with handle:
            count = publish_lines(redis_url, handle, partitions, prefix)
    except (ValueError, redis.RedisError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    errors.print(f"{count:,} events published to {prefix}:events:*", highlight=False)


# -- the store: `--record`, alerts and silences (monitor/service.py) -------------------------------------------------

OPERATOR = SystemActor(name="cli")  # the operator on the server sees the whole province, as the other commands do
alerts_app = typer.Typer(help="预警: list, show and acknowledge (认领) stored alerts.", no_args_is_help=True)
silence_app = typer.Typer(help="静默: time-boxed silences of alerts by label matchers.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
app.add_typer(silence_app, name="silence")
Output = Annotated[str, typer.Option("--format", help="table (for people) or json (for scripts).")]


def _check_format(output: str) -> None:
    if output not in ("table", "json"):
        errors.print(f"[red]--format {output!r}: one of table, json[/red]")
        raise typer.Exit(2)


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=1))


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


@alerts_app.command("list")
def alerts_list(
    state: Annotated[str | None, typer.Option("--state", help="pending, firing, resolved or nodata")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="stream-stalled, viewers-drop, sales-spike, ...")] = None,
    city: Annotated[str | None, typer.Option("--city", help="市(地): code or name (230100, 哈尔滨)")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="douyin, kuaishou, ...")] = None,
    session_id: Annotated[str | None, typer.Option("--session", help="Only this live session's alerts")] = None,
    acknowledged: Annotated[
        bool | None, typer.Option("--acknowledged/--unacknowledged", help="Only acknowledged (已认领) ones, or only the others")
    ] = None,
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=500)] = 50,
    output: Output = "table",
) -> None:
    """The alert centre (预警中心): stored alerts, newest first."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service

    _check_format(output)
    with answering(errors), session_scope(ensure_home()) as session:
        found, total = service.list_alerts(
            session,
            OPERATOR,
            state=state,
            rule=rule,
            city=city,
            platform=platform,
            session_id=session_id,
            acknowledged=acknowledged,
            page=page,
            page_size=page_size,
        )
    if output == "json":
        _echo_json({"total": total, "page": page, "page_size": page_size, "alerts": found})
        return
    shown = Table(title=f"预警 (第 {page} 页, 共 {total} 条)")
    for header in ("ID", "状态", "级别", "规则", "场次", "地区", "开始", "摘要", "负责人"):
        shown.add_column(header)
    for a in found:
        shown.add_row(
            str(a["id"]),
            STATE_NAMES.get(a["state"], a["state"]) + (" (静默)" if a["muted"] else ""),
            a["severity"],
            a["title"],
            f"{a['platform']}/{a['session_id']}",
            a["region_name"],
            a["started_at"] or "",
            escape(a["summary"]),
            escape(a["assignee"] or ""),
        )
    console.print(shown)


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(help="The alert's ID (alerts list)")], output: Output = "table") -> None:
    """One alert with every transition of its history and every acknowledgement (exit 2 for an unknown ID)."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service

    _check_format(output)
    with answering(errors), session_scope(ensure_home()) as session:
        alert = service.get_alert(session, OPERATOR, alert_id)
    if output == "json":
        _echo_json(alert)
        return
    console.print(
        f"[bold]预警 #{alert['id']} {escape(alert['title'])}[/bold] ({alert['rule']}) "
        f"{STATE_NAMES.get(alert['state'], alert['state'])} · {alert['severity']}",
        highlight=False,
    )
    console.print(
        f"场次 {alert['platform']}/{alert['session_id']} · {alert['region_name'] or '地区未知'} · "
        f"开始 {alert['started_at']}" + (f" · 恢复 {alert['resolved_at']}" if alert["resolved_at"] else ""),
        highlight=False,
    )
    console.print(escape(alert["summary"]), highlight=False)
    if alert["muted"]:
        console.print(f"[dim]{escape(alert['muted'])}[/dim]", highlight=False)
    for h in alert["history"]:
        console.print(f"  {h['at']}  {STATE_NAMES.get(h['state'], h['state'])}  {escape(h['summary'])}", highlight=False)
    for ack in alert["acks"]:
        console.print(f"  认领 {ack['at']}  {escape(ack['by'])} → {escape(ack['assignee'])}: {escape(ack['note'])}", highlight=False)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[int, typer.Argument(help="The alert's ID (alerts list)")],
    assignee: Annotated[str, typer.Option("--assignee", help="Who takes care of it (负责人)")],
    note: Annotated[str, typer.Option("--note", help="What is being done (处置说明)")] = "",
    output: Output = "table",
) -> None:
    """Acknowledge (认领) an alert and assign it (audited); exit 2 for an unknown ID or an empty assignee."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service

    _check_format(output)
    with answering(errors), session_scope(ensure_home()) as session:
        alert = service.acknowledge(session, OPERATOR, alert_id, assignee=assignee, note=note)
    if output == "json":
        _echo_json(alert)
        return
    console.print(f"预警 #{alert['id']} 已认领: 负责人 {escape(alert['assignee'])}", highlight=False)


def _starts(text: str | None) -> datetime:
    if not text:
        return now()
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            f"--starts {text!r}: an ISO 8601 time such as 2025-11-11T20:00 (Shanghai time)", [Problem("an ISO 8601 time", "--starts", text)]
        ) from None


def _silence_line(s: dict[str, Any]) -> str:
    matchers = " ".join(f"{k}={v}" for k, v in s["matchers"].items())
    state = "生效中" if s["active"] else (f"已撤销 by {s['expired_by']}" if s["expired_at"] else "未开始或已到期")
    return (
        f"#{s['id']}  {s['starts']} → {s['ends']}  {escape(matchers)}  {escape(s['comment'])}  ({escape(s['created_by'])}, {escape(state)})"
    )


@silence_app.command("add")
def silence_add(
    match: Annotated[
        list[str], typer.Option("--match", help="label=value, repeatable; a value may be a glob: region=2301*, rule=stream-stalled")
    ],
    duration: Annotated[str, typer.Option("--for", help="How long: 2h, 30m, 1h30m, 1d (at most 30 days)")],
    comment: Annotated[str, typer.Option("--comment", help="Why (e.g. 平台维护窗口)")],
    starts: Annotated[str | None, typer.Option("--starts", help="ISO 8601 start, Shanghai time (default now)")] = None,
    output: Output = "table",
) -> None:
    """Silence (静默) the alerts whose labels match every --match for a while (audited); exit 2 for a bad matcher or
    a bad --for."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service
    from livecommerce.monitor.schemas import parse_duration, parse_matches

    _check_format(output)
    with answering(errors):
        matchers, span, begin = parse_matches(match), parse_duration(duration), _starts(starts)
        with session_scope(ensure_home()) as session:
            silence = service.create_silence(session, OPERATOR, matchers=matchers, starts=begin, ends=begin + span, comment=comment)
    if output == "json":
        _echo_json(silence)
        return
    console.print("静默已添加: " + _silence_line(silence), highlight=False)


@silence_app.command("list")
def silence_list(
    every: Annotated[bool, typer.Option("--all", help="Also the silences that have ended")] = False,
    output: Output = "table",
) -> None:
    """Silences not yet ended (or every one with --all), the latest first."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service

    _check_format(output)
    with answering(errors), session_scope(ensure_home()) as session:
        found = service.list_silences(session, OPERATOR, include_expired=every)
    if output == "json":
        _echo_json(found)
        return
    for silence in found:
        console.print(_silence_line(silence), highlight=False)
    if not found:
        console.print("没有静默" if every else "没有未结束的静默", highlight=False)


@silence_app.command("expire")
def silence_expire(silence_id: Annotated[int, typer.Argument(help="The silence's ID (silence list)")]) -> None:
    """End a silence now (audited); exit 2 for an unknown ID or one that has ended already."""
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.monitor import service

    with answering(errors), session_scope(ensure_home()) as session:
        silence = service.expire_silence(session, OPERATOR, silence_id)
    console.print(f"静默 #{silence['id']} 已结束于 {silence['ends']}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="monitor")
