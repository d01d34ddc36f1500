"""Commands of the stored alerts and silences: `livecommerce monitor alerts list|show|ack` and `livecommerce monitor
silence add|list|expire` (the engine's commands — replay, rules, consume, publish — are in monitor/cli.py). The
operator on the server acts as the whole province; each write is audited by the service.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.core.answers import answering
from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.scope import SystemActor
from livecommerce.core.timeutil import now

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, soft_wrap=True)  # a message is one line, whatever the width
STATE_NAMES = {"pending": "待定", "firing": "告警", "resolved": "恢复", "nodata": "无数据"}


OPERATOR = SystemActor(name="cli")  # the operator on the server sees the whole province, as the other commands do
alerts_app = typer.Typer(help="预警: list, show and acknowledge (认领) stored alerts.", no_args_is_help=True)
silence_app = typer.Typer(help="静默: time-boxed silences of alerts by label matchers.", no_args_is_help=True)
Output = Annotated[str, typer.Option("--format", help="table (for people) or json (for scripts).")]


def _check_format(output: str) -> None:
    if output not in ("table", "json"):
        errors.print(f"[red]--format {output!r}: one of table, json[/red]")
        raise typer.Exit(2)


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=1))


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
