"""Rollups (汇总表): pre-aggregated tables that keep the dashboard fast, maintained at ingest inside the batch's
warehouse transaction by the one load path (load.py), so that a rollup and the order detail always agree
(tests/stats/test_rollups.py). stats' planner reads them (stats/figures.py).

Each rollup is declared once (source, grain, key columns, measures) and its rows are made by the same Ibis
expressions as the queries (sources.py), compiled to DuckDB SQL. A batch touches days (the days of its rows and of
the rows it replaced); the rollups recompute exactly those days (daily grain) or months (monthly grain).

``shop_daily_uncovered`` is kept the same way: the shop-day figures of shop_daily for shop-days without order detail.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import ibis
import ibis.expr.types as ir

from livecommerce.warehouse import sources
from livecommerce.warehouse.measures import MEASURES, PARCELS, SALES

ROLLUP_VERSION = "3"

# Which feed's rows decide which day they belong to (its "day" column).
FEED_DAY = {"orders": "CAST({t}paid_at AS DATE)", "shop_daily": "{t}date", "live_sessions": "CAST({t}started_at AS DATE)",
            "parcels": "CAST({t}shipped_at AS DATE)"}
FEED_SOURCES = {"orders": SALES, "shop_daily": SALES, "parcels": PARCELS}

SALES_SUMS = tuple(m.name for m in MEASURES.values() if m.source == SALES and m.kind == "sum")


INTEGER_COLUMNS = frozenset({"orders", "quantity", "sessions", "seconds", "parcels"})


@dataclass(frozen=True)
class Rollup:
    """A rollup table: the source it sums, its time grain (day or month), its key columns and measures."""

    name: str
    source: str
    grain: str  # day | month
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    where: str = ""  # only rows with this column not null (e.g. streamer_id)

    @property
    def time_column(self) -> str:
        return self.grain

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.keys)


SALES_KEYS = ("region", "ship_region", "category", "local_product", "physical", "platform", "channel", "cross_border")

# Smallest first: the planner takes the first that holds what a query needs.
ROLLUPS: tuple[Rollup, ...] = (
    Rollup("rollup_sales_monthly", SALES, "month", SALES_KEYS, SALES_SUMS),
    Rollup("rollup_sellers_monthly", SALES, "month", ("region", "ship_region", "platform", "seller_key", "shop_id"),
           ("net", "paid", "refund", "net_live", "net_physical", "net_local_physical", "order_count")),
    Rollup("rollup_streamers_monthly", SALES, "month", ("region", "platform", "streamer_id"),
           ("net", "paid", "refund", "net_live", "order_count"), where="streamer_id"),
    Rollup("rollup_products_monthly", SALES, "month", ("region", "platform", "category", "product_id", "product_name"),
           ("net", "paid", "refund", "net_live", "order_count", "quantity"), where="product_id"),
    Rollup("rollup_sales_daily", SALES, "day", SALES_KEYS, SALES_SUMS),
    Rollup("rollup_parcels_daily", PARCELS, "day", ("region", "platform"), ("parcel_count",)),
)
BY_NAME = {r.name: r for r in ROLLUPS}


def measure_expr(t: ir.Table, name: str, *, from_rollup: bool) -> ir.NumericScalar:
    """The sum of a measure over detail rows (a conditional sum) or over a rollup (the stored column)."""
    measure = MEASURES[name]
    kind = "int64" if measure.column in INTEGER_COLUMNS else "decimal(38, 2)"
    if from_rollup:
        return t[name].sum().fill_null(0).cast(kind)
    column = t[measure.column]
    if measure.where:
        return column.sum(where=sources.CONDITIONS[measure.where](t)).fill_null(0).cast(kind)
    return column.sum().fill_null(0).cast(kind)


def rows_of(rollup: Rollup, detail: ir.Table) -> ir.Table:
    """The rollup's rows made from detail rows (already filtered to the days or months to make)."""
    t = detail
    if rollup.where:
        t = t.filter(t[rollup.where].notnull())
    time = t.day if rollup.grain == "day" else t.day.truncate("M").cast("date")
    aggregates = {m: measure_expr(t, m, from_rollup=False) for m in rollup.measures}
    return t.group_by(*rollup.keys, **{rollup.time_column: time}).aggregate(**aggregates)


