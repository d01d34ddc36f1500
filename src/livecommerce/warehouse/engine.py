"""Connections to the DuckDB warehouse: one writer at a time on the warehouse file, readers on its read snapshot;
Asia/Shanghai sessions, bounded memory.

Writes (ingest, rollup rebuilds, schema upgrades) open the file itself. DuckDB lets one process open it for writing;
a second process waits here (up to ``wait_seconds``) instead of failing, so `livecommerce ingest` run beside the web
console queues rather than errors. Inside a process one thread writes at a time. When the outermost writer closes,
the state it committed is published as the read snapshot (warehouse/snapshot.py).

Reads (``read_only=True``: statistics, dashboards, batch lists) open the newest read snapshot, which no writer ever
locks, so they answer while an ingest runs, with the figures of the last committed write (docs/operations.md: Reads
during ingest).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.settings import Settings, get_settings
from livecommerce.warehouse.snapshot import Pointer, is_current, publish, read_pointer

log = logging.getLogger(__name__)

_WRITER = threading.Lock()  # one writing connection per process at a time (DuckDB: one writing transaction per table)
_LOCAL = threading.local()  # this thread's depth of nested writer connections
_BUSY_UNTIL: dict[str, float] = {}  # warehouse file -> until when readers do not try to publish (a writer holds it)
BUSY_RETRY_SECONDS = 2.0


def _configure(connection: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    connection.execute(f"SET TimeZone = '{settings.timezone}'")
    connection.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    connection.execute(f"SET threads = {int(settings.duckdb_threads)}")
    # DuckDB draws a progress bar on stdout for any statement over 2 s, in every process: it would run into
    # `livecommerce ingest --format json`'s answer (a batch is one long statement); commands show their own on stderr
    connection.execute("SET enable_progress_bar = false")
    temp = settings.home / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    connection.execute(f"SET temp_directory = '{temp.as_posix()}'")


@contextmanager
def connect(
    settings: Settings | None = None, *, read_only: bool = False, wait_seconds: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A configured connection, closed on exit: to the read snapshot when ``read_only``, else to the warehouse file."""
    settings = settings or get_settings()
    manager = _reader(settings, wait_seconds) if read_only else _writer(settings, wait_seconds)
    with manager as connection:
        yield connection


def _depth() -> int:
    return int(getattr(_LOCAL, "depth", 0))


def _open_file(path: Path, deadline: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file for writing, retrying while another process holds its lock until ``deadline``."""
    while True:
        try:
            return duckdb.connect(str(path), read_only=False)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise LiveCommerceError(f"warehouse {path} is busy: {exc}") from exc
            time.sleep(0.2)


@contextmanager
def _writer(settings: Settings, wait_seconds: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse file for writing; the outermost writer publishes the read snapshot when it closes."""
    deadline = time.monotonic() + wait_seconds
    outermost = _depth() == 0
    if outermost and not _WRITER.acquire(timeout=max(wait_seconds, 0.0)):
        raise LiveCommerceError(f"warehouse {settings.warehouse_file} is busy: another writer in this process")
    _LOCAL.depth = _depth() + 1
    try:
        connection = _open_file(settings.warehouse_file, deadline)
        try:
            _configure(connection, settings)
            yield connection
        finally:
            try:
                if outermost:
                    _publish_after(connection, settings)
            finally:
                connection.close()
    finally:
        _LOCAL.depth = _depth() - 1
        if outermost:
            _WRITER.release()


def _publish_after(connection: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Publish what the writer committed; a failure to publish leaves readers one write behind, never wrong."""
    try:
        publish(connection, settings)
    except (duckdb.Error, OSError) as exc:
        log.warning("warehouse snapshot not published (readers keep the previous one): %s", exc)


def refresh(settings: Settings | None = None, *, wait: bool = False) -> Pointer | None:
    """Publish the read snapshot if the warehouse changed since the last one and no one is writing it now.

    With ``wait``, wait for a writer to finish (as a first reader must, when nothing was ever published); without it,
    a busy warehouse leaves the snapshot as it is. Returns the pointer readers should use.
    """
    settings = settings or get_settings()
    pointer = read_pointer(settings)
    if is_current(settings, pointer) or _depth() > 0:  # a thread inside its own write reads what was published
        return pointer
    key = str(settings.warehouse_file)
    if not wait and time.monotonic() < _BUSY_UNTIL.get(key, 0.0):
        return pointer  # a writer was found a moment ago: a failed open costs more than the query (~0.1 s)
    if not _WRITER.acquire(timeout=60.0 if wait else 0):
        return pointer
    try:
        deadline = time.monotonic() + (60.0 if wait else 0.0)
        try:
            connection = _open_file(settings.warehouse_file, deadline)
        except LiveCommerceError:
            if wait:
                raise
            _BUSY_UNTIL[key] = time.monotonic() + BUSY_RETRY_SECONDS
            return pointer  # another process is writing: its publication will come when it commits
        try:
            return publish(connection, settings)
        finally:
            connection.close()
    finally:
        _WRITER.release()


@contextmanager
def _reader(settings: Settings, wait_seconds: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The newest read snapshot, read-only; never waits for a writer unless no snapshot was ever published."""
    pointer = refresh(settings, wait=False)
    if pointer is None or not pointer.file.exists():
        pointer = refresh(settings, wait=True)
    connection = None
    for _attempt in range(5):  # the file may be pruned between reading CURRENT and opening it
        if pointer is None:
            break
        try:
            connection = duckdb.connect(str(pointer.file), read_only=True)
            break
        except duckdb.Error:
            time.sleep(0.05)
            pointer = read_pointer(settings)
    if connection is None:
        raise LiveCommerceError(f"warehouse {settings.warehouse_file}: no read snapshot could be opened")
    try:
        _configure(connection, settings)
        yield connection
    finally:
        connection.close()
