"""The indicator catalogue (统计口径): every indicator's id, Chinese name, unit, source feed and how its value is made
from base measures. docs/indicators.md is the public statement of these definitions; tests/stats/test_docs.py fails
when an indicator or dimension here is not documented there (DESIGN.md: Indicators).

Policy basis: 002_b2d67e67f9f1a824.txt 三(四)3 ("建立直播电商统计监测体系…及时全面反映全省直播电商经济发展状况"),
000_f467ed5c45ed642d.txt 附件1 item 43 (统计监测), 004_9b296d9d69a709cc.txt item 20; the targets of 000 一 name
网络零售额, 亿元级 and 千万元级 enterprises.

The base measures an indicator is made from are the warehouse's (warehouse/measures.py).

Values are exact: sums are Decimal yuan from DECIMAL(18,2) columns; a ratio is computed in Python from exact sums and
kept to RATIO_PLACES decimals (half-up), never through float.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from livecommerce.core.errors import ValidationFailed
from livecommerce.warehouse.measures import MEASURES, PARCELS, SALES, SESSIONS

RATIO_PLACES = Decimal("0.000001")
AMOUNT_PLACES = Decimal("0.01")
HOURS_PLACES = Decimal("0.01")

Values = Mapping[str, Decimal]


def _ratio(numerator: str, denominator: str) -> Callable[[Values], Decimal | None]:
    def value(v: Values) -> Decimal | None:
        d = v[denominator]
        return None if not d else (Decimal(v[numerator]) / Decimal(d)).quantize(RATIO_PLACES, ROUND_HALF_UP)

    return value


def _amount_per(numerator: str, denominator: str) -> Callable[[Values], Decimal | None]:
    def value(v: Values) -> Decimal | None:
        d = v[denominator]
        return None if not d else (Decimal(v[numerator]) / Decimal(d)).quantize(AMOUNT_PLACES, ROUND_HALF_UP)

    return value


def _measure(name: str) -> Callable[[Values], Decimal | None]:
    return lambda v: Decimal(v[name])


@dataclass(frozen=True)
class Indicator:
    """One indicator: what a user asks for by id."""

    id: str
    zh: str
    unit: str  # 元 | 单 | 件 | 个 | 场 | 小时 | 比率
    source: str
    measures: tuple[str, ...]
    compute: Callable[[Values], Decimal | None] = field(compare=False)
    definition: str = ""

    @property
    def additive(self) -> bool:
        """Whether the value of a whole is the sum of its parts (so shares of a parent are meaningful)."""
        return self.unit != "比率" and self.unit != "元/单" and MEASURES[self.measures[0]].kind in ("sum", "count")

    @property
    def is_money(self) -> bool:
        return self.unit == "元"

    @property
    def is_ratio(self) -> bool:
        return self.unit == "比率"


def _simple(id_: str, zh: str, unit: str, measure: str, definition: str) -> Indicator:
    return Indicator(id_, zh, unit, MEASURES[measure].source, (measure,), _measure(measure), definition)


INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        _simple("online_retail", "网络零售额", "元", "net", "Σ(paid_amount − refund_amount)"),
        _simple("physical_online_retail", "实物网络零售额", "元", "net_physical", "网络零售额 where physical = true"),
        _simple(
            "local_physical_online_retail",
            "地产品实物网络零售额",
            "元",
            "net_local_physical",
            "网络零售额 where physical and local_product",
        ),
        _simple("nonlocal_online_retail", "非地产品网络零售额", "元", "net_nonlocal", "网络零售额 where local_product = false"),
        _simple("live_online_retail", "直播网络零售额", "元", "net_live", "网络零售额 where channel = live"),
        _simple("cross_border_import", "跨境进口额", "元", "net_import", "网络零售额 where cross_border = import"),
        _simple("cross_border_export", "跨境出口额", "元", "net_export", "网络零售额 where cross_border = export"),
        _simple("gross_sales", "支付金额", "元", "paid", "Σ paid_amount (before refunds)"),
        _simple("refunds", "退款金额", "元", "refund", "Σ refund_amount"),
        _simple("orders", "订单数", "单", "order_count", "count of orders"),
        _simple("items", "商品件数", "件", "quantity", "Σ quantity"),
        Indicator("live_share", "直播占比", "比率", SALES, ("net_live", "net"), _ratio("net_live", "net"), "直播网络零售额 / 网络零售额"),
        Indicator(
            "local_share",
            "地产品占比",
            "比率",
            SALES,
            ("net_local_physical", "net_physical"),
            _ratio("net_local_physical", "net_physical"),
            "地产品实物网络零售额 / 实物网络零售额",
        ),
        Indicator(
            "avg_order_value", "客单价", "元/单", SALES, ("paid", "order_count"), _amount_per("paid", "order_count"), "支付金额 / 订单数"
        ),
        Indicator("refund_rate", "退款率", "比率", SALES, ("refund", "paid"), _ratio("refund", "paid"), "退款金额 / 支付金额"),
        _simple("active_sellers", "活跃经营主体数", "个", "active_sellers", "distinct sellers with 网络零售额 > 0 in the period"),
        _simple("sellers_over_100m", "亿元级主体数", "个", "sellers_over_100m", "sellers whose 网络零售额 in the period ≥ 1亿元"),
        _simple("sellers_over_10m", "千万元级主体数", "个", "sellers_over_10m", "sellers whose 网络零售额 in the period ≥ 1000万元"),
        _simple("active_streamers", "活跃主播数", "个", "active_streamers", "distinct streamers with a live session started"),
        _simple("live_sessions", "直播场次", "场", "session_count", "count of live sessions started in the period"),
        Indicator(
            "live_hours",
            "直播时长",
            "小时",
            SESSIONS,
            ("session_seconds",),
            lambda v: (Decimal(v["session_seconds"]) / 3600).quantize(HOURS_PLACES, ROUND_HALF_UP),
            "Σ (ended_at − started_at) in hours; a session without ended_at counts 0",
        ),
        _simple("live_session_gmv", "直播间成交额", "元", "session_gmv", "Σ gmv reported per live session"),
        _simple("parcels", "快递包裹数", "件", "parcel_count", "count of parcels by origin_region"),
    )
}


def get_indicator(indicator_id: str) -> Indicator:
    """The indicator of this id; a clear error listing the known ones otherwise."""
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        known = ", ".join(INDICATORS)
        raise ValidationFailed(f"没有指标 {indicator_id!r} (unknown indicator {indicator_id!r}: one of {known})") from None


@dataclass(frozen=True)
class Dimension:
    """A way to cut an indicator: its name (the JSON key), Chinese name, and the sources that carry it."""

    name: str
    zh: str
    sources: frozenset[str]
    kind: str  # region | time | code

    @property
    def is_time(self) -> bool:
        return self.kind == "time"

    @property
    def is_region(self) -> bool:
        return self.kind == "region"


ALL = frozenset({SALES, SESSIONS, PARCELS})
DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("province", "省", ALL, "region"),
        Dimension("city", "市(地)", ALL, "region"),
        Dimension("county", "县(市、区)", ALL, "region"),
        Dimension("day", "日", ALL, "time"),
        Dimension("week", "周", ALL, "time"),
        Dimension("month", "月", ALL, "time"),
        Dimension("quarter", "季度", ALL, "time"),
        Dimension("year", "年", ALL, "time"),
        Dimension("category", "品类", frozenset({SALES}), "code"),
        Dimension("local", "地产品/非地产品", frozenset({SALES}), "code"),
        Dimension("platform", "平台", ALL, "code"),
        Dimension("channel", "渠道", frozenset({SALES}), "code"),
        Dimension("cross_border", "跨境类型", frozenset({SALES}), "code"),
        Dimension("entity_kind", "主体类型", frozenset({SALES}), "code"),
    )
}

REGION_LEVELS = ("province", "city", "county")
TIME_GRAINS = ("day", "week", "month", "quarter", "year")


def parse_dimensions(text: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """`city,category` → ('city', 'category'); a clear error for an unknown or repeated name."""
    if not text:
        return ()
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    for name in names:
        if name not in DIMENSIONS:
            raise ValidationFailed(f"没有分组维度 {name!r} (unknown dimension {name!r}: one of {', '.join(DIMENSIONS)})")
    if len(set(names)) != len(names):
        raise ValidationFailed(f"a dimension is named twice in {','.join(names)!r}")
    if sum(DIMENSIONS[n].is_time for n in names) > 1:
        raise ValidationFailed("cut by one time grain at a time (day, week, month, quarter or year)")
    if sum(DIMENSIONS[n].is_region for n in names) > 1:
        raise ValidationFailed("cut by one region level at a time (province, city or county)")
    return tuple(names)


def check_cut(indicator: Indicator, dims: tuple[str, ...]) -> None:
    """Refuse a cut the indicator's source does not carry (e.g. live sessions by category)."""
    for name in dims:
        if indicator.source not in DIMENSIONS[name].sources:
            raise ValidationFailed(
                f"{indicator.zh}不能按{DIMENSIONS[name].zh}分组：其数据来源没有该字段 (indicator {indicator.id} comes "
                f"from {SOURCE_FEEDS[indicator.source]}, which has no {name}: it cannot be cut by {name})"
            )


SOURCE_FEEDS = {SALES: "orders + shop_daily", SESSIONS: "live_sessions", PARCELS: "parcels"}
