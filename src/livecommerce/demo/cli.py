"""The command `livecommerce demo`: generate a synthetic Heilongjiang and load it through ingest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import LiveCommerceError
from livecommerce.demo.files import LOAD_ORDER, Manifest
from livecommerce.demo.generator import default_directory, generate
from livecommerce.demo.loader import FeedLoad, load
from livecommerce.demo.scales import SCALES, get_scale
from livecommerce.warehouse.feeds import FEEDS

console = Console()
errors = Console(stderr=True)
STEPS = {
    "registry": "生成主体库 (主体、网店、主播、基地)",
    "orders": "生成订单与包裹",
    "daily": "生成直播场次与店铺日统计",
}


def _columns() -> tuple[object, ...]:
    return (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


def _generate(scale_name: str, seed: int, directory: Path) -> tuple[Manifest, float]:
    started = time.perf_counter()
    with Progress(*_columns(), console=errors, transient=True) as progress:  # type: ignore[arg-type]
        tasks: dict[str, object] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(STEPS.get(step, step), total=total)
            progress.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        manifest = generate(get_scale(scale_name), seed, directory, report)
    return manifest, time.perf_counter() - started


def _load(directory: Path, manifest: Manifest) -> list[FeedLoad]:
    with Progress(*_columns(), console=errors, transient=True) as progress:  # type: ignore[arg-type]
        task = progress.add_task("导入", total=len(manifest.feeds))

        def report(stage: str, done: int, total: int) -> None:
            feed, _, step = stage.partition(": ")
            progress.update(task, description=f"导入 {FEEDS[feed].zh}: {step}")

        loads = []
        for result in load(directory, report):
            loads.append(result)
            progress.advance(task)
    return loads


def _summary(manifest: Manifest, directory: Path, seconds: float, loads: list[FeedLoad]) -> None:
    by_feed = {result.feed: result for result in loads}
    table = Table(title=f"演示数据 {manifest.scale} · 种子 {manifest.seed} · 截至 {manifest.as_of}")
    for header in ("数据", "文件", "行数", "接收", "拒收", "导入用时"):
        table.add_column(header, justify="left" if header == "数据" else "right")
    for name in LOAD_ORDER:
        entry, result = manifest.feeds.get(name), by_feed.get(name)
        if entry is None:
            continue
        figures = ("-", "-", "-")
        if result:
            figures = (f"{result.accepted:,}", f"{result.rejected:,}", f"{result.seconds:.1f} 秒")
        table.add_row(f"{FEEDS[name].zh} ({name})", str(len(entry.files)), f"{entry.rows:,}", *figures)
    console.print(table)
    load_seconds = sum(result.seconds for result in loads)
    console.print(f"文件目录: {directory}")
    loaded = f", 导入用时 {load_seconds:.1f} 秒" if loads else " (未导入: --no-load)"
    console.print(f"生成用时 {seconds:.1f} 秒{loaded}")
    for result in loads:
        for line in result.problems[:5]:
            console.print(f"  [yellow]{FEEDS[result.feed].zh}: {line}[/yellow]")


def demo_command(
    scale: Annotated[str, typer.Option("--scale", help=f"Size of the province: {', '.join(SCALES)}.")] = "small",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Directory of the files (default: home/demo).")] = None,
    no_load: Annotated[bool, typer.Option("--no-load", help="Only write the files; do not load them.")] = False,
) -> None:
    """Build a synthetic Heilongjiang (演示数据) and load it through the same ingest path as real files."""
    if scale not in SCALES:
        errors.print(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
        raise typer.Exit(2)
    settings = ensure_home()
    directory = (out or default_directory(settings.home, get_scale(scale), seed)).resolve()
    try:
        manifest, seconds = _generate(scale, seed, directory)
    except LiveCommerceError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    loads = [] if no_load else _load(directory, manifest)
    _summary(manifest, directory, seconds, loads)
    if any(result.rejected for result in loads):
        raise typer.Exit(3)
    if loads:
        _policy_run(directory)
        _monitor_evening()
        _accounts()


def _policy_run(directory: Path) -> None:
    """The demo's 2025 policy run (demo/policy.py), so that 政策兑现 has awards to show."""
    from livecommerce.core.db import session_scope
    from livecommerce.demo.policy import run_demo_policy

    with session_scope() as session:
        run = run_demo_policy(session, directory)
    console.print(
        f"政策兑现演示批次 #{run.id}: {run.year} 年度, {run.entities:,} 个主体, 应享 {run.entitled} 元, "
        f"预算内拟拨付 {run.paid} 元, 需复核 {run.flagged} 个"
    )


def _monitor_evening() -> None:
    """The demo's recorded 双11 evening of 60 live rooms (demo/monitor.py), so that 直播监测's 复盘 pages have data."""
    from livecommerce.demo.monitor import record_evening

    started = time.perf_counter()
    with console.status("直播监测演示: 回放 2025-11-11 20:00 起 15 分钟、60 个直播间"):
        done = record_evening(sessions=60, seconds=900)
    console.print(
        f"直播监测演示: {done.events:,} 条事件, {done.sessions} 个场次, {done.fired} 次预警触发, "
        f"{done.hits} 处违规用语, 用时 {time.perf_counter() - started:.1f} 秒"
    )


def _accounts() -> None:
    """The demo's accounts (demo/accounts.py): a city officer, an auditor and a feed with a token."""
    from livecommerce.core.db import session_scope
    from livecommerce.demo.accounts import seed_accounts

    with session_scope() as session:
        created = seed_accounts(session)
    if created:
        console.print(f"演示账户: {', '.join(created)}（密码未显示，需要时由管理员在系统管理中重置）")


def register(app: typer.Typer) -> None:
    """Mount `livecommerce demo` on the root command."""
    app.command("demo")(demo_command)
