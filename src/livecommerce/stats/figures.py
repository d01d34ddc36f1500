"""Figures (取数): the Ibis expression of a question's measures per group, on the smallest rollup that holds what it
needs or on the detail (rollups.ROLLUPS, smallest first; tests/stats/test_rollups.py checks that both agree), narrowed
to a grant, run by an engine. Compiled SQL is kept per question on DuckDB (the dashboard asks the same ones again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from livecommerce.core.scope import Grant
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import periods
from livecommerce.stats.engine import Engine
from livecommerce.stats.indicators import DIMENSIONS, Indicator, get_indicator
from livecommerce.stats.periods import Range
from livecommerce.stats.question import ATTRIBUTIONS, CODE_COLUMNS, UNREGISTERED, Query
from livecommerce.stats.registry import Snapshot
from livecommerce.warehouse import sources
from livecommerce.warehouse.measures import MEASURES, SALES, SESSIONS
from livecommerce.warehouse.rollups import ROLLUPS, Rollup
from livecommerce.warehouse.sources import measure_expr


def region_column(query: Query) -> str:
    return ATTRIBUTIONS[query.attribution]


def needed_columns(query: Query, indicator: Indicator, grant: Grant, by: tuple[str, ...]) -> set[str]:
    """The source columns a query reads besides time: for its cuts, filters, scope and measures."""
    columns: set[str] = set()
    region = region_column(query)
    for dim in (*by, *query.filters):
        if DIMENSIONS[dim].is_region:
            columns.add(region)
        elif not DIMENSIONS[dim].is_time:
            columns.add(CODE_COLUMNS[dim])
    if query.region and query.region != PROVINCE:
        columns.add(region)
    if not grant.everything:
        columns.add(region)
        if grant.entities:
            columns.add("seller_key")
    if any(MEASURES[m].kind == "sellers" for m in indicator.measures):
        columns.add("seller_key")
    return columns


def plan(
    query: Query,
    indicator: Indicator,
    grant: Grant,
    by: tuple[str, ...],
    period: Range,
    require: tuple[str, ...] = (),
    measures: tuple[str, ...] | None = None,
) -> Rollup | None:
    """The smallest rollup that can answer (every measure of the indicator, or of ``measures``), or None for the
    detail."""
    wanted = measures or indicator.measures
    if indicator.source == SESSIONS:
        return None
    grain = query.time_grain if by == query.by else next((d for d in by if DIMENSIONS[d].is_time), None)
    monthly_ok = period.whole_months and grain not in ("day", "week")
    needed = needed_columns(query, indicator, grant, by) | set(require)
    for rollup in ROLLUPS:
        if rollup.source != indicator.source or (rollup.grain == "month" and not monthly_ok):
            continue
        if rollup.where and rollup.where not in require:
            continue  # a rollup of only the rows with a streamer (or product) answers only questions about those
        sums = {m for m in wanted if MEASURES[m].kind in ("sum", "count")}
        wants_net = any(MEASURES[m].kind == "sellers" for m in wanted)
        if needed <= rollup.columns and sums <= set(rollup.measures) and (not wants_net or "net" in rollup.measures):
            return rollup
    return None


def base_table(
    engine: Engine,
    indicator: Indicator,
    rollup: Rollup | None,
    snap: Snapshot,
    period: Range | None = None,
    columns: frozenset[str] | None = None,
) -> ir.Table:
    if rollup is not None:
        return engine.table(rollup.name)
    if indicator.source == SALES:
        tables = {"orders": engine.table("orders"), "shop_daily_uncovered": engine.table("shop_daily_uncovered")}
        return sources.sales(tables, (period.start, period.end) if period else None, columns)
    if indicator.source == SESSIONS:
        streamer_regions = ibis.memtable(snap.streamer_regions_table()) if snap.streamer_region else None
        return sources.sessions({"live_sessions": engine.table("live_sessions")}, streamer_regions)
    return sources.parcels({"parcels": engine.table("parcels")})


def city_of(column: ir.StringValue) -> ir.StringValue:
    """The prefecture of a region code: its first four digits and 00 (true of every Heilongjiang code; the test
    checks it against reference.regions().roll_up)."""
    return column.substr(0, 4).concat("00")


# ---------------------------------------------------------------------------------------------------------- figures

Key = tuple[Any, ...]


def figures(
    engine: Engine,
    query: Query,
    grant: Grant,
    snap: Snapshot,
    by: tuple[str, ...],
    period: Range,
    require: tuple[str, ...] = (),
    use_rollups: bool = True,
    top: int | None = None,
    where_in: Mapping[str, list[str]] | None = None,
    rank: bool = False,
    keep: Mapping[int, list[str]] | None = None,
    label: str | None = None,
    labels: dict[Key, str] | None = None,
    measures_of: tuple[str, ...] | None = None,
) -> tuple[dict[Key, dict[str, Decimal]], str]:
    """The indicator's measures per group of ``by`` over ``period``: {key tuple: {measure: Decimal}}, and the plan.

    Rankings by a single measure: ``rank`` adds each group's competition rank (measure "_rank"), computed by the
    engine; ``top`` keeps the groups ranked ``top`` or better (ties included); ``keep`` ({group index: values}) keeps
    only those groups after ranking; ``where_in`` keeps only the rows whose columns hold these values (before)."""
    indicator = get_indicator(query.indicator)
    wanted = measures_of or indicator.measures
    rollup = plan(query, indicator, grant, by, period, require, wanted) if use_rollups else None
    names = [*(f"g{i}" for i in range(len(by))), *(f"r{i}" for i in range(len(require)))]
    measures = [MEASURES[m] for m in wanted]
    cache_key = _cache_key(engine, query, indicator, grant, by, period, require, rollup, wanted, top, where_in, rank, keep, label)
    sql = _SQL_CACHE.get(cache_key) if cache_key is not None else None
    if sql is not None and cache_key is not None:
        _SQL_CACHE.move_to_end(cache_key)
        records = engine.records(sql)  # type: ignore[attr-defined]
        return _parse(records, names, by, require, measures, labels), rollup.name if rollup else "detail"
    read = needed_columns(query, indicator, grant, by) | set(require) | set(where_in or {}) | {"net"}
    for m in wanted:
        read |= {MEASURES[m].column} | sources.CONDITION_COLUMNS.get(MEASURES[m].where, set())
    if label:
        read.add(label)
    t = base_table(engine, indicator, rollup, snap, period, frozenset(read))
    region = region_column(query) if indicator.source == SALES else "region"
    # time
    if rollup is not None and rollup.grain == "month":
        t = t.filter(t.month.between(period.start, period.end))
        day = t.month
    else:
        t = t.filter(t.day.between(period.start, period.end))
        day = t.day
    # scope, region, filters
    if not grant.everything:
        allowed = []
        if grant.regions:
            allowed.append(t[region].isin(sorted(grant.regions)))
        if grant.entities and "seller_key" in t.columns:
            allowed.append(t.seller_key.isin(sorted(grant.entities)))
        t = t.filter(ibis.or_(*allowed) if allowed else ibis.literal(False))
    if query.region and query.region != PROVINCE:
        t = t.filter(t[region].isin(sorted(regions().descendants(query.region))))
    kinds = ibis.memtable(snap.kinds_table()) if ("entity_kind" in by or "entity_kind" in query.filters) else None
    if kinds is not None:
        t = t.left_join(kinds, t.seller_key == kinds.uscc).select(t, entity_kind=kinds.kind.fill_null(UNREGISTERED))
        day = t.month if rollup is not None and rollup.grain == "month" else t.day
    for dim, codes in query.filters.items():
        t = t.filter(_dim_value(t, dim, region, day).isin(list(codes)))
    for column in require:
        t = t.filter(t[column].notnull())
    for column, values in (where_in or {}).items():
        t = t.filter(t[column].isin(values))
    groups = {f"g{i}": _dim_value(t, dim, region, day) for i, dim in enumerate(by)}
    groups |= {f"r{i}": t[column] for i, column in enumerate(require)}
    if measures[0].kind == "sellers":
        inner = t.group_by(**groups, seller=t.seller_key).aggregate(net=measure_expr(t, "net", from_rollup=rollup is not None))
        measure = measures[0]
        passes = inner.net > 0 if measure.min_net is None else inner.net >= ibis.literal(measure.min_net, "decimal(38, 2)")
        expr = (
            inner.group_by(*groups).aggregate(**{measure.name: passes.cast("int64").sum()})
            if groups
            else inner.aggregate(**{measure.name: passes.cast("int64").sum()})
        )
    elif measures[0].kind == "streamers":
        aggregates = {measures[0].name: t.streamer_key.nunique()}
        expr = t.group_by(**groups).aggregate(**aggregates) if groups else t.aggregate(**aggregates)
    else:
        aggregates = {m.name: measure_expr(t, m.name, from_rollup=rollup is not None) for m in measures}
        if label is not None:
            aggregates["_label"] = t[label].argmax(t.net)
        expr = t.group_by(**groups).aggregate(**aggregates) if groups else t.aggregate(**aggregates)
    if rank or top is not None or keep:
        if len(measures) == 2:  # a ratio (直播占比, 客单价 …): ranked by its value as shown, six decimals
            expr = expr.filter(expr[measures[1].name] != 0)
            order = (expr[measures[0].name].cast("float64") / expr[measures[1].name].cast("float64")).round(6)
        else:
            order = expr[measures[0].name]
        expr = expr.mutate(_rank=ibis.rank().over(order_by=ibis.desc(order)))
        if top is not None:
            expr = expr.filter(expr._rank < top)
        for index, values in (keep or {}).items():
            expr = expr.filter(expr[list(groups)[index]].isin(values))
    if cache_key is not None:
        sql = ibis.to_sql(expr, dialect="duckdb")
        _SQL_CACHE[cache_key] = sql
        while len(_SQL_CACHE) > SQL_CACHE_SIZE:
            _SQL_CACHE.popitem(last=False)
        records = engine.records(sql)  # type: ignore[attr-defined]
    else:
        records = engine.execute(expr).to_dict("records")
    return _parse(records, names, by, require, measures, labels), rollup.name if rollup else "detail"


_SQL_CACHE: OrderedDict[tuple[Any, ...], str] = OrderedDict()
SQL_CACHE_SIZE = 1024


def _cache_key(
    engine: Engine,
    query: Query,
    indicator: Indicator,
    grant: Grant,
    by: tuple[str, ...],
    period: Range,
    require: tuple[str, ...],
    rollup: Rollup | None,
    wanted: tuple[str, ...],
    top: int | None,
    where_in: Mapping[str, list[str]] | None,
    rank: bool,
    keep: Mapping[int, list[str]] | None,
    label: str | None,
) -> tuple[Any, ...] | None:
    """Everything the SQL of a question depends on, where it can be kept: compiling the Ibis expression costs more
    than DuckDB answering from a rollup, and the dashboard asks the same questions again and again. Questions that
    join a registry snapshot (entity kinds, streamers' regions) are compiled each time."""
    scope = getattr(engine, "cache_scope", None)
    if scope is None or indicator.source == SESSIONS or "entity_kind" in by or "entity_kind" in query.filters:
        return None

    def items(mapping: Mapping[Any, list[str]] | Mapping[Any, tuple[str, ...]] | None) -> tuple[Any, ...]:
        return tuple(sorted((k, tuple(v)) for k, v in (mapping or {}).items()))

    return (
        scope,
        wanted,
        by,
        period,
        query.region,
        items(query.filters),
        query.attribution,
        grant.everything,
        tuple(sorted(grant.regions)),
        tuple(sorted(grant.entities)),
        require,
        rollup.name if rollup else None,
        top,
        items(where_in),
        rank,
        items(keep),
        label,
    )


def _parse(
    records: list[dict[str, Any]],
    names: list[str],
    by: tuple[str, ...],
    require: tuple[str, ...],
    measures: list[Any],
    labels: dict[Key, str] | None,
) -> dict[Key, dict[str, Decimal]]:
    out: dict[Key, dict[str, Decimal]] = {}
    for record in records:
        key = tuple(_key_text(record[g], dim) for g, dim in zip(names, [*by, *require], strict=True))
        out[key] = {m.name: _exact(record[m.name]) for m in measures}
        if "_rank" in record:
            out[key]["_rank"] = Decimal(int(record["_rank"]) + 1)
        if labels is not None and "_label" in record:
            labels[key] = str(record["_label"] or "")
    return out


def _dim_value(t: ir.Table, dim: str, region: str, day: ir.Value) -> ir.Value:
    if dim == "province":
        return ibis.literal(PROVINCE)
    if dim == "city":
        return city_of(t[region])
    if dim == "county":
        return t[region]
    if dim in ("day", "week", "month", "quarter", "year"):
        unit = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[dim]
        return day if dim == "day" else day.truncate(unit).cast("date")
    if dim == "entity_kind":
        return t.entity_kind
    return t[CODE_COLUMNS[dim]]


def _key_text(value: Any, dim: str) -> str:
    if dim in ("day", "week", "month", "quarter", "year"):
        day = value.date() if isinstance(value, datetime) else value
        return periods.bucket_key(day, dim)
    if dim == "local":
        return "local" if bool(value) else "nonlocal"
    return "" if value is None else str(value)


def _exact(value: Any) -> Decimal:
    if value is None or (isinstance(value, float) and value != value):
        return Decimal(0)
    if isinstance(value, float):  # counts come back as float only when pandas had a null to hold
        return Decimal(int(value))
    return Decimal(value) if not isinstance(value, Decimal) else value
