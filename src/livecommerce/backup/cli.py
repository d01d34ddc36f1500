"""`livecommerce backup` and `livecommerce restore`: exit 0 done; 2 refused or failed, with the reason, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from livecommerce.core.settings import get_settings

console = Console()
errors = Console(stderr=True)
FORMATS = ("table", "json")


def _refuse(message: str) -> typer.Exit:
    errors.print(message, style="red", markup=False, highlight=False)
    return typer.Exit(2)


def _show(manifest: dict[str, Any], output: str, verb: str) -> None:
    from livecommerce.backup.service import summary

    brief = summary(manifest)
    if output == "json":
        typer.echo(json.dumps(brief, ensure_ascii=False, indent=2, sort_keys=True))
        return
    console.print(f"{verb}: {brief['members']} 个文件, {brief['bytes']:,} 字节, 备份时间 {brief['created_at']}")
    shown = Table("库 (database)", "表 (table)", "行数 (rows)")
    for database in ("registry", "warehouse"):
        for table, rows in (brief[database] or {}).items():
            shown.add_row(database, table, f"{rows:,}")
    console.print(shown)
    uploads = brief["uploads"] or {}
    console.print(f"上传文件 (uploads): {uploads.get('files', 0)} 个, {uploads.get('bytes', 0):,} 字节")


def backup_command(
    output_file: Annotated[Path, typer.Option("--output", "-o", help="The archive to write (.tar, or .tar.gz / .tgz).")],
    no_registry: Annotated[bool, typer.Option("--no-registry", help="Leave the registry out (PostgreSQL: use pg_dump).")] = False,
    output: Annotated[str, typer.Option("--format", help="table or json (the manifest's summary).")] = "table",
) -> None:
    """Write a consistent backup of the registry, the warehouse and the uploads, with a manifest of rows and sha256;
    safe while the server runs and while an ingest writes."""
    from livecommerce.backup.service import backup
    from livecommerce.core.db import ensure_home
    from livecommerce.core.errors import LiveCommerceError

    if output not in FORMATS:
        raise _refuse(f"--format {output!r}: one of {', '.join(FORMATS)}")
    try:
        manifest = backup(output_file, ensure_home(), include_registry=not no_registry)
    except LiveCommerceError as exc:
        raise _refuse(f"备份失败 (backup refused): {exc}") from exc
    _show(manifest, output, f"已备份到 {output_file}")


def restore_command(
    archive: Annotated[Path, typer.Argument(help="A file written by `livecommerce backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the registry, warehouse and uploads of a non-empty home.")] = False,
    output: Annotated[str, typer.Option("--format", help="table or json (the manifest's summary).")] = "table",
) -> None:
    """Fill an empty data home from a backup; every member's sha256 is checked before anything is written."""
    from livecommerce.backup.restore import restore
    from livecommerce.core.errors import LiveCommerceError

    if output not in FORMATS:
        raise _refuse(f"--format {output!r}: one of {', '.join(FORMATS)}")
    settings = get_settings()  # not ensure_home: that would fill the home before the restore looks at it
    try:
        manifest = restore(archive, settings, force=force)
    except LiveCommerceError as exc:
        raise _refuse(f"恢复失败 (restore refused): {exc}") from exc
    _show(manifest, output, f"已恢复到 {settings.home}")


def register(app: typer.Typer) -> None:
    """Mount `livecommerce backup` and `livecommerce restore` on the root command."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