def _detail(con: duckdb.DuckDBPyConnection, source: str) -> ir.Table:
    backend = ibis.duckdb.from_connection(con)
    tables = {name: backend.table(name) for name in ("orders", "shop_daily_uncovered", "parcels", "live_sessions")}
    if source == SALES:
        return sources.sales(tables)
    if source == PARCELS:
        return sources.parcels(tables)
    raise ValueError(source)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the rollup tables (and shop_daily_uncovered); build them from the facts when new or outdated."""
    found = con.execute("SELECT value FROM warehouse_meta WHERE key = 'rollup_version'").fetchall()
    row = found[0] if found else None
    outdated = row is None or row[0] != ROLLUP_VERSION
    if outdated:  # a new version may change a rollup's columns: make them again from the facts
        for name in ("shop_daily_uncovered", *(r.name for r in ROLLUPS)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute("CREATE TABLE IF NOT EXISTS shop_daily_uncovered AS SELECT * FROM shop_daily LIMIT 0")
    for rollup in ROLLUPS:
        sql = ibis.to_sql(rows_of(rollup, _detail(con, rollup.source)), dialect="duckdb")
        con.execute(f"CREATE TABLE IF NOT EXISTS {rollup.name} AS SELECT * FROM ({sql}) LIMIT 0")
    if outdated:
        rebuild(con)
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('rollup_version', ?)", [ROLLUP_VERSION])


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Make every rollup again from all the facts (after an upgrade, or by `livecommerce stats rebuild`)."""
    con.execute("CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT CAST(paid_at AS DATE) AS day FROM orders "
                "UNION SELECT date FROM shop_daily UNION SELECT CAST(shipped_at AS DATE) FROM parcels")
    _refresh_shop_days(con)
    for rollup in ROLLUPS:
        _refresh(con, rollup)


def note_replaced(con: duckdb.DuckDBPyConnection, feed: str, keys: Sequence[str]) -> None:
    """Before an upsert deletes rows it replaces, remember their days: a refund recorded later may move nothing,
    but a corrected paid_at moves an order from one day to another and both days must be made again."""
    if feed not in FEED_DAY:
        return
    on = " AND ".join(f't."{k}" = c."{k}"' for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE replaced_days AS
                    SELECT DISTINCT {FEED_DAY[feed].format(t='t.')} AS day
                    FROM {feed} t JOIN changes c ON {on} WHERE c.__existed AND NOT c.__same""")


def after_batch(con: duckdb.DuckDBPyConnection, feed: str, batch: str) -> None:
    """Inside the batch's transaction, after its rows are written: make again what the batch touched."""
    if feed not in FEED_SOURCES:
        return
    replaced = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'replaced_days' AND temporary"
                           ).fetchall()[0][0]
    union = " UNION SELECT day FROM replaced_days" if replaced else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT {FEED_DAY[feed].format(t='')} AS day FROM {feed} "
                f"WHERE batch_id = ?{union}", [batch])
    if replaced:
        con.execute("DROP TABLE replaced_days")
    source = FEED_SOURCES[feed]
    if source == SALES:
        _refresh_shop_days(con)
    for rollup in ROLLUPS:
        if rollup.source == source:
            _refresh(con, rollup)


def _day_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    low, high = con.execute("SELECT min(day), max(day) FROM touched_days").fetchall()[0]
    return None if low is None else (low, high)


def _refresh_shop_days(con: duckdb.DuckDBPyConnection) -> None:
    """shop_daily_uncovered for the touched days: the shop-days with no order in the orders feed."""
    bounds = _day_bounds(con)
    if bounds is None:
        return
    con.execute("DELETE FROM shop_daily_uncovered WHERE date IN (SELECT day FROM touched_days)")
    con.execute("""INSERT INTO shop_daily_uncovered
                   SELECT sd.* FROM shop_daily sd
                   WHERE sd.date IN (SELECT day FROM touched_days)
                     AND NOT EXISTS (SELECT 1 FROM orders o
                                     WHERE o.paid_at >= ? AND o.paid_at < ? + INTERVAL 1 DAY
                                       AND o.platform = sd.platform AND o.shop_id = sd.shop_id
                                       AND CAST(o.paid_at AS DATE) = sd.date)""", [bounds[0], bounds[1]])


def _refresh(con: duckdb.DuckDBPyConnection, rollup: Rollup) -> None:
    bounds = _day_bounds(con)
    if bounds is None:
        return
    detail = _detail(con, rollup.source)
    if rollup.grain == "day":
        con.execute(f"DELETE FROM {rollup.name} WHERE day IN (SELECT day FROM touched_days)")
        touched = ibis.duckdb.from_connection(con).table("touched_days")
        rows = detail.filter(detail.day.between(*bounds), detail.day.isin(touched.day))
    else:
        months = _months(con)
        con.execute(f"DELETE FROM {rollup.name} WHERE month IN (SELECT month FROM touched_months)")
        first, last = months[0], _month_last(months[-1])
        rows = detail.filter(detail.day.between(first, last),
                             detail.day.truncate("M").cast("date").isin(months))
    columns = ", ".join(f'"{c}"' for c in (*rollup.keys, rollup.time_column, *rollup.measures))
    sql = ibis.to_sql(rows_of(rollup, rows), dialect="duckdb")
    con.execute(f"INSERT INTO {rollup.name} ({columns}) SELECT {columns} FROM ({sql})")


def _months(con: duckdb.DuckDBPyConnection) -> Sequence[date]:
    con.execute("CREATE OR REPLACE TEMP TABLE touched_months AS "
                "SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM touched_days")
    return [row[0] for row in con.execute("SELECT month FROM touched_months ORDER BY month").fetchall()]


def _month_last(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])
