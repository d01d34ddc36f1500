"""The root command ``livecommerce``: it only mounts each package's commands (DESIGN.md: web, cli.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from livecommerce.core.settings import get_settings

app = typer.Typer(name="livecommerce", help="龙江直播电商监测服务平台 (Longjiang live-commerce platform)", no_args_is_help=True)


@app.callback()
def main(
    home: Annotated[Path | None, typer.Option("--home", help="Data home (default: $LIVECOMMERCE_HOME or ./data).")] = None,
) -> None:
    """Every command initialises an empty home on first use (migrations applied)."""
    if home is not None:
        os.environ["LIVECOMMERCE_HOME"] = str(home)
        get_settings.cache_clear()


def _mount() -> None:
    from livecommerce.accounts import audit_cli
    from livecommerce.accounts import cli as accounts_cli
    from livecommerce.backup import cli as backup_cli
    from livecommerce.compliance import cli as compliance_cli
    from livecommerce.demo import cli as demo_cli
    from livecommerce.entities import cli as entities_cli
    from livecommerce.ingest import cli as ingest_cli
    from livecommerce.monitor import cli as monitor_cli
    from livecommerce.policy import cli as policy_cli
    from livecommerce.reference import cli as reference_cli
    from livecommerce.stats import cli as stats_cli
    from livecommerce.web import cli as web_cli

    for module in (reference_cli, accounts_cli, audit_cli, entities_cli, ingest_cli, demo_cli, stats_cli, compliance_cli, policy_cli,
                   monitor_cli, web_cli, backup_cli):
        module.register(app)


_mount()
