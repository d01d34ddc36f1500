"""The read snapshot (读快照) of the warehouse: a copy of the DuckDB file as of the last committed write, which every
reader opens read-only, so that statistics answer while an ingest holds the writer's lock (docs/operations.md:
Reads during ingest).

Layout, beside the warehouse file ``W``: a directory ``W.snapshots/`` holding versioned copies (``<ns>-<pid>.duckdb``)
and ``CURRENT``, a small JSON pointer naming the newest one, the state of ``W`` it was copied from and what it holds
(its tables and ``warehouse_meta``: a command checks that its warehouse is complete without opening a file). A writer
publishes after its work: CHECKPOINT (the file then holds every committed change and the WAL is empty), copy (a
reflink where the file system can, else a byte copy), fsync, write the pointer to a temporary file, fsync, rename it
over ``CURRENT``. Snapshots older than the previous one are unlinked; a reader that still has one open keeps its
inode (Linux) and finishes its query. Each snapshot has a name of its own because DuckDB keeps one database instance
per path in a process: a reused name could hand a new reader the instance of a file already replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livecommerce.core.settings import Settings

POINTER = "CURRENT"
FICLONE = 0x40049409  # linux/fs.h: share the blocks of another file (btrfs, XFS, bcachefs); else a byte copy


@dataclass(frozen=True)
class Pointer:
    """What ``CURRENT`` says: the snapshot file, and the state (size, mtime, WAL size) of the warehouse it copies."""

    file: Path
    source: tuple[int, int, int]
    published_at: float
    tables: frozenset[str] | None = None  # the snapshot's tables, None when an older publisher did not say
    meta: dict[str, str] | None = None  # the snapshot's warehouse_meta (versions), likewise


def snapshot_dir(settings: Settings) -> Path:
    """The directory of the read snapshots of this home's warehouse."""
    warehouse = settings.warehouse_file
    return warehouse.with_name(warehouse.name + ".snapshots")


def source_state(settings: Settings) -> tuple[int, int, int]:
    """The warehouse file's size and modification time, and its WAL's size: changed by every durable write."""
    warehouse = settings.warehouse_file
    main = warehouse.stat()
    wal = Path(str(warehouse) + ".wal")
    return main.st_size, main.st_mtime_ns, wal.stat().st_size if wal.exists() else 0


def read_pointer(settings: Settings) -> Pointer | None:
    """The newest published snapshot, or None when none was published (or its pointer is unreadable)."""
    directory = snapshot_dir(settings)
    try:
        data = json.loads((directory / POINTER).read_text(encoding="utf-8"))
        size, mtime, wal = data["source"]
        tables, meta = data.get("tables"), data.get("meta")
        return Pointer(
            directory / str(data["file"]),
            (int(size), int(mtime), int(wal)),
            float(data["published_at"]),
            frozenset(str(t) for t in tables) if isinstance(tables, list) else None,
            {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def is_current(settings: Settings, pointer: Pointer | None = None) -> bool:
    """Whether the snapshot copies the warehouse as it is on disk now (nothing written since it was published)."""
    pointer = pointer or read_pointer(settings)
    if pointer is None or not pointer.file.exists():
        return False
    try:
        return pointer.source == source_state(settings)
    except FileNotFoundError:
        return False


def publish(connection: Any, settings: Settings) -> Pointer:
    """Copy the warehouse, as of its last commit, to a new snapshot and point readers at it.

    The caller holds the warehouse's writer lock (DuckDB's file lock and this process's writer lock), so nothing
    writes the file between the CHECKPOINT and the end of the copy.
    """
    connection.execute("CHECKPOINT")
    state = source_state(settings)
    current = read_pointer(settings)
    if current is not None and current.source == state and current.file.exists() and current.tables is not None:
        return current  # nothing was written since the last publication
    directory = snapshot_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{time.time_ns()}-{os.getpid()}.duckdb"
    partial = target.with_suffix(".partial")
    try:
        _copy(settings.warehouse_file, partial)
        os.replace(partial, target)
        pointer = Pointer(target, state, time.time(), *_contents(connection))
        _write_pointer(directory, pointer)
    finally:
        partial.unlink(missing_ok=True)
    # the one before stays for a reader that read CURRENT just before it changed and has yet to open its file
    _prune(directory, keep={target.name, current.file.name if current else ""})
    return pointer


def _contents(connection: Any) -> tuple[frozenset[str], dict[str, str]]:
    """The tables and warehouse_meta of the committed warehouse (not this connection's TEMP tables)."""
    tables = connection.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database()")
    names = frozenset(str(row[0]) for row in tables.fetchall())
    meta = dict(connection.execute("SELECT key, value FROM warehouse_meta").fetchall()) if "warehouse_meta" in names else {}
    return names, {str(k): str(v) for k, v in meta.items()}


def _copy(source: Path, target: Path) -> None:
    """A durable copy of ``source``: a reflink when the file system shares blocks, else a byte copy; fsynced."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            cloned = True
        except OSError:
            cloned = False
    if not cloned:
        shutil.copyfile(source, target)  # os.sendfile on Linux: the kernel copies
    with open(target, "rb") as dst:
        os.fsync(dst.fileno())


def _write_pointer(directory: Path, pointer: Pointer) -> None:
    """Replace ``CURRENT`` atomically: a reader sees the old pointer or the new one, never half of one."""
    temporary = directory / f".{POINTER}.{os.getpid()}.tmp"
    data: dict[str, Any] = {"file": pointer.file.name, "source": list(pointer.source), "published_at": pointer.published_at}
    if pointer.tables is not None:
        data["tables"] = sorted(pointer.tables)
    if pointer.meta is not None:
        data["meta"] = pointer.meta
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / POINTER)
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _prune(directory: Path, keep: set[str]) -> None:
    """Unlink superseded snapshots (and partial copies of a crashed publisher older than an hour)."""
    for path in directory.iterdir():
        if path.suffix == ".duckdb" and path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
        elif path.suffix == ".partial" and time.time() - path.stat().st_mtime > 3600:
            with contextlib.suppress(OSError):
                path.unlink()
