"""Commands of statistics: `livecommerce stats query|rank|targets|indicators|rebuild|export-parquet`.

Run by the operator on the server, they see the whole province (SystemActor), as the other commands do.
Exit 0 with an answer; 2 when the question is wrong (unknown indicator, dimension, region, date).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import SystemActor
from livecommerce.core.web.writer import Column, Sheet, csv_bytes
from livecommerce.stats import params
from livecommerce.stats.indicators import DIMENSIONS, INDICATORS
from livecommerce.stats.tables import StatTable, query_table, rank_table, to_xlsx

app = typer.Typer(help="统计监测分析: indicators, rankings, targets.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

FORMATS = ("table", "json", "csv", "xlsx")

Indicator = Annotated[str, typer.Option("--indicator", "-i", help="Indicator id (see `livecommerce stats indicators`).")]
From = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (included).")]
To = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (included).")]
Period = Annotated[str | None, typer.Option("--period", help="Instead of --from/--to: 2025, 2025-Q1, 2025-02, 2025-W05.")]
Region = Annotated[str | None, typer.Option("--region", help="Only this region and below: code or name (哈尔滨).")]
Filters = Annotated[list[str] | None, typer.Option("--filter", help="DIMENSION=CODE[,CODE], e.g. platform=douyin.")]
Attribution = Annotated[str, typer.Option("--attribution", help="seller (seller_region) or ship_from.")]
Format = Annotated[str, typer.Option("--format", help="table, json, csv or xlsx.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="File to write (xlsx: default stats.xlsx).")]
Engine = Annotated[str, typer.Option("--engine", help="duckdb (the warehouse file) or spark (Parquet of --parquet).")]
ParquetDir = Annotated[Path | None, typer.Option("--parquet", help="With --engine spark: `stats export-parquet` dir.")]


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except LiveCommerceError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _check_format(output: str) -> None:
    if output not in FORMATS:
        errors.print(f"[red]--format {output!r}: one of {', '.join(FORMATS)}[/red]")
        raise typer.Exit(2)


@contextmanager
def _engine(engine: str, parquet: Path | None) -> Iterator[Any]:
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import SparkEngine, open_duckdb, spark_session

    if engine == "duckdb":
        with open_duckdb(ensure_home()) as duck:
            yield duck
    elif engine == "spark":
        if parquet is None:
            raise LiveCommerceError("--engine spark needs --parquet DIR (written by `livecommerce stats export-parquet`)")
        yield SparkEngine(spark_session(), parquet)
    else:
        raise LiveCommerceError(f"--engine {engine!r}: duckdb or spark")


@app.command("query")
def query_command(
    indicator: Indicator,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="DIM[,DIM]: province city county category local platform channel cross_border entity_kind day week month quarter year.",
        ),
    ] = None,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: Annotated[str | None, typer.Option("--compare", help="yoy (同比) or mom (环比).")] = None,
    share: Annotated[bool, typer.Option("--share", help="Add each row's share of its parent (占比).")] = False,
    filters: Filters = None,
    attribution: Attribution = "seller",
    output: Format = "table",
    path: Output = None,
    engine: Engine = "duckdb",
    parquet: ParquetDir = None,
) -> None:
    """One indicator over a date range, cut by dimensions; JSON values are exact decimal strings (yuan)."""
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.query import run
    from livecommerce.stats.registry import snapshot

    _check_format(output)
    with _answering():
        query = params.build_query(indicator, by, start, end, period, region, compare, share, filters, attribution)
        with _engine(engine, parquet) as runner:
            result = run(runner, query, SystemActor(), snapshot(ensure_home()))
    _emit(result.to_json(), query_table(result), output, path)


@app.command("rank")
def rank_command(
    indicator: Indicator,
    of: Annotated[str, typer.Option("--of", help="entity, shop, streamer, product, county or city.")] = "entity",
    top: Annotated[int, typer.Option("--top", help="How many.")] = 10,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: Annotated[str, typer.Option("--compare", help="Rank change against mom (上期) or yoy (上年同期).")] = "mom",
    filters: Filters = None,
    attribution: Attribution = "seller",
    output: Format = "table",
    path: Output = None,
    engine: Engine = "duckdb",
    parquet: ParquetDir = None,
) -> None:
    """The top N by an indicator, with the rank each held in the period before and the change of rank."""
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.rank import run_rank
    from livecommerce.stats.registry import snapshot

    _check_format(output)
    with _answering():
        query = params.build_rank(indicator, of, top, start, end, period, region, compare, filters, attribution)
        with _engine(engine, parquet) as runner:
            result = run_rank(runner, query, SystemActor(), snapshot(ensure_home()))
    _emit(result.to_json(), rank_table(result), output, path)


def _emit(document: dict[str, Any], table: StatTable, output: str, path: Path | None) -> None:
    if output == "json":
        _write(json.dumps(document, ensure_ascii=False, indent=1), path)
    elif output == "csv":
        _write(_csv(document["rows"]), path)
    elif output == "xlsx":
        target = path or Path("stats.xlsx")
        target.write_bytes(to_xlsx([table]))
        console.print(str(target))
    else:
        _print(table)


def _write(text: str, path: Path | None) -> None:
    if path:
        path.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
        console.print(str(path))
    else:
        typer.echo(text)


def _csv(rows: list[dict[str, Any]]) -> str:
    """The JSON rows as CSV: the same field names and exact values (yuan, ratios), for machines and re-checking;
    written by core.web.writer (RFC 4180, a name that looks like a formula behind a quote), without the BOM."""
    if not rows:
        return ""
    return csv_bytes(Sheet("stats", [Column(key, key) for key in rows[0]], rows)).decode("utf-8-sig")


def _print(table: StatTable) -> None:
    shown = Table(title=table.title, caption=table.subtitle)
    for column in table.columns:
        shown.add_column(column.title, justify="left" if column.kind == "text" else "right")
    for row in table.display_rows():
        shown.add_row(*row)
    console.print(shown)


@app.command("indicators")
def indicators_command(output: Format = "table") -> None:
    """The indicator catalogue (统计口径) and the dimensions each can be cut by."""
    rows = [
        {
            "id": i.id,
            "name": i.zh,
            "unit": i.unit,
            "source": i.source,
            "definition": i.definition,
            "dimensions": [d for d, dim in DIMENSIONS.items() if i.source in dim.sources],
        }
        for i in INDICATORS.values()
    ]
    if output == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    shown = Table(title="指标目录 (docs/indicators.md)")
    for header in ("id", "指标", "单位", "来源", "口径"):
        shown.add_column(header)
    for row in rows:
        shown.add_row(*(str(row[k]) for k in ("id", "name", "unit", "source", "definition")))
    console.print(shown)


@app.command("targets")
def targets_command(output: Format = "table") -> None:
    """The policies' targets (目标) with progress so far, the forecast at the due date and whether on track."""
    from livecommerce.stats.goals import figure, open_statuses

    if output not in ("table", "json"):
        errors.print(f"[red]--format {output!r}: table or json[/red]")
        raise typer.Exit(2)
    with _answering():
        rows = [status.to_json() for status in open_statuses(SystemActor())]
    if output == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    shown = Table(title="目标进度 (docs/targets.md)", show_lines=True)
    for header in ("目标", "地区", "截止", "目标值", "当前", "预计", "判断"):
        shown.add_column(header, overflow="fold")
    for row in rows:
        verdict = row.get("statement") or row["reason"]
        shown.add_row(
            row["title"],
            row["region_name"],
            row["due_date"],
            figure(row["target"], row["unit"]),
            figure(row.get("actual"), row["unit"]),
            figure(row.get("forecast"), row["unit"]),
            verdict,
        )
    console.print(shown)


@app.command("rebuild")
def rebuild_command() -> None:
    """Make every rollup again from the facts (they are kept at ingest; this is for repair and upgrades)."""
    from livecommerce.core.db import ensure_home
    from livecommerce.warehouse.engine import connect
    from livecommerce.warehouse.rollups import rebuild

    with _answering(), connect(ensure_home()) as con:
        con.execute("BEGIN TRANSACTION")
        rebuild(con)
        con.execute("COMMIT")
    console.print("汇总表已重建 (rollups rebuilt)")


@app.command("export-parquet")
def export_parquet_command(directory: Annotated[Path, typer.Argument(help="Directory to write, one folder a table.")]) -> None:
    """Write the tables the queries read as Parquet, for the Spark engine (`--engine spark --parquet DIR`)."""
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import export_parquet

    with _answering():
        counts = export_parquet(directory, ensure_home())
    for name, rows in counts.items():
        console.print(f"{name}: {rows:,}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="stats")
