"""总览 (the dashboard): which questions it asks for a period and a region, and their answers arranged for the page.

``dashboard_queries`` lists every question (queries and rankings) so that a benchmark can time exactly what the page
asks; ``build_dashboard`` runs them on one warehouse connection and arranges the answers. Every range is monthly
aligned where the period is (a month, a quarter, a year): the monthly rollups then answer. Every answer is narrowed
to the viewer's scope inside query.run / rank.run_rank; the region shown is one the viewer may see (``view_region``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from livecommerce.core.errors import PermissionDenied, ValidationFailed
from livecommerce.core.money import FEN, WAN
from livecommerce.core.scope import Actor, Grant, ensure
from livecommerce.core.settings import Settings
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import periods
from livecommerce.stats.engine import Engine
from livecommerce.stats.indicators import INDICATORS, RATIO_PLACES
from livecommerce.stats.periods import Range, month_end
from livecommerce.stats.query import ACTION, Query, Result, change, run_many
from livecommerce.stats.rank import SUBJECTS, RankQuery, RankResult, run_rank
from livecommerce.stats.registry import Snapshot
from livecommerce.stats.tables import StatTable, display, query_table, rank_table, unit_of

MAP_INDICATORS = ("online_retail", "live_online_retail", "local_physical_online_retail", "orders", "active_sellers")
KPI_INDICATORS = ("online_retail", "live_online_retail", "local_physical_online_retail", "local_share", "orders",
                  "active_sellers")
YEAR_TO_DATE = ("sellers_over_100m", "sellers_over_10m")  # 亿元级/千万元级: a seller's figure over the year so far
BREAKDOWNS = ("category", "platform", "channel")
TOP_LISTS = ("entity", "shop", "streamer", "product", "county")
TOP = 10
PERIOD_MODES = {"month": "月度", "quarter": "季度", "year": "年度", "custom": "自定义"}


# ---------------------------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """The 统计期 the dashboard shows: a month, a quarter, a year (its key, e.g. 2025-01) or custom days."""

    mode: str  # month | quarter | year | custom
    range: Range
    key: str = ""  # 2025-01 · 2025-Q1 · 2025; empty for custom

    @property
    def label(self) -> str:
        """2025年1月 · 2025年第1季度 · 2025年 · 2025-01-03 至 2025-02-10."""
        if self.mode == "custom":
            return f"{self.range.start.isoformat()} 至 {self.range.end.isoformat()}"
        return periods.bucket_name(self.key, self.mode)

    def params(self) -> dict[str, str]:
        """The period as the API's parameters (period=… or from/to)."""
        if self.mode == "custom":
            return {"from": self.range.start.isoformat(), "to": self.range.end.isoformat()}
        return {"period": self.key}

    @property
    def year_to_date(self) -> Range:
        """From 1 January of the period's last year to the period's end (亿元级/千万元级 count a year's sales)."""
        return Range(date(self.range.end.year, 1, 1), self.range.end)

    @property
    def trend(self) -> Range:
        """The months of the period's last year up to the end of its last month (the trend chart)."""
        return Range(date(self.range.end.year, 1, 1), month_end(self.range.end))


def last_complete_month(today: date) -> Period:
    """The default: the month before the one ``today`` lies in."""
    first = today.replace(day=1)
    start = periods.add_months(first, -1)
    return Period("month", Range(start, month_end(start)), periods.bucket_key(start, "month"))


