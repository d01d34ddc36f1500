"""The one load path (入库) of the facts: every write of a batch's rows into a fact table goes through ``load``, and
the rollups of the days the batch touched are made again in the same transaction (DESIGN.md: The flow).

ingest reads and validates a batch, then hands its accepted rows to ``load`` as a SELECT over the feed's columns,
inside the transaction that also writes the quarantine and the batch's record (``batch_transaction``): one batch is
one transaction, so a rollup and the order detail always agree (tests/stats/test_rollups.py).

Two ways in, one function (DESIGN.md: Idempotence):
- ``fresh`` rows — the caller has checked that no key repeats and none is stored (a clean Parquet batch), or
  checks it after the load and rolls the transaction back when one does (ingest's one-pass load) — and any rows into
  an empty table are inserted as they are;
- otherwise rows are upserted by the feed's natural key: a row whose key is stored with other values replaces the
  stored row (and the days of the replaced row are made again too: a corrected paid_at moves an order between days);
  a row identical to the stored one is left as it was, its batch_id too, so loading a file twice rewrites nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from livecommerce.warehouse import rollups
from livecommerce.warehouse.feeds import Feed
from livecommerce.warehouse.schema import ident


@dataclass(frozen=True)
class Loaded:
    """What a load did: rows that replaced a different stored row, rows identical to a stored one."""

    replaced: int = 0
    unchanged: int = 0


@contextmanager
def batch_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One batch, one transaction: committed when the block ends, rolled back on any error (or a kill)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        con.execute("SET preserve_insertion_order = true")  # as load leaves it when its INSERT fails
        raise


def load(con: duckdb.DuckDBPyConnection, feed: Feed, rows: str, batch: str, *, fresh: bool = False) -> Loaded:
    """Write ``rows`` (a SELECT of the feed's columns, in its order) into the feed's fact table as batch ``batch``
    and make its rollups again; inside the caller's ``batch_transaction``."""
    if feed.target != "warehouse":
        raise ValueError(f"feed {feed.name} has no fact table: its rows go to the registry")
    target = ident(feed.name)
    if fresh or not con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]:  # type: ignore[index]
        loaded, source = Loaded(), f"({rows})"
    else:
        loaded, source = _changes(con, feed, rows), "changes WHERE NOT __same"
    columns = ", ".join(ident(c.name) for c in feed.columns)
    con.execute("SET preserve_insertion_order = false")  # facts have no order: DuckDB inserts in parallel
    # a failed INSERT aborts the transaction, where no SET runs: batch_transaction puts the setting back after ROLLBACK
    con.execute(f"INSERT INTO {target} ({columns}, batch_id) SELECT {columns}, ? FROM {source}", [batch])
    con.execute("SET preserve_insertion_order = true")
    rollups.after_batch(con, feed.name, batch)
    return loaded


def _changes(con: duckdb.DuckDBPyConnection, feed: Feed, rows: str) -> Loaded:
    """TEMP table changes: each row with whether its key is stored and whether the stored row is the same; the
    stored rows it replaces are deleted (their days noted for the rollups first)."""
    target = ident(feed.name)
    on = " AND ".join(f"t.{ident(k)} = f.{ident(k)}" for k in feed.key)
    same = " AND ".join(f"t.{ident(c.name)} IS NOT DISTINCT FROM f.{ident(c.name)}" for c in feed.columns if c.name not in feed.key)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE changes AS
                    SELECT f.*, t.{ident(feed.key[0])} IS NOT NULL AS __existed, coalesce({same}, FALSE) AS __same
                    FROM ({rows}) f LEFT JOIN {target} t ON {on}""")
    replaced, unchanged = con.execute("SELECT count(*) FILTER (__existed AND NOT __same), count(*) FILTER (__same) FROM changes").fetchone()  # type: ignore[misc]
    rollups.note_replaced(con, feed.name, feed.key)
    key_match = " AND ".join(f"{target}.{ident(k)} = c.{ident(k)}" for k in feed.key)
    con.execute(f"DELETE FROM {target} USING changes c WHERE {key_match} AND c.__existed AND NOT c.__same")
    return Loaded(int(replaced), int(unchanged))
