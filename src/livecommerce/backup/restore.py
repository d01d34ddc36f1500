"""Restore (恢复) a backup archive into a data home: every member is checked against the manifest before anything is
written; then the files are unpacked beside the home, their rows counted again, and moved into place."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

import duckdb

from livecommerce.backup.service import (
    FORMAT,
    MANIFEST,
    REGISTRY,
    UPLOADS,
    VERSION,
    WAREHOUSE,
    BackupError,
    duckdb_counts,
    sqlite_counts,
    sqlite_path,
)
from livecommerce.core.settings import Settings

CHUNK = 1024 * 1024
MAX_MANIFEST = 64 * 1024 * 1024


def restore(archive: Path, settings: Settings, *, force: bool = False) -> dict[str, Any]:
    """Fill the data home of ``settings`` from ``archive``; returns the manifest. Refuses a non-empty home unless
    ``force``, and a damaged, truncated or altered archive, in both cases before writing anything."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup file")
    manifest = verify(archive)
    registry = sqlite_path(settings)
    if "registry" in manifest and registry is None:
        raise BackupError(
            "this home's registry is PostgreSQL: the archive's SQLite registry cannot be restored into it; "
            "restore the registry with pg_restore and the rest with a home on SQLite (docs/operations.md)"
        )
    occupied = occupied_by(settings)
    if occupied and not force:
        raise BackupError(
            f"data home {settings.home} is not empty ({', '.join(occupied)}): restore into an empty home, "
            "or add --force to replace what is there"
        )
    settings.home.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.home))
    try:
        _unpack(archive, manifest, stage)
        _check_counts(stage, manifest)
        _install(stage, settings, registry, manifest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    _reopen(settings)
    return manifest


def occupied_by(settings: Settings) -> list[str]:
    """What makes a home not empty: a registry, a warehouse, snapshots or uploaded files."""
    from livecommerce.warehouse.snapshot import snapshot_dir

    found = []
    registry = sqlite_path(settings)
    if registry is not None and registry.exists() and registry.stat().st_size > 0:
        found.append(registry.name)
    if settings.warehouse_file.exists():
        found.append(settings.warehouse_file.name)
    if snapshot_dir(settings).exists():
        found.append(snapshot_dir(settings).name)
    if settings.uploads_dir.is_dir() and any(p.is_file() for p in settings.uploads_dir.rglob("*")):
        found.append("uploads/")
    return found


def verify(archive: Path) -> dict[str, Any]:
    """Read the whole archive and check it against its manifest: every member present, of its size and sha256, and
    nothing else. Writes nothing."""
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None

    def take(name: str, handle: IO[bytes], size: int) -> None:
        nonlocal manifest_bytes
        if name == MANIFEST:
            if size > MAX_MANIFEST:
                raise BackupError(f"{archive}: {MANIFEST} is {size} bytes, not a manifest")
            manifest_bytes = handle.read()
        else:
            seen[name] = _hash(handle)

    _walk(archive, take)
    if manifest_bytes is None:
        raise BackupError(f"{archive}: no {MANIFEST} (not a backup of this platform, or cut short)")
    try:
        manifest: dict[str, Any] = json.loads(manifest_bytes)
    except ValueError as exc:
        raise BackupError(f"{archive}: {MANIFEST} is not JSON: {exc}") from exc
    _check_manifest(archive, manifest, seen)
    return manifest


def _check_manifest(archive: Path, manifest: Any, seen: dict[str, tuple[str, int]]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{archive}: {MANIFEST} is not a {FORMAT} version {VERSION} manifest")
    members = manifest.get("members")
    if not isinstance(members, dict) or WAREHOUSE not in members:
        raise BackupError(f"{archive}: {MANIFEST} lists no {WAREHOUSE}")
    for name in sorted(set(members) | set(seen)):
        if name not in seen:
            raise BackupError(f"{archive}: member {name} is in the manifest but not in the archive")
        if name not in members:
            raise BackupError(f"{archive}: member {name} is in the archive but not in the manifest")
        digest, size = seen[name]
        if (digest, size) != (members[name].get("sha256"), members[name].get("size")):
            raise BackupError(
                f"{archive}: member {name} has sha256 {digest} ({size} bytes), the manifest says "
                f"{members[name].get('sha256')} ({members[name].get('size')} bytes): altered or damaged"
            )


def _walk(archive: Path, take: Callable[[str, IO[bytes], int], None]) -> None:
    """Hand each member's name, stream and size to ``take``; every tar or compression error is a BackupError."""
    names: set[str] = set()
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = _safe_name(archive, member)
                if name in names:
                    raise BackupError(f"{archive}: member {name} appears twice")
                names.add(name)
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file (checked by _safe_name)
                take(name, handle, member.size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{archive}: not a complete backup archive (truncated or damaged): {exc}") from exc


def _safe_name(archive: Path, member: tarfile.TarInfo) -> str:
    """A member is a regular file at a relative path without '..': anything else is refused, never unpacked."""
    path = PurePosixPath(member.name)
    if not member.isfile() or path.is_absolute() or ".." in path.parts or not member.name:
        raise BackupError(f"{archive}: member {member.name!r} is not a plain file inside the archive: refused")
    if member.name not in (MANIFEST, REGISTRY, WAREHOUSE) and not member.name.startswith(UPLOADS):
        raise BackupError(f"{archive}: member {member.name!r} is not part of a backup")
    return member.name


def _hash(handle: IO[bytes], sink: IO[bytes] | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest(), size


def _unpack(archive: Path, manifest: dict[str, Any], stage: Path) -> None:
    """Unpack into ``stage``, hashing again: the archive may have changed since it was verified."""

    def take(name: str, handle: IO[bytes], size: int) -> None:
        if name == MANIFEST:
            return
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as sink:
            digest, _ = _hash(handle, sink)
            sink.flush()
            os.fsync(sink.fileno())
        if digest != manifest["members"][name]["sha256"]:
            raise BackupError(f"{archive}: member {name} changed while it was restored")

    _walk(archive, take)


def _check_counts(stage: Path, manifest: dict[str, Any]) -> None:
    """The unpacked registry and warehouse hold the rows the manifest counted."""
    import sqlite3

    try:
        found = duckdb_counts(stage / WAREHOUSE)
    except duckdb.Error as exc:
        raise BackupError(f"{WAREHOUSE} in the archive cannot be opened: {exc}") from exc
    _compare(WAREHOUSE, found, manifest["warehouse"]["tables"])
    if "registry" in manifest:
        connection = sqlite3.connect(stage / REGISTRY)
        try:
            _compare(REGISTRY, sqlite_counts(connection), manifest["registry"]["tables"])
        except sqlite3.Error as exc:
            raise BackupError(f"{REGISTRY} in the archive cannot be read: {exc}") from exc
        finally:
            connection.close()


def _compare(what: str, found: dict[str, int], expected: dict[str, int]) -> None:
    if found != expected:
        differing = sorted(n for n in set(found) | set(expected) if found.get(n) != expected.get(n))
        raise BackupError(f"{what}: rows per table differ from the manifest in {', '.join(differing)}")


def _install(stage: Path, settings: Settings, registry: Path | None, manifest: dict[str, Any]) -> None:
    """Move the unpacked files into the home, replacing what a --force restore replaces."""
    from livecommerce.core import db
    from livecommerce.warehouse.snapshot import snapshot_dir

    db.dispose_engines()
    warehouse = settings.warehouse_file
    for stale in (Path(str(warehouse) + ".wal"), warehouse):
        stale.unlink(missing_ok=True)
    shutil.rmtree(snapshot_dir(settings), ignore_errors=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(stage / WAREHOUSE, warehouse)
    if "registry" in manifest and registry is not None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(registry) + suffix).unlink(missing_ok=True)
        registry.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(stage / REGISTRY, registry)
    shutil.rmtree(settings.uploads_dir, ignore_errors=True)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    if (stage / UPLOADS).is_dir():
        for path in (stage / UPLOADS).iterdir():
            shutil.move(path, settings.uploads_dir / path.name)


def _reopen(settings: Settings) -> None:
    """Forget pooled connections to the old files and publish the restored warehouse's read snapshot."""
    from livecommerce.core import db
    from livecommerce.warehouse.engine import refresh

    db.dispose_engines()
    db.forget_initialised()
    refresh(settings, wait=True)