def parse_period(mode: str | None = None, period: str | None = None, month: str | None = None,
                 quarter: str | None = None, year: str | None = None, start: str | None = None,
                 end: str | None = None, today: date | None = None) -> Period:
    """The period of the dashboard's form: ``period`` (2025-01, 2025-Q1, 2025) wins; else the field of ``mode``;
    with nothing given, the last complete month."""
    from livecommerce.stats.params import today as today_in_shanghai

    today = today or today_in_shanghai()
    if period:
        day_range, grain = periods.parse_period(period)
        if grain not in ("month", "quarter", "year"):
            raise ValidationFailed(f"统计期 {period!r}：请选择月、季度或年，或自定义起止日期")
        return Period(grain, day_range, periods.bucket_key(day_range.start, grain))
    mode = mode or "month"
    if mode not in PERIOD_MODES:
        raise ValidationFailed(f"统计期类型 {mode!r}：{'、'.join(PERIOD_MODES)}")
    if mode == "custom":
        if not (start and end):
            raise ValidationFailed("自定义统计期需要开始日期和结束日期（均含当日）")
        return Period("custom", Range(periods.parse_day(start, "开始日期"), periods.parse_day(end, "结束日期")))
    value = {"month": month, "quarter": quarter, "year": year}[mode]
    if not value:
        return last_complete_month(today)
    return parse_period(period=value.strip(), today=today)


# ---------------------------------------------------------------------------------------------------------- region


def home_region(grant: Grant) -> str | None:
    """The region a viewer's dashboard opens on: None (全省) for a provincial grant or an entity's own figures;
    else the widest region of the grant (a city officer's city, a county officer's county)."""
    if grant.everything or not grant.regions:
        return None
    table = regions()
    tops = sorted(code for code in grant.regions
                  if (parent := table.parent(code)) is None or parent.code not in grant.regions)
    return tops[0] if tops else None


def view_region(actor: Actor, requested: str | None) -> str | None:
    """The region to show: the one asked for when the viewer may see it, else PermissionDenied; none asked → the
    viewer's home region."""
    grant = ensure(actor, ACTION)
    if not requested or requested == PROVINCE:
        return home_region(grant)
    region = regions().get(requested)
    if grant.everything or region.code in grant.regions:
        return region.code
    raise PermissionDenied(f"地区 {region.code} 不在当前账户的数据范围内")


# ---------------------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class DashboardQueries:
    """Every question of one dashboard."""

    map: Query  # the chosen indicator by city (全省) or by county (a city), with last year's
    kpis: dict[str, Query]  # the KPI cards' indicators over the period, with last year's
    year_to_date: dict[str, Query]  # 亿元级/千万元级 sellers from 1 January, with last year's
    trend: Query  # 网络零售额 by month from January, with last year's
    breakdowns: dict[str, Query]  # 网络零售额 by category, platform, channel, with last year's and shares
    tops: dict[str, RankQuery]  # the top 10 entities, shops, streamers, products, counties, with the change of rank

    def all(self) -> list[Query | RankQuery]:
        return [self.map, *self.kpis.values(), *self.year_to_date.values(), self.trend, *self.breakdowns.values(),
                *self.tops.values()]


def dashboard_queries(period: Period, region: str | None, actor: Actor | None = None,
                      indicator: str = "online_retail") -> DashboardQueries:
    """The questions the dashboard asks for a period and a region (None: 全省; with an actor, None means the actor's
    home region)."""
    if indicator not in MAP_INDICATORS:
        raise ValidationFailed(f"地图指标 {indicator!r}：{'、'.join(INDICATORS[i].zh for i in MAP_INDICATORS)}")
    if region is None and actor is not None:
        region = view_region(actor, None)
    area = None if region in (None, PROVINCE) else region
    level = "city" if area is None else "county"
    span = period.range
    return DashboardQueries(
        map=Query(indicator, span, by=(level,), region=area, compare="yoy"),
        kpis={i: Query(i, span, region=area, compare="yoy") for i in KPI_INDICATORS},
        year_to_date={i: Query(i, period.year_to_date, region=area, compare="yoy") for i in YEAR_TO_DATE},
        trend=Query("online_retail", period.trend, by=("month",), region=area, compare="yoy"),
        breakdowns={d: Query("online_retail", span, by=(d,), region=area, compare="yoy", share=True)
                    for d in BREAKDOWNS},
        tops={of: RankQuery("online_retail", span, of=of, top=TOP, region=area, compare="mom") for of in TOP_LISTS},
    )


