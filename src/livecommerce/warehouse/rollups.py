"""Rollups (汇总表): pre-aggregated tables that keep the dashboard fast, maintained at ingest inside the batch's
warehouse transaction by the one load path (load.py), so that a rollup and the order detail always agree
(tests/stats/test_rollups.py). stats' planner reads them (stats/figures.py).

Each rollup is declared here once (source, grain, key columns, measures); its rows are made by the same Ibis
expressions as the queries (sources.py, rollup_rows.py), compiled to DuckDB SQL once and kept in the warehouse
(``compiled``), so that loading a batch runs plain SQL and imports no Ibis. A batch touches days (the days of its rows
and of the rows it replaced); the rollups recompute exactly those days (daily grain) or months (monthly grain).

``shop_daily_uncovered`` is kept the same way: the shop-day figures of shop_daily for shop-days without order detail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from livecommerce.warehouse.measures import MEASURES, PARCELS, SALES

ROLLUP_VERSION = "3"

# Which feed's rows decide which day they belong to (its "day" column).
FEED_DAY = {
    "orders": "CAST({t}paid_at AS DATE)",
    "shop_daily": "{t}date",
    "live_sessions": "CAST({t}started_at AS DATE)",
    "parcels": "CAST({t}shipped_at AS DATE)",
}
FEED_SOURCES = {"orders": SALES, "shop_daily": SALES, "parcels": PARCELS}

SALES_SUMS = tuple(m.name for m in MEASURES.values() if m.source == SALES and m.kind == "sum")


# DuckDB variables that bound the touched days for the compiled SQL (rollup_rows.touched_rows)
FIRST_DAY, LAST_DAY, FIRST_MONTH, MONTH_END = ("rollup_first_day", "rollup_last_day", "rollup_first_month", "rollup_month_end")


@dataclass(frozen=True)
class Rollup:
    """A rollup table: the source it sums, its time grain (day or month), its key columns and measures."""

    name: str
    source: str
    grain: str  # day | month
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    where: str = ""  # only rows with this column not null (e.g. streamer_id)
    made_from: str = ""  # a day-grain rollup of the same keys and sums: its rows are summed by month, not the detail's

    @property
    def time_column(self) -> str:
        return self.grain

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.keys)


SALES_KEYS = ("region", "ship_region", "category", "local_product", "physical", "platform", "channel", "cross_border")

# Smallest first: the planner takes the first that holds what a query needs.
ROLLUPS: tuple[Rollup, ...] = (
    Rollup("rollup_sales_monthly", SALES, "month", SALES_KEYS, SALES_SUMS, made_from="rollup_sales_daily"),
    Rollup(
        "rollup_sellers_monthly",
        SALES,
        "month",
        ("region", "ship_region", "platform", "seller_key", "shop_id"),
        ("net", "paid", "refund", "net_live", "net_physical", "net_local_physical", "order_count"),
    ),
    Rollup(
        "rollup_streamers_monthly",
        SALES,
        "month",
        ("region", "platform", "streamer_id"),
        ("net", "paid", "refund", "net_live", "order_count"),
        where="streamer_id",
    ),
    Rollup(
        "rollup_products_monthly",
        SALES,
        "month",
        ("region", "platform", "category", "product_id", "product_name"),
        ("net", "paid", "refund", "net_live", "order_count", "quantity"),
        where="product_id",
    ),
    Rollup("rollup_sales_daily", SALES, "day", SALES_KEYS, SALES_SUMS),
    Rollup("rollup_parcels_daily", PARCELS, "day", ("region", "platform"), ("parcel_count",)),
)
BY_NAME = {r.name: r for r in ROLLUPS}
# The order they are made in: a rollup made from another after it (the sums of a month's days are the month's sums,
# one pass over the daily rows instead of one more over the facts).
REFRESH_ORDER: tuple[Rollup, ...] = tuple(sorted(ROLLUPS, key=lambda r: bool(r.made_from)))


# The modules whose text makes the compiled SQL: a change to any of them compiles it again.
COMPILED_FROM = ("rollups.py", "rollup_rows.py", "sources.py", "measures.py", "feeds.py")
_COMPILED: dict[str, dict[str, dict[str, str]]] = {}  # fingerprint → SQL, for this process


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The sha256 of the modules the SQL is compiled from."""
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in COMPILED_FROM)).hexdigest()


