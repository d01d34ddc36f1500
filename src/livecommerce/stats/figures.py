"""Figures (取数): the Ibis expression of a question's measures per group, on the smallest rollup that holds what it
needs or on the detail (rollups.ROLLUPS, smallest first; tests/stats/test_rollups.py checks that both agree), narrowed
to a grant, run by an engine. Compiled SQL is kept per question on DuckDB (the dashboard asks the same ones again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
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
from livecommerce.warehouse.measures import MEASURES, SALES, SESSIONS, Measure
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


@dataclass(frozen=True)
class FigureRequest:
    """What ``figures`` is asked: the question's indicator, region, filters and attribution (``query``), cut by
    ``by`` over ``period``.

    ``require`` adds columns to the groups (rows without them are left out); ``use_rollups=False`` reads the detail
    only; ``measures_of`` asks for these measures instead of the indicator's. Rankings by a single measure: ``rank``
    adds each group's competition rank (measure "_rank"), computed by the engine; ``top`` keeps the groups ranked
    ``top`` or better (ties included); ``keep`` ({group index: values}) keeps only those groups after ranking;
    ``where_in`` keeps only the rows whose columns hold these values (before); ``label`` names a column whose value
    on the group's largest row is handed back per group."""

    query: Query
    by: tuple[str, ...]
    period: Range
    require: tuple[str, ...] = ()
    use_rollups: bool = True
    top: int | None = None
    where_in: Mapping[str, list[str]] | None = None
    rank: bool = False
    keep: Mapping[int, list[str]] | None = None
    label: str | None = None
    measures_of: tuple[str, ...] | None = None

    @property
    def ranked(self) -> bool:
        return self.rank or self.top is not None or bool(self.keep)


Figures = dict[Key, dict[str, Decimal]]


def figures(engine: Engine, ask: FigureRequest, grant: Grant, snap: Snapshot, labels: dict[Key, str] | None = None) -> tuple[Figures, str]:
    """The indicator's measures per group of ``ask.by`` over ``ask.period``: {key tuple: {measure: Decimal}}, and the
    plan (the rollup read, or "detail"). ``labels``, when given, receives each group's ``ask.label``."""
    indicator = get_indicator(ask.query.indicator)
    wanted = ask.measures_of or indicator.measures
    rollup = plan(ask.query, indicator, grant, ask.by, ask.period, ask.require, wanted) if ask.use_rollups else None
    measures = [MEASURES[m] for m in wanted]
    cache_key = _cache_key(engine, ask, indicator, grant, rollup, wanted)
    sql = _SQL_CACHE.get(cache_key) if cache_key is not None else None
    if sql is not None and cache_key is not None:
        _SQL_CACHE.move_to_end(cache_key)
        records = engine.records(sql)  # type: ignore[attr-defined]
    else:
        t = base_table(engine, indicator, rollup, snap, ask.period, frozenset(_columns_read(ask, indicator, grant, wanted)))
        region = region_column(ask.query) if indicator.source == SALES else "region"
        t, day = _narrowed(t, ask, grant, snap, rollup, region)
        groups = {f"g{i}": _dim_value(t, dim, region, day) for i, dim in enumerate(ask.by)}
        groups |= {f"r{i}": t[column] for i, column in enumerate(ask.require)}
        expr = _aggregated(t, groups, measures, rollup, ask.label)
        if ask.ranked:
            expr = _ranked(expr, ask, list(groups), measures)
        records = _records(engine, expr, cache_key)
    return _parse(records, ask, measures, labels), rollup.name if rollup else "detail"


def _columns_read(ask: FigureRequest, indicator: Indicator, grant: Grant, wanted: tuple[str, ...]) -> set[str]:
    """Every column of the source the expression reads (the detail is read with only these)."""
    read = needed_columns(ask.query, indicator, grant, ask.by) | set(ask.require) | set(ask.where_in or {}) | {"net"}
    for m in wanted:
        read |= {MEASURES[m].column} | sources.CONDITION_COLUMNS.get(MEASURES[m].where, set())
    if ask.label:
        read.add(ask.label)
    return read


def _narrowed(
    t: ir.Table, ask: FigureRequest, grant: Grant, snap: Snapshot, rollup: Rollup | None, region: str
) -> tuple[ir.Table, ir.Value]:
    """The rows of the period inside the grant and the question's region, filters, required and listed values; with
    the day (or month) column they are dated by."""
    monthly = rollup is not None and rollup.grain == "month"
    t = (
        t.filter(t.month.between(ask.period.start, ask.period.end))
        if monthly
        else t.filter(t.day.between(ask.period.start, ask.period.end))
    )
    t = _in_scope(t, grant, region)
    query = ask.query
    if query.region and query.region != PROVINCE:
        t = t.filter(t[region].isin(sorted(regions().descendants(query.region))))
    if "entity_kind" in ask.by or "entity_kind" in query.filters:
        kinds = ibis.memtable(snap.kinds_table())
        t = t.left_join(kinds, t.seller_key == kinds.uscc).select(t, entity_kind=kinds.kind.fill_null(UNREGISTERED))
    day = t.month if monthly else t.day
    for dim, codes in query.filters.items():
        t = t.filter(_dim_value(t, dim, region, day).isin(list(codes)))
    for column in ask.require:
        t = t.filter(t[column].notnull())
    for column, values in (ask.where_in or {}).items():
        t = t.filter(t[column].isin(values))
    return t, day


