"""Backup and restore (备份与恢复) of a data home: the registry, the warehouse and the uploads in one tar file with a
manifest of row counts and sha256 (docs/operations.md: Backup and restore).

Consistent while the server runs and while an ingest writes: the registry is copied with SQLite's online backup API,
the warehouse from its read snapshot (the state of its last committed write, warehouse/snapshot.py), the uploads as
they are. A restore checks every member against the manifest before it writes anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import duckdb
from sqlalchemy.engine import make_url

import livecommerce.warehouse  # noqa: F401 — registers the warehouse with core.db.on_new_home: a backup of a new home holds its warehouse
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI

FORMAT, VERSION = "livecommerce-backup", 1
MANIFEST = "manifest.json"
REGISTRY, WAREHOUSE, UPLOADS = "registry.sqlite3", "warehouse.duckdb", "uploads/"
CHUNK = 1024 * 1024


class BackupError(LiveCommerceError):
    """A backup or restore that was refused or failed, with the reason; nothing was written."""


def sqlite_path(settings: Settings) -> Path | None:
    """The registry's SQLite file, or None when the registry is another database (PostgreSQL)."""
    url = make_url(settings.registry_url)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def pg_dump_hint(settings: Settings) -> str:
    """What to run beside this command when the registry is PostgreSQL."""
    url = make_url(settings.registry_url)
    return (
        f"the registry is PostgreSQL (database {url.database!r} on {url.host}): back it up with "
        f"`pg_dump --format=custom --file registry.pgdump` and restore it with `pg_restore --clean --dbname ...`; "
        "run this command with --no-registry to back up the warehouse and the uploads"
    )


# ---- backup -------------------------------------------------------------------------------------------------------


def backup(output: Path, settings: Settings, *, include_registry: bool = True) -> dict[str, Any]:
    """Write the home's registry, warehouse and uploads to ``output`` (tar; .tar.gz / .tgz compressed); returns the
    manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: choose a new file name (a backup never overwrites one)")
    registry = sqlite_path(settings)
    if include_registry and registry is None:
        raise BackupError(pg_dump_hint(settings))
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "members": {},
    }
    mode = "w:gz" if output.name.endswith((".gz", ".tgz")) else "w"
    try:
        with tempfile.TemporaryDirectory(prefix="backup-", dir=settings.home / "tmp") as work, tarfile.open(partial, mode) as archive:  # type: ignore[call-overload]
            if include_registry and registry is not None:
                copy = Path(work) / REGISTRY
                manifest["registry"] = {"kind": "sqlite", "tables": _sqlite_backup(registry, copy)}
                _add(archive, manifest, REGISTRY, copy)
            manifest["warehouse"] = _add_warehouse(archive, manifest, settings)
            manifest["uploads"] = _add_uploads(archive, manifest, settings.uploads_dir)
            body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(datetime.now().timestamp())
            archive.addfile(info, _BytesReader(body))
        _fsync(partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _sqlite_backup(source: Path, target: Path) -> dict[str, int]:
    """A consistent copy of a live SQLite file (the online backup API), and its rows per table."""
    if not source.exists():
        raise BackupError(f"registry {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        return sqlite_counts(dst)
    finally:
        dst.close()
        src.close()


def sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    ]
    return {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def duckdb_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [
            r[0] for r in connection.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()
        ]
        return {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]) for name in names}


@contextmanager
def _pinned_snapshot(settings: Settings) -> Iterator[tuple[IO[bytes], dict[str, int], float]]:
    """The newest read snapshot held open (a publisher may unlink it meanwhile), with its rows per table."""
    from livecommerce.warehouse.engine import refresh
    from livecommerce.warehouse.snapshot import read_pointer

    pointer = refresh(settings, wait=False)
    if pointer is None or not pointer.file.exists():
        pointer = refresh(settings, wait=True)
    for _attempt in range(5):
        if pointer is None:
            break
        try:
            handle = open(pointer.file, "rb")  # noqa: SIM115 - held while the member is written
            counts = duckdb_counts(pointer.file)  # names are never reused: same path, same file
        except (OSError, duckdb.Error):
            pointer = read_pointer(settings)
            continue
        try:
            yield handle, counts, pointer.published_at
        finally:
            handle.close()
        return
    raise BackupError(f"warehouse {settings.warehouse_file}: no read snapshot could be opened")


def _add_warehouse(archive: tarfile.TarFile, manifest: dict[str, Any], settings: Settings) -> dict[str, Any]:
    with _pinned_snapshot(settings) as (handle, counts, published_at):
        _add_stream(archive, manifest, WAREHOUSE, handle, os.fstat(handle.fileno()).st_size)
    published = datetime.fromtimestamp(published_at, SHANGHAI).isoformat(timespec="seconds")
    return {"tables": counts, "snapshot_published_at": published}


def _add_uploads(archive: tarfile.TarFile, manifest: dict[str, Any], directory: Path) -> dict[str, int]:
    files = total = 0
    if directory.is_dir():
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink()):
            name = UPLOADS + path.relative_to(directory).as_posix()
            total += _add(archive, manifest, name, path)
            files += 1
    return {"files": files, "bytes": total}


def _add(archive: tarfile.TarFile, manifest: dict[str, Any], name: str, path: Path) -> int:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        _add_stream(archive, manifest, name, handle, size)
    return size


def _add_stream(archive: tarfile.TarFile, manifest: dict[str, Any], name: str, handle: IO[bytes], size: int) -> None:
    """One member, its sha256 taken from the very bytes written."""
    reader = _HashingReader(handle, size)
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now().timestamp())
    archive.addfile(info, reader)
    manifest["members"][name] = {"sha256": reader.digest.hexdigest(), "size": size}


class _HashingReader:
    """Reads at most ``size`` bytes of a file and hashes them on the way."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self.handle, self.left, self.digest = handle, size, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.handle.read(n)
        self.left -= len(data)
        self.digest.update(data)
        return data


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.offset + n
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the CLI shows of a manifest: members, bytes, and rows per table of the registry and the warehouse."""
    members = manifest.get("members", {})
    return {
        "created_at": manifest.get("created_at"),
        "members": len(members),
        "bytes": sum(int(m["size"]) for m in members.values()),
        "registry": (manifest.get("registry") or {}).get("tables"),
        "warehouse": (manifest.get("warehouse") or {}).get("tables"),
        "uploads": manifest.get("uploads"),
    }
