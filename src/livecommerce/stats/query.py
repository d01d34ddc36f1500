"""Queries: any indicator over any date range, cut by any dimensions, with its YoY/MoM form and share of the parent,
narrowed to the actor's scope (action ``stats.read``; DESIGN.md: Scopes). Written once with Ibis; the engine runs it.

The planner reads the smallest rollup that holds every column a query needs (rollups.ROLLUPS, smallest first) and
the detail otherwise; both give the same figures (tests/stats/test_rollups.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor, Grant, ensure
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.reference.codes import CATEGORIES, CHANNELS, CROSS_BORDER, ENTITY_KINDS, PLATFORMS
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import periods, sources
from livecommerce.stats.engine import Engine
from livecommerce.stats.indicators import (
    DIMENSIONS,
    MEASURES,
    RATIO_PLACES,
    SALES,
    SESSIONS,
    Indicator,
    check_cut,
    get_indicator,
    parse_dimensions,
)
from livecommerce.stats.periods import Range
from livecommerce.stats.registry import Snapshot
from livecommerce.stats.rollups import ROLLUPS, Rollup, measure_expr

ACTION = "stats.read"
ATTRIBUTIONS = {"seller": "region", "ship_from": "ship_region"}
CODE_COLUMNS = {"category": "category", "local": "local_product", "platform": "platform", "channel": "channel",
                "cross_border": "cross_border", "entity_kind": "seller_key"}
UNREGISTERED = "unregistered"


@dataclass(frozen=True)
class Query:
    """One question: an indicator, a range, the cuts, and what to compare with."""

    indicator: str
    range: Range
    by: tuple[str, ...] = ()
    region: str | None = None  # only this region and the regions under it
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # dimension → codes kept
    compare: str | None = None  # yoy | mom
    share: bool = False
    attribution: str = "seller"  # seller (seller_region) | ship_from (ship_from_region)

    def __post_init__(self) -> None:
        indicator = get_indicator(self.indicator)
        object.__setattr__(self, "by", parse_dimensions(self.by))
        check_cut(indicator, self.by)
        check_cut(indicator, tuple(self.filters))
        if self.compare not in (None, "yoy", "mom"):
            raise ValidationFailed(f"--compare {self.compare!r}: yoy or mom")
        if self.attribution not in ATTRIBUTIONS:
            raise ValidationFailed(f"attribution {self.attribution!r}: seller or ship_from")
        if self.attribution == "ship_from" and indicator.source != SALES:
            raise ValidationFailed(f"{indicator.id} has no ship_from_region: attribution is by its region only")
        if self.region is not None:
            regions().get(self.region)  # unknown codes are refused, never guessed
        if self.share and not indicator.additive:
            raise ValidationFailed(f"{indicator.id} ({indicator.zh}) is not additive: a share of its parent means nothing")

    @property
    def time_grain(self) -> str | None:
        return next((d for d in self.by if DIMENSIONS[d].is_time), None)

    @property
    def region_level(self) -> str | None:
        return next((d for d in self.by if DIMENSIONS[d].is_region), None)


@dataclass
class Row:
    keys: dict[str, str]
    names: dict[str, str]
    value: Decimal | None
    previous: Decimal | None = None
    change: Decimal | None = None
    share: Decimal | None = None


@dataclass
class Result:
    query: Query
    indicator: Indicator
    rows: list[Row]
    scope: str
    engine: str
    plan: str
    elapsed_ms: float

    def to_json(self) -> dict[str, Any]:
        """{"indicator", "from", "to", "by", "rows": [{<dim>: code, <dim>_name: 中文名, "value", ...}]}."""
        q = self.query
        rows = []
        for row in self.rows:
            item: dict[str, Any] = {}
            for dim in q.by:
                item[dim] = row.keys[dim]
                item[f"{dim}_name"] = row.names[dim]
            item["value"] = text(row.value)
            if q.compare:
                item["previous"] = text(row.previous)
                item[q.compare] = text(row.change)
            if q.share:
                item["share"] = text(row.share)
            rows.append(item)
        return {"indicator": q.indicator, "indicator_name": self.indicator.zh, "unit": self.indicator.unit,
                "from": q.range.start.isoformat(), "to": q.range.end.isoformat(), "by": list(q.by),
                "region": q.region, "attribution": q.attribution, "compare": q.compare, "scope": self.scope,
                "rows": rows}


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------------------------------------------------- planning


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


def plan(query: Query, indicator: Indicator, grant: Grant, by: tuple[str, ...], period: Range,
         require: tuple[str, ...] = (), measures: tuple[str, ...] | None = None) -> Rollup | None:
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


def base_table(engine: Engine, indicator: Indicator, rollup: Rollup | None, snap: Snapshot,
               period: Range | None = None, columns: frozenset[str] | None = None) -> ir.Table:
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


def figures(engine: Engine, query: Query, grant: Grant, snap: Snapshot, by: tuple[str, ...], period: Range,
            require: tuple[str, ...] = (), use_rollups: bool = True, top: int | None = None,
            where_in: Mapping[str, list[str]] | None = None, rank: bool = False,
            keep: Mapping[int, list[str]] | None = None, label: str | None = None,
            labels: dict[Key, str] | None = None, measures_of: tuple[str, ...] | None = None
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
    cache_key = _cache_key(engine, query, indicator, grant, by, period, require, rollup, wanted, top, where_in, rank,
                           keep, label)
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
        expr = inner.group_by(*groups).aggregate(**{measure.name: passes.cast("int64").sum()}) if groups else \
            inner.aggregate(**{measure.name: passes.cast("int64").sum()})
    elif measures[0].kind == "streamers":
        aggregates = {measures[0].name: t.streamer_key.nunique()}
        expr = t.group_by(**groups).aggregate(**aggregates) if groups else t.aggregate(**aggregates)
    else:
        aggregates = {m.name: measure_expr(t, m.name, from_rollup=rollup is not None) for m in measures}
        if label is not None:
            aggregates["_label"] = t[label].argmax(t.net)
        expr = t.group_by(**groups).aggregate(**aggregates) if groups else t.aggregate(**aggregates)
    if rank or top is not None or keep:
        expr = expr.mutate(_rank=ibis.rank().over(order_by=ibis.desc(expr[measures[0].name])))
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


def _cache_key(engine: Engine, query: Query, indicator: Indicator, grant: Grant, by: tuple[str, ...], period: Range,
               require: tuple[str, ...], rollup: Rollup | None, wanted: tuple[str, ...], top: int | None,
               where_in: Mapping[str, list[str]] | None, rank: bool, keep: Mapping[int, list[str]] | None,
               label: str | None) -> tuple[Any, ...] | None:
    """Everything the SQL of a question depends on, where it can be kept: compiling the Ibis expression costs more
    than DuckDB answering from a rollup, and the dashboard asks the same questions again and again. Questions that
    join a registry snapshot (entity kinds, streamers' regions) are compiled each time."""
    scope = getattr(engine, "cache_scope", None)
    if scope is None or indicator.source == SESSIONS or "entity_kind" in by or "entity_kind" in query.filters:
        return None

    def items(mapping: Mapping[Any, list[str]] | Mapping[Any, tuple[str, ...]] | None) -> tuple[Any, ...]:
        return tuple(sorted((k, tuple(v)) for k, v in (mapping or {}).items()))

    return (scope, wanted, by, period, query.region, items(query.filters), query.attribution, grant.everything,
            tuple(sorted(grant.regions)), tuple(sorted(grant.entities)), require, rollup.name if rollup else None,
            top, items(where_in), rank, items(keep), label)


def _parse(records: list[dict[str, Any]], names: list[str], by: tuple[str, ...], require: tuple[str, ...],
           measures: list[Any], labels: dict[Key, str] | None) -> dict[Key, dict[str, Decimal]]:
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


# ---------------------------------------------------------------------------------------------------------- names


def dim_name(dim: str, code: str) -> str:
    """The Chinese name of a dimension's code, as the console and the exports show it."""
    if dim in ("province", "city", "county"):
        region = regions().get(code)
        level_wanted = {"province": "province", "city": "city", "county": "county"}[dim]
        if region.level != level_wanted and dim != "province":
            return f"{region.name}（未细分）"
        return region.name
    if dim in periods_grains():
        return periods.bucket_name(code, dim)
    if dim == "category":
        return CATEGORIES.label(code)
    if dim == "platform":
        return PLATFORMS.label(code) if code else "未注明平台"
    if dim == "channel":
        return CHANNELS.label(code)
    if dim == "cross_border":
        return CROSS_BORDER.label(code)
    if dim == "local":
        return "地产品" if code == "local" else "非地产品"
    if dim == "entity_kind":
        return "未登记主体" if code == UNREGISTERED else ENTITY_KINDS.label(code)
    return code


def periods_grains() -> tuple[str, ...]:
    return ("day", "week", "month", "quarter", "year")


def scope_label(grant: Grant) -> str:
    """Whose data it is: 全省, 哈尔滨市, 主体 …"""
    if grant.everything:
        return "全省"
    if grant.regions:
        tops = [code for code in grant.regions if (regions().parent(code) is None
                                                     or regions().parent(code).code not in grant.regions)]  # type: ignore[union-attr]
        return "、".join(regions().get(code).name for code in sorted(tops))
    if grant.entities:
        return "主体 " + "、".join(sorted(grant.entities))
    return "无权限"


# ---------------------------------------------------------------------------------------------------------- run


def run(engine: Engine, query: Query, actor: Actor, snap: Snapshot, *, use_rollups: bool = True) -> Result:
    """Answer a query for an actor: rows sorted by their dimensions, values exact. ``use_rollups=False`` reads the
    detail only (the tests compare both)."""
    return run_many(engine, [query], actor, snap, use_rollups=use_rollups)[0]


def _batch_key(query: Query) -> tuple[Any, ...] | None:
    """Queries that differ only in their (summed) indicator are answered by one query of all their measures."""
    indicator = get_indicator(query.indicator)
    if query.share or any(MEASURES[m].kind != "sum" for m in indicator.measures):
        return None
    return (indicator.source, query.range, query.by, query.region, tuple(sorted(query.filters.items())), query.compare,
            query.attribution)


def run_many(engine: Engine, queries: list[Query], actor: Actor, snap: Snapshot, *, use_rollups: bool = True
             ) -> list[Result]:
    """Answer several queries; those that differ only in a summed indicator (the dashboard's KPI cards) share one
    engine query for all their measures, and one for the period they compare with."""
    started = time.perf_counter()
    grant = ensure(actor, ACTION)
    batches: dict[Any, list[int]] = {}
    for index, query in enumerate(queries):
        key = _batch_key(query)
        batches.setdefault(key if key is not None else ("single", index), []).append(index)
    results: list[Result | None] = [None] * len(queries)
    for members in batches.values():
        measures = tuple(dict.fromkeys(m for i in members for m in get_indicator(queries[i].indicator).measures))
        lead = queries[members[0]]
        current, used = figures(engine, lead, grant, snap, lead.by, lead.range, use_rollups=use_rollups,
                                measures_of=measures)
        previous, mapping = _compare(engine, lead, grant, snap, current, measures, use_rollups)
        for index in members:
            results[index] = _assemble(engine, queries[index], grant, snap, dict(current), previous, mapping, used,
                                       started)
    return [r for r in results if r is not None]


def _compare(engine: Engine, query: Query, grant: Grant, snap: Snapshot, current: dict[Key, dict[str, Decimal]],
             measures: tuple[str, ...], use_rollups: bool) -> tuple[dict[Key, dict[str, Decimal]], dict[Key, Key]]:
    """The figures of the period compared with, and which of its keys each current key compares with."""
    grain = query.time_grain
    today = datetime.now(SHANGHAI).date()
    if grain and len(query.by) == 1 and query.range.start <= today:
        # an empty period shows as 0; a period still to come is not shown (it has no figures yet)
        for period_key in periods.periods_in(Range(query.range.start, min(query.range.end, today)), grain):
            current.setdefault((period_key,), {m: Decimal(0) for m in measures})
    if not query.compare:
        return {}, {}
    before, months, days = _previous_range(query)
    previous, _ = figures(engine, query, grant, snap, query.by, before, use_rollups=use_rollups, measures_of=measures)
    time_index = query.by.index(grain) if grain else None
    mapping: dict[Key, Key] = {}
    for key in current:
        if time_index is None:
            mapping[key] = key
        else:
            shifted = list(key)
            shifted[time_index] = periods.shift_key(key[time_index], grain or "", -months, -days)
            mapping[key] = tuple(shifted)
    return previous, mapping


def _assemble(engine: Engine, query: Query, grant: Grant, snap: Snapshot, current: dict[Key, dict[str, Decimal]],
              previous: dict[Key, dict[str, Decimal]], mapping: dict[Key, Key], used: str, started: float) -> Result:
    indicator = get_indicator(query.indicator)
    parents = _parents(engine, query, grant, snap, current) if query.share else {}
    rows = []
    for key, values in current.items():
        value = _money_places(indicator, indicator.compute(values))
        row = Row(keys=dict(zip(query.by, key, strict=True)),
                  names={d: dim_name(d, k) for d, k in zip(query.by, key, strict=True)}, value=value)
        if query.compare:
            old = previous.get(mapping[key])
            row.previous = _money_places(indicator, indicator.compute(old) if old else (
                Decimal(0) if indicator.additive else None))
            row.change = change(value, row.previous)
        if query.share:
            parent = parents.get(key)
            row.share = None if parent in (None, 0) or value is None else (value / parent).quantize(RATIO_PLACES, ROUND_HALF_UP)
        rows.append(row)
    rows.sort(key=lambda r: tuple(_sort_key(d, r.keys[d]) for d in query.by))
    elapsed = (time.perf_counter() - started) * 1000
    return Result(query, indicator, rows, scope_label(grant), engine.name, used, elapsed)


def _money_places(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """Yuan always with two decimals (an empty period is 0.00, not 0)."""
    return value.quantize(Decimal("0.01")) if value is not None and indicator.is_money else value


def change(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """value / previous − 1, null when there is nothing to compare with (previous is 0 or missing)."""
    if value is None or not previous:
        return None
    return (value / previous - 1).quantize(RATIO_PLACES, ROUND_HALF_UP)


def _previous_range(query: Query) -> tuple[Range, int, int]:
    """The range to compare with, and how its period keys line up with this range's (months, days)."""
    if query.compare == "yoy":
        return periods.year_before(query.range), 12, 0
    grain = query.time_grain
    if grain in ("month", "quarter", "year"):
        step = {"month": 1, "quarter": 3, "year": 12}[grain]
        return periods.shift(query.range, -step), step, 0
    if grain in ("day", "week"):
        step_days = 1 if grain == "day" else 7
        from datetime import timedelta

        return Range(query.range.start - timedelta(days=step_days), query.range.end - timedelta(days=step_days)), 0, step_days
    return periods.period_before(query.range), 0, 0


def _parents(engine: Engine, query: Query, grant: Grant, snap: Snapshot, current: dict[Key, dict[str, Decimal]]
             ) -> dict[Key, Decimal | None]:
    """Each row's parent total: its first non-time dimension lifted (county → city → province; a code → all)."""
    indicator = get_indicator(query.indicator)
    lift = next((d for d in query.by if not DIMENSIONS[d].is_time), None)
    if lift is None:
        return {}
    index = query.by.index(lift)
    up = {"county": "city", "city": "province", "province": None}.get(lift)
    parent_by = tuple(d for d in query.by if d != lift) if up is None else tuple(up if d == lift else d for d in query.by)
    totals, _ = figures(engine, query, grant, snap, parent_by, query.range)
    visible = regions().descendants(query.region) if query.region else None
    result: dict[Key, Decimal | None] = {}
    for key in current:
        if up is None:
            parent_key = key[:index] + key[index + 1:]
        else:
            code = key[index]
            parent_code = PROVINCE if up == "province" else city_of_code(code)
            if not (grant.everything or parent_code in grant.regions) or (visible is not None and parent_code not in visible):
                result[key] = None  # the parent lies outside what the viewer may see: no share
                continue
            parent_key = key[:index] + (parent_code,) + key[index + 1:]
        parent_values = totals.get(parent_key)
        result[key] = indicator.compute(parent_values) if parent_values else None
    return result


def city_of_code(code: str) -> str:
    return code[:4] + "00"


_ORDER = {"category": CATEGORIES.codes, "platform": PLATFORMS.codes, "channel": CHANNELS.codes,
          "cross_border": CROSS_BORDER.codes, "entity_kind": [*ENTITY_KINDS.codes, UNREGISTERED],
          "local": ["local", "nonlocal"]}


def _sort_key(dim: str, code: str) -> tuple[int, str]:
    order = _ORDER.get(dim)
    if order and code in order:
        return order.index(code), code
    return 0, code


def open_and_run(query: Query, actor: Actor, settings: Settings | None = None) -> Result:
    """Run a query on the embedded DuckDB warehouse of this home."""
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.registry import snapshot

    settings = ensure_home(settings)
    snap = snapshot(settings)
    with open_duckdb(settings) as engine:
        return run(engine, query, actor, snap)
