"""`livecommerce regions`: look a region up by code, 全称 or 简称, list a division's children."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from livecommerce.core.errors import LiveCommerceError
from livecommerce.reference.regions import PROVINCE, Region, regions

console = Console()
regions_app = typer.Typer(help="行政区划 (Heilongjiang's regions, GB/T 2260).", no_args_is_help=True)
LEVEL_ZH = {"province": "省", "city": "市(地)", "county": "县(市、区)"}


def _row(region: Region) -> dict[str, object]:
    table = regions()
    return {"code": region.code, "name": region.name, "short_name": region.short_name, "level": region.level,
            "parent": region.parent_code, "full_name": table.full_name(region.code),
            "chain": [r.code for r in table.ancestors(region.code)], "statistical_only": region.statistical_only}


@regions_app.command("find")
def find(text: str, output: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """A region by code, 全称 or 简称 (哈尔滨 / 哈尔滨市 / 230100), with its roll-up to the province."""
    try:
        region = regions().find(text)
    except LiveCommerceError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    row = _row(region)
    if output == "json":
        typer.echo(json.dumps(row, ensure_ascii=False))
        return
    chain = " → ".join(f"{r.name}({r.code})" for r in regions().ancestors(region.code))
    console.print(f"{region.code} {row['full_name']} · {LEVEL_ZH[region.level]} · 简称 {region.short_name}"
                  + (" · 统计用代码" if region.statistical_only else ""), highlight=False)
    console.print(chain, highlight=False)


@regions_app.command("list")
def list_children(parent: Annotated[str, typer.Argument(help="Code or name; default the province.")] = PROVINCE,
                  output: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """The divisions directly below one region (the 13 prefectures by default)."""
    try:
        children = regions().children(regions().find(parent).code)
    except LiveCommerceError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if output == "json":
        typer.echo(json.dumps([_row(r) for r in children], ensure_ascii=False))
        return
    table = Table("代码", "名称", "简称", "级别")
    for region in children:
        table.add_row(region.code, region.name, region.short_name,
                      LEVEL_ZH[region.level] + (" · 统计用" if region.statistical_only else ""))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Mount `regions` on the root command."""
    app.add_typer(regions_app, name="regions")
