"""Commands of ingest: `livecommerce ingest FEED PATH...`, `livecommerce batches`, `livecommerce quarantine`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import SystemActor
from livecommerce.ingest import service
from livecommerce.warehouse.feeds import FEEDS

console = Console()
errors = Console(stderr=True)

STATUS_ZH = {
    "loaded": "已入库",
    "partial": "部分入库",
    "rejected": "全部拒收",
    "refused": "严格模式拒收",
    "failed": "无法读取",
    "pending": "未完成",
}


def ingest_command(
    feed: Annotated[str, typer.Argument(help=f"Feed: {', '.join(FEEDS)}.")],
    paths: Annotated[list[Path], typer.Argument(help="Files (CSV, XLSX, Parquet, JSON lines); all form one batch.")],
    strict: Annotated[bool, typer.Option("--strict", help="Load nothing if any row is rejected.")] = False,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    file_format: Annotated[str | None, typer.Option("--input-format", help="csv, xlsx, parquet or jsonl.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")] = None,
    actor_name: Annotated[str, typer.Option("--as", help="Name recorded as who loaded the batch.")] = "cli",
) -> None:
    """Load files of one feed as one batch. Exit 0: all accepted; 3: some rows rejected; 2: nothing loaded."""
    if feed not in FEEDS:
        errors.print(f"unknown feed {feed!r}: one of {', '.join(FEEDS)}")
        raise typer.Exit(2)
    try:
        result = _run(feed, paths, strict, file_format, sheet, actor_name, quiet=output == "json")
    except LiveCommerceError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if output == "json":
        figures = {k: getattr(result, k) for k in ("batch", "read", "accepted", "rejected", "replaced")}
        extra = {k: getattr(result, k) for k in ("feed", "unchanged", "status", "message", "problems", "ignored_columns", "notes")}
        typer.echo(json.dumps(figures | extra, ensure_ascii=False))
    else:
        _summary(result)
    raise typer.Exit(result.exit_code)


def _run(
    feed: str, paths: list[Path], strict: bool, file_format: str | None, sheet: str | None, actor_name: str, quiet: bool
) -> service.BatchResult:
    actor = SystemActor(name=actor_name)
    if quiet:
        return service.ingest(feed, paths, actor, strict=strict, fmt=file_format, sheet=sheet)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task(f"{FEEDS[feed].zh}: 准备", total=max(len(paths), 1))

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"{FEEDS[feed].zh}: {stage}", completed=min(done, len(paths)))

        result = service.ingest(feed, paths, actor, strict=strict, fmt=file_format, sheet=sheet, progress=report)
        progress.update(task, completed=len(paths))
    return result


def _summary(result: service.BatchResult) -> None:
    table = Table(title=f"批次 {result.batch} · {FEEDS[result.feed].zh} · {STATUS_ZH[result.status]}")
    for header in ("读取 read", "接收 accepted", "拒收 rejected", "替换 replaced", "未变 unchanged"):
        table.add_column(header, justify="right")
    table.add_row(*(f"{n:,}" for n in (result.read, result.accepted, result.rejected, result.replaced, result.unchanged)))
    console.print(table)
    if result.message:
        console.print(result.message)
    if result.ignored_columns:
        console.print(f"未识别的列 (ignored columns): {', '.join(result.ignored_columns)}")
    for line in result.problems:
        console.print(f"  [yellow]{line}[/yellow]")
    if result.notes:
        console.print("已按现行区划代码入库 (retired region codes stored as their successor's):")
    for note in result.notes:
        console.print(f"  {note}", markup=False)
    if result.rejected:
        console.print(f"拒收行已隔离; 导出修改后可重新导入: livecommerce quarantine export {result.batch} -o rejected.csv")


batches_app = typer.Typer(help="Loaded batches (批次).", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rejected rows (隔离区).", no_args_is_help=True)


@batches_app.command("list")
def list_command(limit: int = 20, output: Annotated[str, typer.Option("--format")] = "text") -> None:
    """The newest batches with their provenance and figures."""
    from livecommerce.ingest import batches as batch_service  # the other commands do without it (issue 15: start-up)

    rows = batch_service.list_batches(SystemActor(), limit=limit)
    if output == "json":
        typer.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, default=str))
        return
    table = Table(title="数据批次")
    for header in ("批次", "数据", "来源", "读取", "接收", "拒收", "替换", "状态", "操作人", "时间"):
        table.add_column(header)
    for r in rows:
        table.add_row(
            r.batch,
            r.feed_zh,
            r.sources,
            f"{r.read:,}",
            f"{r.accepted:,}",
            f"{r.rejected:,}",
            f"{r.replaced:,}",
            STATUS_ZH.get(r.status, r.status),
            r.actor,
            f"{r.started_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)
    for r in rows:
        for note in r.notes:
            console.print(f"{r.batch} 说明: {note}", markup=False)


@quarantine_app.command("export")
def export_command(batch: str, output: Annotated[Path, typer.Option("-o", "--output")] = Path("rejected.csv")) -> None:
    """Write a batch's rejected rows, with 错误原因, to a CSV that can be corrected and loaded again.

    The operator on the server (the system actor) gets personal data whole, so that the corrected file loads the real
    numbers; the export is audited as a download with personal data revealed."""
    from livecommerce.accounts import audit  # noqa: F401 - registers the single writer's download auditor
    from livecommerce.core.web.writer import audit_download
    from livecommerce.ingest import batches as batch_service

    try:
        found = batch_service.rejected_csv(SystemActor(), batch)
        output.write_bytes(found.content)
        audit_download(
            SystemActor(), what=f"ingest.rejected:{batch}", filename=str(output), rows=found.rows, revealed=found.revealed, client="cli"
        )
    except LiveCommerceError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{output}")


uploads_app = typer.Typer(help="Uploaded files (上传文件) in the home's uploads/.", no_args_is_help=True)


@uploads_app.command("purge")
def purge_command(
    older_than: Annotated[int | None, typer.Option("--older-than", min=0, help="Days (default: upload_retention_days).")] = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Remove uploads whose batch loaded nothing (rejected, refused, failed) once older than the retention.

    The files of batches that loaded rows are kept: they are the batch's source on record."""
    from livecommerce.ingest import uploads  # with FastAPI's UploadFile: only this command needs it

    days = older_than if older_than is not None else ensure_home().upload_retention_days
    removed = uploads.purge_recorded(older_than_days=days, actor="cli", client="cli")
    if output == "json":
        typer.echo(
            json.dumps(
                {"older_than_days": days, "removed": uploads.purged_json(removed), "bytes": sum(r.bytes for r in removed)},
                ensure_ascii=False,
            )
        )
        return
    if not removed:
        console.print(f"没有超过 {days} 天且未入库的上传文件 (nothing to purge)")
        return
    table = Table(title=f"已清理的上传文件 (older than {days} days)")
    for header in ("目录 folder", "批次 batch", "状态 status", "文件 files", "字节 bytes"):
        table.add_column(header)
    for r in removed:
        table.add_row(r.folder, r.batch, STATUS_ZH.get(r.status, r.status), ", ".join(r.files), f"{r.bytes:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Mount ingest's commands on the root command."""
    app.command("ingest")(ingest_command)
    app.add_typer(batches_app, name="batches")
    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(uploads_app, name="uploads")
