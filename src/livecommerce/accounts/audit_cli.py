"""`livecommerce audit ...`: the operator reads the audit log and checks its hash chain (runs as SystemActor)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.accounts import audit, audit_search
from livecommerce.accounts.audit_search import AuditFilter
from livecommerce.core.db import ensure_home, session_scope
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import SystemActor

group = typer.Typer(name="audit", help="审计日志 (the audit log: list, verify the hash chain)", no_args_is_help=True)
console = Console()
OPERATOR = SystemActor(name="cli")


def register(app: typer.Typer) -> None:
    """Mount the `audit` group on the root command."""
    app.add_typer(group)


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]错误 / error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


@group.command("list")
def list_lines(
    actor: Annotated[str | None, typer.Option("--actor", help="Exact user name.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Exact action code, e.g. login, users.create.")] = None,
    target_type: Annotated[str | None, typer.Option("--target-type", help="e.g. user, entity, export.")] = None,
    target_id: Annotated[str | None, typer.Option("--target-id", help="The target's id or key.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, 2026-12-01 (Asia/Shanghai), included.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, 2026-12-07 (Asia/Shanghai), included.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Lines at most (1-1000).")] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Lines to skip (newest first).")] = 0,
    output: Annotated[str, typer.Option("--format", help='table or json ({"total", "items"}).')] = "table",
) -> None:
    """The lines the filters select, newest first, with how many there are in all."""
    if output not in ("table", "json"):
        raise _fail(f"--format is table or json, got {output!r}", 2)
    ensure_home()
    try:
        wanted = AuditFilter(
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            date_from=audit_search.parse_day(date_from, "--from"),
            date_to=audit_search.parse_day(date_to, "--to"),
        )
        with session_scope() as session:
            found = audit_search.search(session, OPERATOR, wanted, limit, offset)
            rows = [audit_search.as_row(entry) for entry in found.items]
    except LiveCommerceError as exc:
        raise _fail(str(exc), 2) from exc
    if output == "json":
        typer.echo(json.dumps({"total": found.total, "items": rows}, ensure_ascii=False, default=str))
        return
    _table(found.total, rows, offset)


def _table(total: int, rows: list[dict[str, object]], offset: int) -> None:
    table = Table(title=f"审计日志 / audit log: {len(rows)} of {total} (from {offset + 1})" if rows else None)
    for header in ("序号 id", "时间 at", "操作人 actor", "操作 action", "对象 target", "结果 outcome", "内容 summary"):
        table.add_column(header, overflow="fold")
    for row in rows:
        at = row["at"].strftime("%Y-%m-%d %H:%M:%S") if hasattr(row["at"], "strftime") else str(row["at"])
        table.add_row(
            str(row["id"]),
            at,
            escape(str(row["actor"])),
            escape(f"{row['action_label']} ({row['action']})"),
            escape(f"{row['target_type']} {row['target_id']}".strip()),
            escape(str(row["outcome_label"])),
            escape(str(row["summary"])),
        )
    if rows:
        console.print(table)
    else:
        console.print(f"没有符合条件的审计记录 / no lines match (total {total})")


@group.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor", help="ID:HASH of a line noted earlier (an earlier verify's last line): it must still be there with that hash."
        ),
    ] = None,
) -> None:
    """Check the hash chain line by line (streamed): exit 0 when intact, 1 naming the first line that does not hold."""
    anchored = _parse_anchor(anchor) if anchor else None
    ensure_home()
    with session_scope() as session:
        verdict = audit.verify(session)
        moved = audit.anchor_problem(session, *anchored) if anchored and verdict.intact else None
    if verdict.broken is None and moved is None:
        typer.echo(
            f"审计日志完整 / audit log intact: {verdict.checked} lines checked; last line {verdict.last_id}, "
            f"hash {verdict.last_hash}" + (f"; anchor line {anchored[0]} holds" if anchored else "")
        )
        return
    if moved is not None:
        typer.echo(f"审计日志被改写 / audit log rewritten: {moved}.", err=True)
        raise typer.Exit(1)
    broken = verdict.broken
    assert broken is not None
    when = audit.at_text(broken.at) if broken.at is not None else "-"
    typer.echo(
        f"审计日志被篡改 / audit log altered: line {broken.entry_id} (at {when}, actor {broken.actor!r}, "
        f"action {broken.action!r}): {broken.problem}. {verdict.checked} lines before it are intact.",
        err=True,
    )
    raise typer.Exit(1)


def _parse_anchor(text: str) -> tuple[int, str]:
    """'1234:9f86d0…' → (1234, '9f86d0…'); anything else is a usage error (exit 2)."""
    line_id, _, digest = text.partition(":")
    if not line_id.strip().isdigit() or len(digest.strip()) != 64:
        raise _fail(f"--anchor is ID:HASH (a line id and its 64-character sha256), got {text!r}", 2)
    return int(line_id), digest.strip()
