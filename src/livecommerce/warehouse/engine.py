"""Connections to the DuckDB warehouse file: one writer at a time, Asia/Shanghai sessions, bounded memory.

DuckDB lets one process open a file for writing; a second process waits here (up to ``wait_seconds``) instead of
failing, so `livecommerce ingest` run beside the web console queues rather than errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.settings import Settings, get_settings


def _configure(connection: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    connection.execute(f"SET TimeZone = '{settings.timezone}'")
    connection.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    connection.execute(f"SET threads = {int(settings.duckdb_threads)}")
    temp = settings.home / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    connection.execute(f"SET temp_directory = '{temp.as_posix()}'")


@contextmanager
def connect(settings: Settings | None = None, *, read_only: bool = False, wait_seconds: float = 60.0
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A configured connection to the warehouse file, closed on exit."""
    settings = settings or get_settings()
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection = duckdb.connect(str(settings.warehouse_file), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise LiveCommerceError(f"warehouse {settings.warehouse_file} is busy: {exc}") from exc
            time.sleep(0.2)
    try:
        _configure(connection, settings)
        yield connection
    finally:
        connection.close()
