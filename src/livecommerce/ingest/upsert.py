"""Upsert (按自然键更新) of a batch's accepted rows: the last row of each natural key replaces the stored one; an
identical row is left as it was. Facts go through the warehouse's one load path (warehouse.load), registry rows to
entities.service."""

from __future__ import annotations

import duckdb

from livecommerce.core.db import session_scope
from livecommerce.core.scope import Actor
from livecommerce.core.settings import Settings
from livecommerce.warehouse.feeds import Feed
from livecommerce.warehouse.load import load
from livecommerce.warehouse.schema import ident


def final_rows(con: duckdb.DuckDBPyConnection, feed: Feed, in_batch: int) -> None:
    """final: the accepted rows, only the last of each natural key when the batch repeats keys."""
    keys = ", ".join(ident(k) for k in feed.key)
    columns = ", ".join(ident(c.name) for c in feed.columns)
    con.execute("DROP VIEW IF EXISTS final")
    con.execute("DROP TABLE IF EXISTS final")
    if in_batch:
        latest = f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY rowid DESC) = 1"
        con.execute(f"CREATE TEMP TABLE final AS SELECT {columns} FROM stage WHERE NOT __bad {latest}")
    else:
        con.execute(f"CREATE TEMP VIEW final AS SELECT {columns} FROM stage WHERE NOT __bad")


def upsert(con: duckdb.DuckDBPyConnection, settings: Settings, feed: Feed, actor: Actor, batch: str) -> tuple[int, int]:
    """Natural-key upsert of table final: returns (rows that replaced a different earlier row, rows identical to one).

    An identical row is left as it was (its batch_id too): loading the same file twice rewrites nothing.
    """
    if feed.target == "warehouse":
        columns = ", ".join(ident(c.name) for c in feed.columns)
        loaded = load(con, feed, f"SELECT {columns} FROM final", batch)
        return loaded.replaced, loaded.unchanged
    return _upsert_registry(con, settings, feed, actor)


def _upsert_registry(con: duckdb.DuckDBPyConnection, settings: Settings, feed: Feed, actor: Actor) -> tuple[int, int]:
    """Registry feeds (entities, shops, streamers, bases) go to the registry database through entities.service.

    The registry commits just before the warehouse records the batch; a crash between the two leaves the rows loaded
    and the batch unrecorded, and loading the file again changes nothing (the upsert is idempotent).
    """
    from livecommerce.entities import service as registry

    cursor = con.execute("SELECT * FROM final")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    with session_scope(settings) as session:
        counts = registry.upsert_rows(session, feed.name, rows, actor)
    return counts.replaced, counts.unchanged
