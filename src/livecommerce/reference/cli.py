"""`livecommerce regions`: look a region up by code, 全称 or 简称, list a division's children."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from livecommerce.core.errors import LiveCommerceError
from livecommerce.reference.address import AmbiguousRegion, resolve
from livecommerce.reference.history import history
from livecommerce.reference.regions import PROVINCE, Region, regions

console = Console()
regions_app = typer.Typer(
    help="行政区划: Heilongjiang's province, 13 prefectures and county-level divisions with GB/T 2260 codes; codes that "
    "exist only in the NBS statistical list (开发区, 大兴安岭's 4 区) are flagged 统计用代码. Retired codes and names "
    "since 2000 resolve to their successors.",
    no_args_is_help=True,
)
LEVEL_ZH = {"province": "省", "city": "市(地)", "county": "县(市、区)"}


def _row(region: Region) -> dict[str, object]:
    table = regions()
    return {
        "code": region.code,
        "name": region.name,
        "short_name": region.short_name,
        "level": region.level,
        "parent": region.parent_code,
        "full_name": table.full_name(region.code),
        "chain": [r.code for r in table.ancestors(region.code)],
        "statistical_only": region.statistical_only,
    }


def _ambiguous(exc: AmbiguousRegion, output: str) -> None:
    """The candidates of an ambiguous name or split retired code, exit 2."""
    if output == "json":
        entries = [e.as_dict() for e in history().of_code(exc.retired)]
        typer.echo(json.dumps({"code": None, "error": str(exc), "candidates": exc.candidates, "retired": entries}, ensure_ascii=False))
    else:
        console.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
    raise typer.Exit(2) from exc


@regions_app.command("find")
def find(text: str, output: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """A region by code, 全称 or 简称 (哈尔滨 / 230100), a retired code or name (漠河县 / 232723), or an address
    (黑龙江省哈尔滨市五常市山河镇…, 哈尔滨五常)."""
    try:
        found = resolve(text)
    except AmbiguousRegion as exc:
        _ambiguous(exc, output)
        return
    except LiveCommerceError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc
    region = found.region
    row = _row(region)
    if found.retired:
        retired: dict[str, object] = dict(found.retired.as_dict())
        if found.others:
            retired["also_to"] = [e.as_dict() for e in found.others]
        row["retired"] = retired
    if output == "json":
        typer.echo(json.dumps(row, ensure_ascii=False))
        return
    chain = " → ".join(f"{r.name}({r.code})" for r in regions().ancestors(region.code))
    console.print(
        f"{region.code} {row['full_name']} · {LEVEL_ZH[region.level]} · 简称 {region.short_name}"
        + (" · 统计用代码" if region.statistical_only else ""),
        highlight=False,
    )
    console.print(chain, highlight=False)
    if found.retired:
        r = found.retired
        console.print(f"已撤销: {r.describe()} · {r.date} {r.document} · 来源 {r.source}", highlight=False)
        for other in found.others:
            console.print(f"另有部分: {other.change} → {other.new_name}({other.new_code})", highlight=False)


@regions_app.command("list")
def list_children(
    parent: Annotated[str, typer.Argument(help="Code or name; default the province.")] = PROVINCE,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The divisions directly below one region (the 13 prefectures by default)."""
    from rich.table import Table  # only this command draws a table: `regions find` does not import it

    try:
        children = regions().children(regions().find(parent).code)
    except LiveCommerceError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc
    if output == "json":
        typer.echo(json.dumps([_row(r) for r in children], ensure_ascii=False))
        return
    table = Table("代码", "名称", "简称", "级别")
    for region in children:
        table.add_row(
            region.code, region.name, region.short_name, LEVEL_ZH[region.level] + (" · 统计用" if region.statistical_only else "")
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Mount `regions` on the root command."""
    app.add_typer(regions_app, name="regions")
