"""Queries: any indicator over any date range, cut by any dimensions, with its YoY/MoM form and share of the parent,
narrowed to the actor's scope (action ``stats.read``; DESIGN.md: Scopes). Written once with Ibis (figures.py); the
engine runs it. Several questions that differ only in a summed indicator share one engine query (run_many).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from livecommerce.core.scope import Actor, Grant, ensure
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.reference.codes import CATEGORIES, CHANNELS, CROSS_BORDER, ENTITY_KINDS, PLATFORMS
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import periods
from livecommerce.stats.engine import Engine
from livecommerce.stats.figures import FigureRequest, Key, figures
from livecommerce.stats.indicators import DIMENSIONS, RATIO_PLACES, Indicator, get_indicator
from livecommerce.stats.periods import Range
from livecommerce.stats.question import ACTION, ATTRIBUTIONS, CODE_COLUMNS, UNREGISTERED, Query
from livecommerce.stats.registry import Snapshot
from livecommerce.warehouse.measures import MEASURES

__all__ = ["ACTION", "ATTRIBUTIONS", "CODE_COLUMNS", "UNREGISTERED", "Query", "Result", "Row", "figures", "run", "run_many", "open_and_run"]


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
        return {
            "indicator": q.indicator,
            "indicator_name": self.indicator.zh,
            "unit": self.indicator.unit,
            "from": q.range.start.isoformat(),
            "to": q.range.end.isoformat(),
            "by": list(q.by),
            "region": q.region,
            "attribution": q.attribution,
            "compare": q.compare,
            "scope": self.scope,
            "rows": rows,
        }


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


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
        tops = [code for code in grant.regions if (regions().parent(code) is None or regions().parent(code).code not in grant.regions)]  # type: ignore[union-attr]
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
    return (indicator.source, query.range, query.by, query.region, tuple(sorted(query.filters.items())), query.compare, query.attribution)


def run_many(engine: Engine, queries: list[Query], actor: Actor, snap: Snapshot, *, use_rollups: bool = True) -> list[Result]:
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
        current, used = figures(
            engine, FigureRequest(lead, lead.by, lead.range, use_rollups=use_rollups, measures_of=measures), grant, snap
        )
        previous, mapping = _compare(engine, lead, grant, snap, current, measures, use_rollups)
        for index in members:
            found = _Found(dict(current), previous, mapping, used)
            results[index] = _assemble(engine, queries[index], grant, snap, found, started)
    return [r for r in results if r is not None]


def _compare(
    engine: Engine,
    query: Query,
    grant: Grant,
    snap: Snapshot,
    current: dict[Key, dict[str, Decimal]],
    measures: tuple[str, ...],
    use_rollups: bool,
) -> tuple[dict[Key, dict[str, Decimal]], dict[Key, Key]]:
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
    previous, _ = figures(engine, FigureRequest(query, query.by, before, use_rollups=use_rollups, measures_of=measures), grant, snap)
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


@dataclass
class _Found:
    """A batch's figures: the period's, the compared period's, which key each compares with, and the plan read."""

    current: dict[Key, dict[str, Decimal]]
    previous: dict[Key, dict[str, Decimal]]
    mapping: dict[Key, Key]
    used: str


def _assemble(engine: Engine, query: Query, grant: Grant, snap: Snapshot, found: _Found, started: float) -> Result:
    """One query's rows from its batch's figures: values, the compared values and change, shares of the parent."""
    indicator = get_indicator(query.indicator)
    current, previous, mapping, used = found.current, found.previous, found.mapping, found.used
    parents = _parents(engine, query, grant, snap, current) if query.share else {}
    rows = []
    for key, values in current.items():
        value = _money_places(indicator, indicator.compute(values))
        row = Row(
            keys=dict(zip(query.by, key, strict=True)), names={d: dim_name(d, k) for d, k in zip(query.by, key, strict=True)}, value=value
        )
        if query.compare:
            old = previous.get(mapping[key])
            row.previous = _money_places(indicator, indicator.compute(old) if old else (Decimal(0) if indicator.additive else None))
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


def _parents(
    engine: Engine, query: Query, grant: Grant, snap: Snapshot, current: dict[Key, dict[str, Decimal]]
) -> dict[Key, Decimal | None]:
    """Each row's parent total: its first non-time dimension lifted (county → city → province; a code → all)."""
    indicator = get_indicator(query.indicator)
    lift = next((d for d in query.by if not DIMENSIONS[d].is_time), None)
    if lift is None:
        return {}
    index = query.by.index(lift)
    up = {"county": "city", "city": "province", "province": None}.get(lift)
    parent_by = tuple(d for d in query.by if d != lift) if up is None else tuple(up if d == lift else d for d in query.by)
    totals, _ = figures(engine, FigureRequest(query, parent_by, query.range), grant, snap)
    visible = regions().descendants(query.region) if query.region else None
    result: dict[Key, Decimal | None] = {}
    for key in current:
        if up is None:
            parent_key = key[:index] + key[index + 1 :]
        else:
            code = key[index]
            parent_code = PROVINCE if up == "province" else city_of_code(code)
            if not (grant.everything or parent_code in grant.regions) or (visible is not None and parent_code not in visible):
                result[key] = None  # the parent lies outside what the viewer may see: no share
                continue
            parent_key = key[:index] + (parent_code,) + key[index + 1 :]
        parent_values = totals.get(parent_key)
        result[key] = indicator.compute(parent_values) if parent_values else None
    return result


def city_of_code(code: str) -> str:
    return code[:4] + "00"


_ORDER = {
    "category": CATEGORIES.codes,
    "platform": PLATFORMS.codes,
    "channel": CHANNELS.codes,
    "cross_border": CROSS_BORDER.codes,
    "entity_kind": [*ENTITY_KINDS.codes, UNREGISTERED],
    "local": ["local", "nonlocal"],
}


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