# ---------------------------------------------------------------------------------------------------------- answers


@dataclass
class Kpi:
    """One KPI card: a figure as shown, its unit, the change on last year, and a line below (a share)."""

    key: str
    label: str
    value: str
    unit: str
    change: Decimal | None  # 同比 as a ratio (0.1234 = +12.34%), None when last year is empty
    note: str = ""
    note_change: Decimal | None = None  # a share's change in percentage points (0.0123 = +1.23 个百分点)
    period_note: str = ""

    @property
    def direction(self) -> str:
        return _direction(self.change)

    @property
    def change_text(self) -> str:
        return _percent_change(self.change)

    @property
    def note_direction(self) -> str:
        return _direction(self.note_change)

    @property
    def note_change_text(self) -> str:
        if self.note_change is None:
            return "—"
        points = (abs(self.note_change) * 100).quantize(FEN, ROUND_HALF_UP)
        arrow = "↑" if self.note_change > 0 else "↓" if self.note_change < 0 else ""
        return f"{arrow}{points}个百分点"


def _direction(value: Decimal | None) -> str:
    if value is None or value == 0:
        return "flat"
    return "up" if value > 0 else "down"


def _percent_change(value: Decimal | None) -> str:
    """0.1234 → ↑12.34%, −0.05 → ↓5.00%, None → —."""
    if value is None:
        return "—"
    arrow = "↑" if value > 0 else "↓" if value < 0 else ""
    return f"{arrow}{(abs(value) * 100).quantize(FEN, ROUND_HALF_UP)}%"


@dataclass
class Listing:
    """A table of the page with the parameters of its XLSX export (/api/stats/query.xlsx or rank.xlsx)."""

    key: str
    title: str
    table: StatTable
    export: str
    chart: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # per row: where clicking its name leads ('' for nowhere)

    @property
    def rows(self) -> list[tuple[list[Any], list[str]]]:
        """(raw cells, cells as shown) per row."""
        return list(zip(self.table.rows, self.table.display_rows(), strict=True))


@dataclass
class Dashboard:
    period: Period
    region: str | None  # None: 全省
    indicator: str
    scope: str  # whose data (Result.scope): 全省, 哈尔滨市 …
    kpis: list[Kpi]
    map: dict[str, Any]
    regions: Listing
    trend: dict[str, Any]
    breakdowns: list[Listing]
    tops: list[Listing]
    elapsed_ms: float
    queries: int

    @property
    def region_name(self) -> str:
        """Whose figures these are: the region shown, else the viewer's scope (全省, or an entity's own)."""
        return self.scope if self.region is None else regions().get(self.region).name

    def chart_data(self) -> dict[str, Any]:
        """What dashboard.js draws: the map, the trend and the breakdowns."""
        return {"map": self.map, "trend": self.trend,
                "breakdowns": [{"key": b.key, "title": b.title, "rows": b.chart} for b in self.breakdowns]}


@contextmanager
def _warehouse(settings: Settings | None) -> Iterator[tuple[Engine, Snapshot]]:
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.registry import snapshot

    settings = ensure_home(settings)
    snap = snapshot(settings)
    with open_duckdb(settings) as engine:
        yield engine, snap


def run_all(queries: DashboardQueries, actor: Actor, settings: Settings | None = None
            ) -> dict[int, Result | RankResult]:
    """Answer every question of a dashboard on one warehouse connection: {id(question): answer}. The KPI cards'
    summed indicators share one engine query (query.run_many)."""
    answers: dict[int, Result | RankResult] = {}
    questions = [q for q in queries.all() if isinstance(q, Query)]
    with _warehouse(settings) as (engine, snap):
        for question, answer in zip(questions, run_many(engine, questions, actor, snap), strict=True):
            answers[id(question)] = answer
        for ranking in queries.tops.values():
            answers[id(ranking)] = run_rank(engine, ranking, actor, snap)
    return answers