def compiled(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every rollup's SQL (``create``, ``refresh``): kept in warehouse_meta under the fingerprint of the code it was
    compiled from, compiled again (with Ibis, imported only then) when that code changed; on a writer's connection."""
    key = fingerprint()
    if key not in _COMPILED:
        found = con.execute("SELECT value FROM warehouse_meta WHERE key = 'rollup_sql'").fetchall()
        stored = json.loads(found[0][0]) if found else {}
        if stored.get("fingerprint") != key:
            from livecommerce.warehouse import rollup_rows  # this package's Ibis half: only to compile

            stored = {"fingerprint": key, "sql": rollup_rows.compile_all()}
            con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('rollup_sql', ?)", [json.dumps(stored)])
        _COMPILED[key] = stored["sql"]
    return _COMPILED[key]


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the rollup tables (and shop_daily_uncovered); build them from the facts when new or outdated."""
    found = con.execute("SELECT value FROM warehouse_meta WHERE key = 'rollup_version'").fetchall()
    row = found[0] if found else None
    outdated = row is None or row[0] != ROLLUP_VERSION
    if outdated:  # a new version may change a rollup's columns: make them again from the facts
        for name in ("shop_daily_uncovered", *(r.name for r in ROLLUPS)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute("CREATE TABLE IF NOT EXISTS shop_daily_uncovered AS SELECT * FROM shop_daily LIMIT 0")
    sql = compiled(con)
    for rollup in ROLLUPS:
        con.execute(f"CREATE TABLE IF NOT EXISTS {rollup.name} AS SELECT * FROM ({sql[rollup.name]['create']}) LIMIT 0")
    if outdated:
        rebuild(con)
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('rollup_version', ?)", [ROLLUP_VERSION])


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Make every rollup again from all the facts (after an upgrade, or by `livecommerce stats rebuild`)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT CAST(paid_at AS DATE) AS day FROM orders "
        "UNION SELECT date FROM shop_daily UNION SELECT CAST(shipped_at AS DATE) FROM parcels"
    )
    if not _day_bounds(con):
        return
    sql = compiled(con)
    _refresh_shop_days(con)
    for rollup in REFRESH_ORDER:
        _refresh(con, rollup, sql)


def note_replaced(con: duckdb.DuckDBPyConnection, feed: str, keys: Sequence[str]) -> None:
    """Before an upsert deletes rows it replaces, remember their days: a refund recorded later may move nothing,
    but a corrected paid_at moves an order from one day to another and both days must be made again."""
    if feed not in FEED_DAY:
        return
    on = " AND ".join(f't."{k}" = c."{k}"' for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE replaced_days AS
                    SELECT DISTINCT {FEED_DAY[feed].format(t="t.")} AS day
                    FROM {feed} t JOIN changes c ON {on} WHERE c.__existed AND NOT c.__same""")


def after_batch(con: duckdb.DuckDBPyConnection, feed: str, batch: str) -> None:
    """Inside the batch's transaction, after its rows are written: make again what the batch touched."""
    if feed not in FEED_SOURCES:
        return
    replaced = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'replaced_days' AND temporary").fetchall()[0][0]
    union = " UNION SELECT day FROM replaced_days" if replaced else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT {FEED_DAY[feed].format(t='')} AS day FROM {feed} "
        f"WHERE batch_id = ?{union}",
        [batch],
    )
    if replaced:
        con.execute("DROP TABLE replaced_days")
    if not _day_bounds(con):
        return
    sql = compiled(con)
    source = FEED_SOURCES[feed]
    if source == SALES:
        _refresh_shop_days(con)
    for rollup in REFRESH_ORDER:
        if rollup.source == source:
            _refresh(con, rollup, sql)


def _day_bounds(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any day was touched; if so, set the variables that bound the touched days and months."""
    if con.execute("SELECT min(day) IS NULL FROM touched_days").fetchall()[0][0]:
        return False
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched_months AS SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM touched_days"
    )
    for name, value in (
        (FIRST_DAY, "min(day) FROM touched_days"),
        (LAST_DAY, "max(day) FROM touched_days"),
        (FIRST_MONTH, "min(month) FROM touched_months"),
        (MONTH_END, "last_day(max(month)) FROM touched_months"),
    ):
        con.execute(f"SET VARIABLE {name} = (SELECT {value})")
    return True


def _refresh_shop_days(con: duckdb.DuckDBPyConnection) -> None:
    """shop_daily_uncovered for the touched days: the shop-days with no order in the orders feed."""
    con.execute("DELETE FROM shop_daily_uncovered WHERE date IN (SELECT day FROM touched_days)")
    con.execute(f"""INSERT INTO shop_daily_uncovered
                    SELECT sd.* FROM shop_daily sd
                    WHERE sd.date IN (SELECT day FROM touched_days)
                      AND NOT EXISTS (SELECT 1 FROM orders o
                                      WHERE o.paid_at >= getvariable('{FIRST_DAY}')
                                        AND o.paid_at < getvariable('{LAST_DAY}') + INTERVAL 1 DAY
                                        AND o.platform = sd.platform AND o.shop_id = sd.shop_id
                                        AND CAST(o.paid_at AS DATE) = sd.date)""")


def _refresh(con: duckdb.DuckDBPyConnection, rollup: Rollup, sql: dict[str, dict[str, str]]) -> None:
    """Make the rollup's rows of the touched days (or their months) again."""
    if rollup.grain == "day":
        con.execute(f"DELETE FROM {rollup.name} WHERE day IN (SELECT day FROM touched_days)")
    else:
        con.execute(f"DELETE FROM {rollup.name} WHERE month IN (SELECT month FROM touched_months)")
    columns = ", ".join(f'"{c}"' for c in (*rollup.keys, rollup.time_column, *rollup.measures))
    con.execute(f"INSERT INTO {rollup.name} ({columns}) SELECT {columns} FROM ({sql[rollup.name]['refresh']})")
