"""`livecommerce entities ...`: the operator on the server reads and adds registry entries (as core.scope.SystemActor).

Bulk loading from files is `livecommerce ingest entities FILE`, which calls ``service.upsert_rows``.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.core.db import ensure_home, session_scope
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import SystemActor
from livecommerce.entities import service
from livecommerce.entities.export import ENTITY_COLUMNS
from livecommerce.entities.schemas import EntityCreate, EntityFilter, EntityPublic

entities = typer.Typer(name="entities", help="主体库：市场主体、网店、主播、直播基地 (the registry)", no_args_is_help=True)
console = Console()
OPERATOR = SystemActor(name="cli")


class OutputFormat(StrEnum):
    """How a command prints what it found."""

    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table (for people) or json (for scripts).")]


def register(app: typer.Typer) -> None:
    """Mount the `entities` group on the root command."""
    app.add_typer(entities)


def _fail(exc: Exception) -> typer.Exit:
    """Print why input or a service call was refused and give the exit code 1."""
    if isinstance(exc, ValidationError):
        lines = [f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()]
    else:
        lines = [str(exc), *(f"  - {problem}" for problem in getattr(exc, "problems", []))]
    for line in lines:
        console.print(f"[red]错误 / error:[/red] {escape(line)}", highlight=False)
    return typer.Exit(1)


def _json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _entity_table(rows: list[EntityPublic]) -> Table:
    table = Table(*(title for title, _, _ in ENTITY_COLUMNS), title=f"市场主体 共 {len(rows)} 个")
    for row in rows:
        table.add_row(*(escape(text(row)) for _, text, _ in ENTITY_COLUMNS))
    return table


@entities.command("list")
def list_command(
    region: Annotated[str | None, typer.Option(help="地区: code, 全称 or 简称 (with the divisions below it).")] = None,
    kind: Annotated[str | None, typer.Option(help="主体类型: code or Chinese name.")] = None,
    name: Annotated[str | None, typer.Option(help="Part of the name.")] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List market entities (every matching one, sorted by USCC)."""
    ensure_home()
    try:
        filters = EntityFilter(region=region, kind=kind, name=name)
        with session_scope() as session:
            rows = service.export_entities(session, OPERATOR, filters)
    except (ValidationError, LiveCommerceError) as exc:
        raise _fail(exc) from exc
    if output is OutputFormat.json:
        _json([row.model_dump(mode="json") for row in rows])
    else:
        console.print(_entity_table(rows))


@entities.command("show")
def show_command(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码")],
    output: FormatOption = OutputFormat.table,
) -> None:
    """Show one entity with its shops, streamers and bases (personal data masked)."""
    ensure_home()
    try:
        with session_scope() as session:
            detail = service.entity_detail(session, OPERATOR, uscc.strip().upper())
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if output is OutputFormat.json:
        _json(detail.model_dump(mode="json"))
        return
    console.print(_entity_table([detail.entity]))
    for title, page, columns in (
        ("网店", detail.shops, ("platform_name", "shop_id", "shop_name", "region_name")),
        ("主播", detail.streamers, ("platform_name", "streamer_id", "nickname", "region_name", "real_name", "phone")),
        ("直播基地", detail.bases, ("base_id", "name", "level", "region_name")),
    ):
        table = Table(*columns, title=f"{title} 共 {page.total} 个")
        for item in page.items:
            table.add_row(*(escape(str(getattr(item, column) or "")) for column in columns))
        console.print(table)


@entities.command("add")
def add_command(
    uscc: Annotated[str, typer.Option(help="统一社会信用代码 (check digit verified).")],
    name: Annotated[str, typer.Option(help="名称")],
    kind: Annotated[str, typer.Option(help="主体类型: code or Chinese name, e.g. enterprise / 企业.")],
    region: Annotated[str, typer.Option(help="所在地区: code, 全称 or 简称.")],
    above_quota: Annotated[bool, typer.Option("--above-quota/--not-above-quota", help="限额以上在统")] = False,
    local_producer: Annotated[bool, typer.Option("--local-producer/--not-local-producer", help="地产品生产企业")] = False,
    founded_on: Annotated[str | None, typer.Option(help="成立日期 YYYY-MM-DD.")] = None,
) -> None:
    """Register one market entity (audited as entity.create by "cli")."""
    ensure_home()
    try:
        data = EntityCreate(
            uscc=uscc,
            name=name,
            kind=kind,
            region=region,
            above_quota=above_quota,
            local_producer=local_producer,
            founded_on=date.fromisoformat(founded_on) if founded_on else None,
        )
        with session_scope() as session:
            created = service.create_entity(session, OPERATOR, data)
    except ValueError as exc:  # pydantic's ValidationError and a malformed date are both ValueErrors
        raise _fail(exc) from exc
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    console.print(f"已登记 / registered: {escape(created.uscc)} {escape(created.name)}（{created.region_name}）", highlight=False)