def build_dashboard(period: Period, region: str | None, actor: Actor, indicator: str = "online_retail",
                    settings: Settings | None = None) -> Dashboard:
    """Ask the dashboard's questions for the viewer and arrange the answers (region: as view_region gives it)."""
    started = time.perf_counter()
    queries = dashboard_queries(period, region, None, indicator)
    answers = run_all(queries, actor, settings)

    def result(q: Query) -> Result:
        answer = answers[id(q)]
        assert isinstance(answer, Result)
        return answer

    def ranked(q: RankQuery) -> RankResult:
        answer = answers[id(q)]
        assert isinstance(answer, RankResult)
        return answer

    map_result = result(queries.map)
    params = {**period.params(), **({"region": region} if region else {})}
    return Dashboard(
        period=period, region=region, indicator=indicator, scope=map_result.scope,
        kpis=_kpis({i: result(q) for i, q in {**queries.kpis, **queries.year_to_date}.items()}, period),
        map=_map(map_result, region),
        regions=_region_listing(map_result, params, region),
        trend=_trend(result(queries.trend), params),
        breakdowns=[_breakdown(d, result(q), params) for d, q in queries.breakdowns.items()],
        tops=[_top(of, ranked(q), params) for of, q in queries.tops.items()],
        elapsed_ms=(time.perf_counter() - started) * 1000, queries=len(queries.all()),
    )


def _total(result: Result) -> tuple[Decimal | None, Decimal | None]:
    """(value, last year's) of a query without cuts (one row; none when the viewer's scope holds nothing)."""
    if not result.rows:
        return None, None
    row = result.rows[0]
    return row.value, row.previous


def _kpis(results: dict[str, Result], period: Period) -> list[Kpi]:
    cards = []
    total, total_before = _total(results["online_retail"])
    live, live_before = _total(results["live_online_retail"])
    local_share, local_share_before = _total(results["local_share"])
    live_share = _share(live, total)
    live_share_before = _share(live_before, total_before)
    cards.append(_card("online_retail", results))
    cards.append(_card("live_online_retail", results, note=f"直播占比 {display(live_share, 'percent')}",
                       note_change=_points(live_share, live_share_before)))
    cards.append(_card("local_physical_online_retail", results, note=f"地产品占比 {display(local_share, 'percent')}",
                       note_change=_points(local_share, local_share_before)))
    cards.append(_card("orders", results))
    cards.append(_card("active_sellers", results))
    for indicator in YEAR_TO_DATE:
        cards.append(_card(indicator, results, period_note=f"{period.year_to_date.start.year}年1月至"
                                                           f"{_month_day(period.range.end)}累计"))
    return cards


def _month_day(day: date) -> str:
    return f"{day.month}月" if day == month_end(day) else f"{day.month}月{day.day}日"


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """直播占比 as the indicator live_share defines it (直播网络零售额 / 网络零售额)."""
    if part is None or whole is None:
        return None
    return INDICATORS["live_share"].compute({"net_live": part, "net": whole})


