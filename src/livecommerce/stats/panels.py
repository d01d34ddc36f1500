"""The dashboard's panels (总览面板): answers arranged for the page — KPI cards with 同比, the map's data, the region
table, the trend, the breakdowns and the top lists, each table with the parameters of its XLSX export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from livecommerce.core.money import FEN, WAN
from livecommerce.reference.regions import regions
from livecommerce.stats.indicators import INDICATORS, RATIO_PLACES
from livecommerce.stats.periods import month_end
from livecommerce.stats.query import Result, change
from livecommerce.stats.rank import SUBJECTS, RankResult
from livecommerce.stats.tables import StatTable, display, query_table, rank_table, unit_of

if TYPE_CHECKING:
    from livecommerce.stats.dashboard import Period

YEAR_TO_DATE = ("sellers_over_100m", "sellers_over_10m")  # 亿元级/千万元级: a seller's figure over the year so far
TOP = 10

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


def _total(result: Result) -> tuple[Decimal | None, Decimal | None]:
    """(value, last year's) of a query without cuts (one row; none when the viewer's scope holds nothing)."""
    if not result.rows:
        return None, None
    row = result.rows[0]
    return row.value, row.previous


def kpi_cards(results: dict[str, Result], period: Period) -> list[Kpi]:
    cards = []
    total, total_before = _total(results["online_retail"])
    live, live_before = _total(results["live_online_retail"])
    local_share, local_share_before = _total(results["local_share"])
    live_share = _share(live, total)
    live_share_before = _share(live_before, total_before)
    cards.append(_card("online_retail", results))
    cards.append(
        _card(
            "live_online_retail",
            results,
            note=f"直播占比 {display(live_share, 'percent')}",
            note_change=_points(live_share, live_share_before),
        )
    )
    cards.append(
        _card(
            "local_physical_online_retail",
            results,
            note=f"地产品占比 {display(local_share, 'percent')}",
            note_change=_points(local_share, local_share_before),
        )
    )
    cards.append(_card("orders", results))
    cards.append(_card("active_sellers", results))
    for indicator in YEAR_TO_DATE:
        cards.append(_card(indicator, results, period_note=f"{period.year_to_date.start.year}年1月至{_month_day(period.range.end)}累计"))
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


def _card(indicator_id: str, results: dict[str, Result], note: str = "", note_change: Decimal | None = None, period_note: str = "") -> Kpi:
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


def map_data(result: Result, region: str | None) -> dict[str, Any]:
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
        data.append(
            {
                "code": place.code,
                "name": place.name,
                "value": chart_number(value, kind),
                "display": display(value, kind) if row else "—",
                "yoy": _percent_change(row.change) if row else "—",
            }
        )
    return {
        "level": level,
        "city": city,
        "indicator": result.indicator.id,
        "indicator_name": result.indicator.zh,
        "unit": unit,
        "data": data,
    }


def _link_params(params: dict[str, str], **extra: str) -> str:
    from urllib.parse import urlencode

    return urlencode({**params, **extra})


def region_listing(result: Result, params: dict[str, str], region: str | None) -> Listing:
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


def trend_data(result: Result, params: dict[str, str]) -> dict[str, Any]:
    kind, unit = unit_of(result.indicator)
    span = {"from": result.query.range.start.isoformat(), "to": result.query.range.end.isoformat()}
    where = {k: v for k, v in params.items() if k == "region"} | span
    months = [row.keys["month"] for row in result.rows]
    year = result.query.range.end.year
    return {
        "unit": unit,
        "title": f"{result.indicator.zh}月度走势",
        "export": "/api/stats/query.xlsx?" + _link_params(where, indicator=result.query.indicator, by="month", compare="yoy"),
        "months": [f"{int(m.split('-')[1])}月" for m in months],
        "this_year": {"name": f"{year}年", "values": [chart_number(row.value, kind) for row in result.rows]},
        "last_year": {"name": f"{year - 1}年", "values": [chart_number(row.previous, kind) for row in result.rows]},
        "yoy": [chart_number(row.change, "percent") for row in result.rows],
    }


def breakdown_listing(dim: str, result: Result, params: dict[str, str]) -> Listing:
    from livecommerce.stats.indicators import DIMENSIONS

    kind, _ = unit_of(result.indicator)
    export = "/api/stats/query.xlsx?" + _link_params(params, indicator=result.query.indicator, by=dim, compare="yoy", share="true")
    chart = [
        {"name": row.names[dim], "value": chart_number(row.value, kind)} for row in result.rows if row.value is not None and row.value > 0
    ]
    return Listing(dim, f"{result.indicator.zh}分{DIMENSIONS[dim].zh}", query_table(result), export, chart=chart)


def top_listing(of: str, result: RankResult, params: dict[str, str]) -> Listing:
    export = "/api/stats/rank.xlsx?" + _link_params(
        params, indicator=result.query.indicator, of=of, top=str(TOP), compare=result.query.compare
    )
    return Listing(of, f"{SUBJECTS[of][0]}前{TOP}名", rank_table(result), export)
