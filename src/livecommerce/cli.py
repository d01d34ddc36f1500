"""The root command ``livecommerce``: it only mounts each package's commands (DESIGN.md: web, cli.py).

A package's cli module is imported only when one of its commands runs (issue 15 point 7: heavy imports only where
used): ``livecommerce regions find 五常`` imports the reference package, not FastAPI, pandas, Ibis or openpyxl.
``COMMANDS`` names, for each top-level command, the module whose ``register`` mounts it and the help line
``livecommerce --help`` lists; tests/test_cli_lazy.py checks it against what the modules register.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

# name: (module whose register() mounts it, the first paragraph of its help), in the order `--help` lists them
# (Typer lists a group's plain commands before its sub-apps).
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": (
        "livecommerce.ingest.cli",
        "Load files of one feed as one batch. Exit 0: all accepted; 3: some rows rejected; 2: nothing loaded.",
    ),
    "demo": ("livecommerce.demo.cli", "Build a synthetic Heilongjiang (演示数据) and load it through the same ingest path as real files."),
    "serve": ("livecommerce.web.cli", "启动网页控制台 (serve the web console and API)."),
    "backup": (
        "livecommerce.backup.cli",
        "Write a consistent backup of the registry, the warehouse and the uploads, with a manifest of rows and "
        "sha256;\nsafe while the server runs and while an ingest writes.",
    ),
    "restore": (
        "livecommerce.backup.cli",
        "Fill an empty data home from a backup; every member's sha256 is checked before anything is written.",
    ),
    "regions": (
        "livecommerce.reference.cli",
        "行政区划: Heilongjiang's province, 13 prefectures and county-level divisions with GB/T 2260 codes; "
        "codes that exist only in the NBS statistical list (开发区, 大兴安岭's 4 区) are flagged 统计用代码. "
        "Retired codes and names since 2000 resolve to their successors.",
    ),
    "users": ("livecommerce.accounts.cli", "用户与令牌管理 (users and API tokens)"),
    "audit": ("livecommerce.accounts.audit_cli", "审计日志 (the audit log: list, verify the hash chain)"),
    "entities": ("livecommerce.entities.cli", "主体库：市场主体、网店、主播、直播基地 (the registry)"),
    "batches": ("livecommerce.ingest.cli", "Loaded batches (批次)."),
    "quarantine": ("livecommerce.ingest.cli", "Rejected rows (隔离区)."),
    "uploads": ("livecommerce.ingest.cli", "Uploaded files (上传文件) in the home's uploads/."),
    "stats": ("livecommerce.stats.cli", "统计监测分析: indicators, rankings, targets."),
    "compliance": ("livecommerce.compliance.cli", "合规检测: prohibited words and claims in scripts, titles, transcripts and chat."),
    "policy": ("livecommerce.policy.cli", "政策兑现: rewards and acceptances by the policies' clauses, explained."),
    "monitor": ("livecommerce.monitor.cli", "直播监测预警: live sessions, rules, alerts."),
}


class _Unmounted(TyperCommand):
    """Stands for a command whose module is not imported yet: its name and help line, for listings."""

    def __init__(self, name: str, module: str, help_line: str) -> None:
        super().__init__(name=name, help=help_line)
        self.module = module


class LazyGroup(TyperGroup):
    """The root group: every name of ``COMMANDS`` is known from the start; running one imports its module and mounts
    what that module registers, exactly as an eager ``register(app)`` would have built it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        for name, (module, help_line) in COMMANDS.items():
            self.commands.setdefault(name, _Unmounted(name, module, help_line))

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Unmounted) and not self._listing:
            self.mount(command.module)
            command = self.commands.get(cmd_name)
        return command

    def mount(self, module_name: str) -> None:
        """Import one package's cli module and add the click commands its ``register`` declares."""
        module = importlib.import_module(module_name)
        package_app = typer.Typer(
            rich_markup_mode=self.rich_markup_mode,
            suggest_commands=self.suggest_commands,
            pretty_exceptions_short=app.pretty_exceptions_short,
        )
        module.register(package_app)
        self.commands.update(typer.main.get_group(package_app).commands)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The root help lists the commands from ``COMMANDS`` without importing their modules."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="livecommerce", help="龙江直播电商监测服务平台 (Longjiang live-commerce platform)", no_args_is_help=True, cls=LazyGroup
)


@app.callback()
def main(
    home: Annotated[Path | None, typer.Option("--home", help="Data home (default: $LIVECOMMERCE_HOME or ./data).")] = None,
) -> None:
    """Every command initialises an empty home on first use (migrations applied)."""
    if home is not None:
        os.environ["LIVECOMMERCE_HOME"] = str(home)
        settings = sys.modules.get("livecommerce.core.settings")  # not imported yet: nothing is cached
        if settings is not None:
            settings.get_settings.cache_clear()
