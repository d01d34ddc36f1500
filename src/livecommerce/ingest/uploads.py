"""Uploaded files (上传文件) kept under the home's uploads/ directory, one folder per upload.

A folder's upload.json says what became of it: the batch and its status. The files of a batch that loaded rows
(loaded, partial) stay as the batch's source on record; those of a batch that loaded nothing (rejected, refused,
failed) — or of an upload that never finished — are kept upload_retention_days for the clerk to look at, then
purged (by the server every hour, or by `livecommerce uploads purge`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from fastapi import UploadFile

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import LiveCommerceError, UnreadableInput
from livecommerce.core.scope import Actor
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.ingest import service

log = logging.getLogger(__name__)
MANIFEST = "upload.json"
KEPT_STATUSES = ("loaded", "partial")  # the batch loaded rows: its files are its source on record
MAX_NAME_BYTES = 255  # a file name on every file system we run on


def checked_name(name: str | None) -> str:
    """The uploaded file's own name, or UnreadableInput (400) saying why it cannot be one (Chinese names are kept)."""
    shown = repr(name)[:80]
    if not name or not name.strip():
        raise UnreadableInput("an uploaded file has no name (上传文件缺少文件名)")
    if "\x00" in name or any(unicodedata.category(char) == "Cc" for char in name):
        raise UnreadableInput(f"file name {shown}: contains a control character such as NUL (文件名含控制字符)")
    if "/" in name or "\\" in name:
        raise UnreadableInput(f"file name {shown}: contains a path separator / or \\ (文件名不能含路径)")
    if name.strip(" .") == "":
        raise UnreadableInput(f"file name {shown}: only dots and spaces, not a file name (文件名无效)")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UnreadableInput(f"file name {shown}: longer than {MAX_NAME_BYTES} bytes (文件名过长)")
    return name


def _disk_name(name: str, taken: set[str]) -> str:
    """The name on disk: letters (Chinese too), digits, . - _ kept, anything else _, unique within the folder."""
    safe = re.sub(r"[^\w.\-]+", "_", name).lstrip(".") or "upload"
    stem, dot, suffix = safe.rpartition(".")
    candidate, number = safe, 2
    while candidate in taken:
        candidate = f"{stem}-{number}.{suffix}" if dot else f"{safe}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def save_uploads(files: list[UploadFile]) -> tuple[list[Path], list[str]]:
    """Write uploads to uploads/<timestamp>-<random>/; returns their paths and original names.

    Every name is checked before anything is written; the files are copied in blocks from Starlette's spooled
    temporary files (never whole in memory).
    """
    if not files:
        raise UnreadableInput("no file uploaded (未选择文件)")
    names = [checked_name(upload.filename) for upload in files]
    folder = ensure_home().uploads_dir / f"{datetime.now(SHANGHAI):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    _write_manifest(folder, {"status": "pending", "files": names})
    paths: list[Path] = []
    taken: set[str] = {MANIFEST}
    try:
        for upload, name in zip(files, names, strict=True):
            target = folder / _disk_name(name, taken)
            with target.open("wb") as handle:
                shutil.copyfileobj(upload.file, handle, length=1 << 20)
            paths.append(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return paths, names


def _write_manifest(folder: Path, content: dict[str, object]) -> None:
    (folder / MANIFEST).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")


def record_outcome(paths: list[Path], batch: str, status: str) -> None:
    """Note in the upload's folder which batch its files made and what that batch did."""
    if paths:
        folder = paths[0].parent
        _write_manifest(folder, {"batch": batch, "status": status, "files": [p.name for p in paths]})


def discard(paths: list[Path]) -> None:
    """Remove an upload that made no batch at all (unknown feed, no permission): nothing of it is on record."""
    if paths:
        shutil.rmtree(paths[0].parent, ignore_errors=True)


def ingest_uploads(feed: str, files: list[UploadFile], actor: Actor, *, strict: bool = False) -> service.BatchResult:
    """Save an upload and load it as one batch; the folder records the batch's outcome (or goes if none was made)."""
    paths, names = save_uploads(files)
    try:
        result = service.ingest(feed, paths, actor, strict=strict, source_names=names)
    except LiveCommerceError:
        discard(paths)
        raise
    record_outcome(paths, result.batch, result.status)
    return result


@dataclass(frozen=True)
class Purged:
    """One upload folder removed: its name, batch, status, files and bytes."""

    folder: str
    batch: str
    status: str
    files: list[str]
    bytes: int


def purge_uploads(settings: Settings | None = None, older_than_days: int | None = None, now: float | None = None) -> list[Purged]:
    """Remove the uploads whose batch loaded nothing, once older than the retention (upload_retention_days).

    Folders without upload.json (written before uploads recorded their outcome) are left alone.
    """
    settings = settings or ensure_home()
    days = settings.upload_retention_days if older_than_days is None else older_than_days
    cutoff = (now if now is not None else time.time()) - days * 86_400
    root = settings.uploads_dir
    removed: list[Purged] = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        manifest = folder / MANIFEST
        if not folder.is_dir() or not manifest.is_file() or manifest.stat().st_mtime > cutoff:
            continue
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if content.get("status") in KEPT_STATUSES:
            continue
        files = [p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST]
        size = sum(p.stat().st_size for p in files)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(
            Purged(folder.name, str(content.get("batch", "")), str(content.get("status", "")), sorted(p.name for p in files), size)
        )
    return removed


def purged_json(removed: list[Purged]) -> list[dict[str, object]]:
    """The purge's report as JSON-ready dicts."""
    return [asdict(item) for item in removed]


def purge_recorded(
    settings: Settings | None = None, older_than_days: int | None = None, *, actor: str = "system", client: str = ""
) -> list[Purged]:
    """Purge, and put what was removed in the audit log (one line, only when something was)."""
    from livecommerce.accounts.audit import record_apart

    settings = settings or ensure_home()
    removed = purge_uploads(settings, older_than_days)
    if removed:
        record_apart(
            actor,
            "uploads.purge",
            "uploads",
            "",
            None,
            {
                "older_than_days": settings.upload_retention_days if older_than_days is None else older_than_days,
                "removed": purged_json(removed),
            },
            client=client,
            settings=settings,
        )
    return removed


PURGE_EVERY_SECONDS = 3600


async def purge_hourly(settings: Settings) -> None:
    """The server's purge: every hour, in a worker thread so that the event loop never waits on the disk."""
    while True:
        try:
            await asyncio.to_thread(purge_recorded, settings)
        except Exception:  # a full disk or a vanished folder must not end the loop; the next hour tries again
            log.exception("uploads purge failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)
