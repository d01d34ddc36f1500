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
from dataclasses import dataclass
from datetime import date
from typing import Any

from livecommerce.core.errors import PermissionDenied, ValidationFailed
from livecommerce.core.scope import Actor, Grant, ensure
from livecommerce.core.settings import Settings
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import periods
from livecommerce.stats.engine import Engine
from livecommerce.stats.indicators import INDICATORS
from livecommerce.stats.panels import (
    TOP,
    YEAR_TO_DATE,
    Kpi,
    Listing,
    breakdown_listing,
    kpi_cards,
    map_data,
    region_listing,
    top_listing,
    trend_data,
)
from livecommerce.stats.periods import Range, month_end
from livecommerce.stats.query import ACTION, Query, Result, run_many
from livecommerce.stats.rank import RankQuery, RankResult, run_rank
from livecommerce.stats.registry import Snapshot

MAP_INDICATORS = ("online_retail", "live_online_retail", "local_physical_online_retail", "orders", "active_sellers")
KPI_INDICATORS = ("online_retail", "live_online_retail", "local_physical_online_retail", "local_share", "orders", "active_sellers")
BREAKDOWNS = ("category", "platform", "channel")
TOP_LISTS = ("entity", "shop", "streamer", "product", "county")
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


def parse_period(
    mode: str | None = None,
    period: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> Period:
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
    tops = sorted(code for code in grant.regions if (parent := table.parent(code)) is None or parent.code not in grant.regions)
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
        return [self.map, *self.kpis.values(), *self.year_to_date.values(), self.trend, *self.breakdowns.values(), *self.tops.values()]


def dashboard_queries(period: Period, region: str | None, actor: Actor | None = None, indicator: str = "online_retail") -> DashboardQueries:
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
        breakdowns={d: Query("online_retail", span, by=(d,), region=area, compare="yoy", share=True) for d in BREAKDOWNS},
        tops={of: RankQuery("online_retail", span, of=of, top=TOP, region=area, compare="mom") for of in TOP_LISTS},
    )


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
        return {
            "map": self.map,
            "trend": self.trend,
            "breakdowns": [{"key": b.key, "title": b.title, "rows": b.chart} for b in self.breakdowns],
        }


@contextmanager
def _warehouse(settings: Settings | None) -> Iterator[tuple[Engine, Snapshot]]:
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.registry import snapshot

    settings = ensure_home(settings)
    snap = snapshot(settings)
    with open_duckdb(settings) as engine:
        yield engine, snap


def run_all(queries: DashboardQueries, actor: Actor, settings: Settings | None = None) -> dict[int, Result | RankResult]:
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


def build_dashboard(
    period: Period, region: str | None, actor: Actor, indicator: str = "online_retail", settings: Settings | None = None
) -> Dashboard:
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
        period=period,
        region=region,
        indicator=indicator,
        scope=map_result.scope,
        kpis=kpi_cards({i: result(q) for i, q in {**queries.kpis, **queries.year_to_date}.items()}, period),
        map=map_data(map_result, region),
        regions=region_listing(map_result, params, region),
        trend=trend_data(result(queries.trend), params),
        breakdowns=[breakdown_listing(d, result(q), params) for d, q in queries.breakdowns.items()],
        tops=[top_listing(of, ranked(q), params) for of, q in queries.tops.items()],
        elapsed_ms=(time.perf_counter() - started) * 1000,
        queries=len(queries.all()),
    )
