"""The rows of each rollup as Ibis expressions — the same expressions as the queries (sources.py) — and the DuckDB
SQL that rollups.py runs: a rollup's rows from all the facts (to create it), and its rows for the touched days or
months (to make them again after a batch).

The SQL reads the touched days from TEMP tables ``touched_days`` / ``touched_months`` and their bounds from DuckDB
variables (``getvariable``, constant-folded, so the scans still skip what lies outside), never from literals: it is
the same for every batch, compiled once and kept in the warehouse (rollups.compiled), so that a load imports no Ibis.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from livecommerce.warehouse import sources
from livecommerce.warehouse.feeds import FEEDS
from livecommerce.warehouse.measures import PARCELS, SALES
from livecommerce.warehouse.rollups import BY_NAME, FIRST_DAY, FIRST_MONTH, LAST_DAY, MONTH_END, ROLLUPS, Rollup

IBIS_TYPES = {
    "text": "string",
    "code6": "string",
    "region": "string",
    "uscc": "string",
    "bool": "boolean",
    "money": "decimal(18, 2)",
    "int": "int64",
    "decimal": "decimal(18, 3)",
    "timestamp": "timestamp",
    "date": "date",
}
TABLES = {
    "orders": "orders",
    "shop_daily_uncovered": "shop_daily",
    "parcels": "parcels",
    "live_sessions": "live_sessions",
}  # table → the feed whose columns it has


def _getvariable(name: str) -> dt.Date:
    """DuckDB's getvariable(name): a value set by SET VARIABLE, folded to a constant when the query is planned."""


_VARIABLE: Callable[[str], ir.DateValue] = ibis.udf.scalar.builtin(name="getvariable")(_getvariable)


def variable(name: str) -> ir.DateValue:
    """The value of a DuckDB variable, as a date (the bounds of the touched days)."""
    return _VARIABLE(name).name(name)


def fact_table(name: str) -> ir.Table:
    """A fact table (or shop_daily_uncovered) by name, with the columns its feed declares (warehouse/schema.py)."""
    feed = FEEDS[TABLES[name]]
    schema = {c.name: IBIS_TYPES["text" if c.type.startswith("code:") else c.type] for c in feed.columns}
    return ibis.table({**schema, "batch_id": "string"}, name=name)


def detail(source: str) -> ir.Table:
    """The detail rows a rollup of this source sums."""
    tables = {name: fact_table(name) for name in TABLES}
    if source == SALES:
        return sources.sales(tables)
    if source == PARCELS:
        return sources.parcels(tables)
    raise ValueError(source)


def rows_of(rollup: Rollup, detail: ir.Table) -> ir.Table:
    """The rollup's rows made from detail rows (already filtered to the days or months to make)."""
    t = detail
    if rollup.where:
        t = t.filter(t[rollup.where].notnull())
    time = t.day if rollup.grain == "day" else t.day.truncate("M").cast("date")
    aggregates = {m: sources.measure_expr(t, m, from_rollup=False) for m in rollup.measures}
    return t.group_by(*rollup.keys, **{rollup.time_column: time}).aggregate(**aggregates)


def touched_rows(rollup: Rollup) -> ir.Table:
    """The rollup's rows of the touched days (day grain) or the months they fall in (month grain)."""
    rows = detail(rollup.source)
    if rollup.grain == "day":
        days = ibis.table({"day": "date"}, name="touched_days")
        return rows_of(rollup, rows.filter(rows.day.between(variable(FIRST_DAY), variable(LAST_DAY)), rows.day.isin(days.day)))
    months = ibis.table({"month": "date"}, name="touched_months")
    if rollup.made_from:
        return _months_of_days(rollup, BY_NAME[rollup.made_from], months)
    return rows_of(
        rollup,
        rows.filter(rows.day.between(variable(FIRST_MONTH), variable(MONTH_END)), rows.day.truncate("M").cast("date").isin(months.month)),
    )


def _months_of_days(rollup: Rollup, daily: Rollup, months: ir.Table) -> ir.Table:
    """The rollup's rows of the touched months as the sums of the day-grain rollup's rows of their days (made just
    before, in the same transaction: rollups.REFRESH_ORDER) — the same sums as over the detail rows of those days."""
    days = ibis.table(rows_of(daily, detail(daily.source)).schema(), name=daily.name)
    days = days.filter(days.day.between(variable(FIRST_MONTH), variable(MONTH_END)), days.day.truncate("M").cast("date").isin(months.month))
    aggregates = {m: sources.measure_expr(days, m, from_rollup=True) for m in rollup.measures}
    return days.group_by(*rollup.keys, **{rollup.time_column: days.day.truncate("M").cast("date")}).aggregate(**aggregates)


def compile_all() -> dict[str, dict[str, str]]:
    """For every rollup: ``create``, the SELECT of its rows from all the facts, and ``refresh``, of the touched ones."""
    return {
        rollup.name: {
            "create": ibis.to_sql(rows_of(rollup, detail(rollup.source)), dialect="duckdb"),
            "refresh": ibis.to_sql(touched_rows(rollup), dialect="duckdb"),
        }
        for rollup in ROLLUPS
    }