def _points(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None:
        return None
    return (now - before).quantize(RATIO_PLACES, ROUND_HALF_UP)


def _card(indicator_id: str, results: dict[str, Result], note: str = "", note_change: Decimal | None = None,
          period_note: str = "") -> Kpi:
    indicator = INDICATORS[indicator_id]
    kind, unit = unit_of(indicator)
    value, before = _total(results[indicator_id])
    shown = display(value if value is not None else (Decimal(0) if indicator.additive else None), kind)
    return Kpi(indicator_id, indicator.zh, shown, unit, change(value, before), note, note_change, period_note)


def chart_number(value: Decimal | None, kind: str) -> str | None:
    """A figure for a chart (a JSON string ECharts reads as a number): 万元 to two decimals, percentages × 100."""
    if value is None:
        return None
    if kind == "wan":
        return str((value / WAN).quantize(FEN, ROUND_HALF_UP))
    if kind == "percent":
        return str((value * 100).quantize(FEN, ROUND_HALF_UP))
    return str(value)


def _map(result: Result, region: str | None) -> dict[str, Any]:
    """The map's regions (every prefecture, or every county of the city) with their figures; a region without
    figures is listed with none so that it is drawn uncoloured."""
    from livecommerce.stats.maps import city_of_view

    level = result.query.by[0]
    kind, unit = unit_of(result.indicator)
    rows = {row.keys[level]: row for row in result.rows}
    table = regions()
    city = None if region is None else city_of_view(region)
    if city is None:
        shown = table.cities()
    else:  # a city's counties; a county officer's map lists her county only (the others stay uncoloured)
        shown = table.children(city) if region == city else [table.get(region or city)]
    data = []
    for place in shown:
        row = rows.get(place.code)
        value = row.value if row else None
        data.append({"code": place.code, "name": place.name, "value": chart_number(value, kind),
                     "display": display(value, kind) if row else "—",
                     "yoy": _percent_change(row.change) if row else "—"})
    return {"level": level, "city": city, "indicator": result.indicator.id, "indicator_name": result.indicator.zh,
            "unit": unit, "data": data}


def _link_params(params: dict[str, str], **extra: str) -> str:
    from urllib.parse import urlencode

    return urlencode({**params, **extra})


def _region_listing(result: Result, params: dict[str, str], region: str | None) -> Listing:
    level = result.query.by[0]
    indicator = result.query.indicator
    export = "/api/stats/query.xlsx?" + _link_params(params, indicator=indicator, by=level, compare="yoy")
    title = f"{result.indicator.zh}分{'市(地)' if level == 'city' else '县(市、区)'}"
    links = []
    for row in result.rows:
        code = row.keys[level]
        drillable = level == "city" and regions().get(code).level == "city"
        links.append(code if drillable else "")
    return Listing(level, title, query_table(result), export, links=links)


def _trend(result: Result, params: dict[str, str]) -> dict[str, Any]:
    kind, unit = unit_of(result.indicator)
    span = {"from": result.query.range.start.isoformat(), "to": result.query.range.end.isoformat()}
    where = {k: v for k, v in params.items() if k == "region"} | span
    months = [row.keys["month"] for row in result.rows]
    year = result.query.range.end.year
    return {"unit": unit, "title": f"{result.indicator.zh}月度走势",
            "export": "/api/stats/query.xlsx?" + _link_params(where, indicator=result.query.indicator, by="month",
                                                              compare="yoy"),
            "months": [f"{int(m.split('-')[1])}月" for m in months],
            "this_year": {"name": f"{year}年", "values": [chart_number(row.value, kind) for row in result.rows]},
            "last_year": {"name": f"{year - 1}年", "values": [chart_number(row.previous, kind) for row in result.rows]},
            "yoy": [chart_number(row.change, "percent") for row in result.rows]}


def _breakdown(dim: str, result: Result, params: dict[str, str]) -> Listing:
    from livecommerce.stats.indicators import DIMENSIONS

    kind, _ = unit_of(result.indicator)
    export = "/api/stats/query.xlsx?" + _link_params(params, indicator=result.query.indicator, by=dim, compare="yoy",
                                                     share="true")
    chart = [{"name": row.names[dim], "value": chart_number(row.value, kind)} for row in result.rows
             if row.value is not None and row.value > 0]
    return Listing(dim, f"{result.indicator.zh}分{DIMENSIONS[dim].zh}", query_table(result), export, chart=chart)


def _top(of: str, result: RankResult, params: dict[str, str]) -> Listing:
    export = "/api/stats/rank.xlsx?" + _link_params(params, indicator=result.query.indicator, of=of, top=str(TOP),
                                                    compare=result.query.compare)
    return Listing(of, f"{SUBJECTS[of][0]}前{TOP}名", rank_table(result), export)