def _in_scope(t: ir.Table, grant: Grant, region: str) -> ir.Table:
    """The rows of the grant's regions or entities (default deny)."""
    if grant.everything:
        return t
    allowed = []
    if grant.regions:
        allowed.append(t[region].isin(sorted(grant.regions)))
    if grant.entities and "seller_key" in t.columns:
        allowed.append(t.seller_key.isin(sorted(grant.entities)))
    return t.filter(ibis.or_(*allowed) if allowed else ibis.literal(False))


def _aggregated(t: ir.Table, groups: dict[str, ir.Value], measures: list[Measure], rollup: Rollup | None, label: str | None) -> ir.Table:
    """The measures per group: sellers past a net amount, distinct streamers, or sums (with the label of the group's
    largest row)."""
    measure = measures[0]
    if measure.kind == "sellers":
        inner = t.group_by(**groups, seller=t.seller_key).aggregate(net=measure_expr(t, "net", from_rollup=rollup is not None))
        passes = inner.net > 0 if measure.min_net is None else inner.net >= ibis.literal(measure.min_net, "decimal(38, 2)")
        counted = {measure.name: passes.cast("int64").sum()}
        return inner.group_by(*groups).aggregate(**counted) if groups else inner.aggregate(**counted)
    if measure.kind == "streamers":
        aggregates = {measure.name: t.streamer_key.nunique()}
    else:
        aggregates = {m.name: measure_expr(t, m.name, from_rollup=rollup is not None) for m in measures}
        if label is not None:
            aggregates["_label"] = t[label].argmax(t.net)
    return t.group_by(**groups).aggregate(**aggregates) if groups else t.aggregate(**aggregates)


def _ranked(expr: ir.Table, ask: FigureRequest, groups: list[str], measures: list[Measure]) -> ir.Table:
    """Each group's competition rank by the measure (or by a ratio's value as shown), the top and kept groups."""
    if len(measures) == 2:  # a ratio (直播占比, 客单价 …): ranked by its value as shown, six decimals
        expr = expr.filter(expr[measures[1].name] != 0)
        order = (expr[measures[0].name].cast("float64") / expr[measures[1].name].cast("float64")).round(6)
    else:
        order = expr[measures[0].name]
    expr = expr.mutate(_rank=ibis.rank().over(order_by=ibis.desc(order)))
    if ask.top is not None:
        expr = expr.filter(expr._rank < ask.top)
    for index, values in (ask.keep or {}).items():
        expr = expr.filter(expr[groups[index]].isin(values))
    return expr


def _records(engine: Engine, expr: ir.Table, cache_key: tuple[Any, ...] | None) -> list[dict[str, Any]]:
    """The expression's rows, compiled once and kept where the question can be kept."""
    if cache_key is None:
        records: list[dict[str, Any]] = engine.execute(expr).to_dict("records")
        return records
    sql = ibis.to_sql(expr, dialect="duckdb")
    _SQL_CACHE[cache_key] = sql
    while len(_SQL_CACHE) > SQL_CACHE_SIZE:
        _SQL_CACHE.popitem(last=False)
    kept: list[dict[str, Any]] = engine.records(sql)  # type: ignore[attr-defined]
    return kept


_SQL_CACHE: OrderedDict[tuple[Any, ...], str] = OrderedDict()
SQL_CACHE_SIZE = 1024


def _cache_key(
    engine: Engine, ask: FigureRequest, indicator: Indicator, grant: Grant, rollup: Rollup | None, wanted: tuple[str, ...]
) -> tuple[Any, ...] | None:
    """Everything the SQL of a question depends on, where it can be kept: compiling the Ibis expression costs more
    than DuckDB answering from a rollup, and the dashboard asks the same questions again and again. Questions that
    join a registry snapshot (entity kinds, streamers' regions) are compiled each time."""
    scope = getattr(engine, "cache_scope", None)
    query = ask.query
    if scope is None or indicator.source == SESSIONS or "entity_kind" in ask.by or "entity_kind" in query.filters:
        return None

    def items(mapping: Mapping[Any, list[str]] | Mapping[Any, tuple[str, ...]] | None) -> tuple[Any, ...]:
        return tuple(sorted((k, tuple(v)) for k, v in (mapping or {}).items()))

    return (
        scope,
        wanted,
        ask.by,
        ask.period,
        query.region,
        items(query.filters),
        query.attribution,
        grant.everything,
        tuple(sorted(grant.regions)),
        tuple(sorted(grant.entities)),
        ask.require,
        rollup.name if rollup else None,
        ask.top,
        items(ask.where_in),
        ask.rank,
        items(ask.keep),
        ask.label,
    )


def _parse(records: list[dict[str, Any]], ask: FigureRequest, measures: list[Measure], labels: dict[Key, str] | None) -> Figures:
    names = [*(f"g{i}" for i in range(len(ask.by))), *(f"r{i}" for i in range(len(ask.require)))]
    out: Figures = {}
    for record in records:
        key = tuple(_key_text(record[g], dim) for g, dim in zip(names, [*ask.by, *ask.require], strict=True))
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
