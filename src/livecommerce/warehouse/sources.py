"""The rows every query reads, written once with Ibis so that DuckDB and Spark run the same expressions.

sales — one row per order of the orders feed, plus the platforms' shop-day figures (shop_daily) for the shop-days that
  have no order detail (table ``shop_daily_uncovered``, kept at ingest by rollups.after_batch): where a shop-day has both,
  order detail wins and nothing is counted twice (docs/indicators.md). A shop-day row becomes two sales rows: its
  live part (channel live, paid = live_gmv) and the rest (channel other, paid = gmv − live_gmv, refund = refunds,
  orders = orders).
sessions — one row per live session (直播场次), by the day it started.
parcels — one row per parcel (快递包裹), by the day it was picked up, at its origin.

Every source has: day (DATE, Asia/Shanghai), region (attribution by seller; for parcels the origin), platform.
Sales also has ship_region (发货地, the seller's region where none is given) for attribution by ship_from_region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from livecommerce.reference.regions import PROVINCE
from livecommerce.warehouse.measures import MEASURES

MONEY = ibis.dtype("decimal(18, 2)")

# Row conditions of the conditional measures (measures.Measure.where), over sales rows.
CONDITIONS: dict[str, Callable[[ir.Table], ir.BooleanValue]] = {
    "physical": lambda t: t.physical,
    "local_physical": lambda t: t.physical & t.local_product,
    "nonlocal": lambda t: ~t.local_product,
    "live": lambda t: t.channel == "live",
    "import": lambda t: t.cross_border == "import",
    "export": lambda t: t.cross_border == "export",
}

SALES_TYPES = {
    "day": "date",
    "region": "string",
    "ship_region": "string",
    "category": "string",
    "local_product": "boolean",
    "physical": "boolean",
    "platform": "string",
    "channel": "string",
    "cross_border": "string",
    "seller_key": "string",
    "seller_uscc": "string",
    "shop_id": "string",
    "streamer_id": "string",
    "product_id": "string",
    "product_name": "string",
    "paid": "decimal(18, 2)",
    "refund": "decimal(18, 2)",
    "net": "decimal(18, 2)",
    "orders": "int64",
    "quantity": "int64",
}

Tables = Mapping[str, ir.Table]

INTEGER_COLUMNS = frozenset({"orders", "quantity", "sessions", "seconds", "parcels"})


CONDITION_COLUMNS = {
    "physical": {"physical"},
    "local_physical": {"physical", "local_product"},
    "nonlocal": {"local_product"},
    "live": {"channel"},
    "import": {"cross_border"},
    "export": {"cross_border"},
}


def _conform(t: ir.Table, columns: frozenset[str] | None = None) -> ir.Table:
    """The same column order and (nullable) types on both sides of a union: key columns are NOT NULL in one feed
    and optional in another. With ``columns``, only those (and day): what a query reads, so that no engine carries
    the others through the union."""
    keep = [name for name in SALES_TYPES if columns is None or name in columns or name == "day"]
    return t.select(**{name: t[name].cast(ibis.dtype(SALES_TYPES[name])) for name in keep})


def _money(value: Any) -> ir.DecimalValue:
    return ibis.literal(value).cast(MONEY) if not isinstance(value, ir.Value) else value.cast(MONEY)


def sales_from_orders(orders: ir.Table, period: tuple[date, date] | None = None) -> ir.Table:
    """Order detail as sales rows (of the days of ``period``, filtered on paid_at itself so that engines can skip)."""
    o = orders
    if period is not None:
        o = o.filter(o.paid_at >= _midnight(period[0]), o.paid_at < _midnight(period[1] + timedelta(days=1)))
    return o.select(
        day=o.paid_at.date(),
        region=o.seller_region,
        ship_region=o.ship_from_region.fill_null(o.seller_region),
        category=o.category,
        local_product=o.local_product,
        physical=o.physical,
        platform=o.platform,
        channel=o.channel,
        cross_border=o.cross_border.fill_null(""),
        seller_key=o.seller_uscc.fill_null(o.platform.concat(":", o.shop_id)),
        seller_uscc=o.seller_uscc,
        shop_id=o.shop_id,
        streamer_id=o.streamer_id,
        product_id=o.product_id,
        product_name=o.product_name,
        paid=_money(o.paid_amount),
        refund=_money(o.refund_amount),
        net=_money(o.paid_amount - o.refund_amount),
        orders=ibis.literal(1, "int64"),
        quantity=o.quantity.cast("int64"),
    )


def sales_from_shop_days(days: ir.Table, period: tuple[date, date] | None = None, columns: frozenset[str] | None = None) -> ir.Table:
    """Shop-day figures without order detail as sales rows: the live part and the rest."""
    d = days
    if period is not None:
        d = d.filter(d.date.between(*period))
    common = dict(
        day=d.date,
        region=d.seller_region,
        ship_region=d.seller_region,
        category=d.category,
        local_product=d.local_product,
        physical=d.physical,
        platform=d.platform,
        cross_border=ibis.literal(""),
        seller_key=d.seller_uscc.fill_null(d.platform.concat(":", d.shop_id)),
        seller_uscc=d.seller_uscc,
        shop_id=d.shop_id,
        streamer_id=ibis.null("string"),
        product_id=ibis.null("string"),
        product_name=ibis.null("string"),
    )
    live = d.filter(d.live_gmv > 0).select(
        **common,
        channel=ibis.literal("live"),
        paid=_money(d.live_gmv),
        refund=_money(0),
        net=_money(d.live_gmv),
        orders=ibis.literal(0, "int64"),
        quantity=ibis.literal(0, "int64"),
    )
    rest = d.select(
        **common,
        channel=ibis.literal("other"),
        paid=_money(d.gmv - d.live_gmv),
        refund=_money(d.refunds),
        net=_money(d.gmv - d.live_gmv - d.refunds),
        orders=d.orders.cast("int64"),
        quantity=ibis.literal(0, "int64"),
    )
    return _conform(live, columns).union(_conform(rest, columns), distinct=False)


def sales(tables: Tables, period: tuple[date, date] | None = None, columns: frozenset[str] | None = None) -> ir.Table:
    """Every sales row: order detail, and shop-day figures where there is no detail; optionally only the days of
    ``period`` and only ``columns``."""
    return _conform(sales_from_orders(tables["orders"], period), columns).union(
        sales_from_shop_days(tables["shop_daily_uncovered"], period, columns), distinct=False
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def sessions(tables: Tables, streamer_regions: ir.Table | None = None) -> ir.Table:
    """Live sessions by the day they started. A session's region is its seller_region; where the feed gives none,
    the streamer's region in the registry (主播库); where that is unknown too, the province (未细分)."""
    s = tables["live_sessions"]
    region = s.seller_region
    if streamer_regions is not None:
        r = streamer_regions
        s = s.left_join(r, (s.platform == r.platform) & (s.streamer_id == r.streamer_id)).select(s, registry_region=r.region)
        region = s.seller_region.fill_null(s.registry_region)
    seconds = (s.ended_at.epoch_seconds() - s.started_at.epoch_seconds()).fill_null(0)
    return s.select(
        day=s.started_at.date(),
        region=region.fill_null(PROVINCE),
        platform=s.platform,
        streamer_key=s.platform.concat(":", s.streamer_id),
        streamer_id=s.streamer_id,
        sessions=ibis.literal(1, "int64"),
        seconds=seconds.cast("int64"),
        gmv=_money(s.gmv),
    )


def parcels(tables: Tables) -> ir.Table:
    """Parcels by the day they were picked up, at their origin; platform '' where the carrier did not say."""
    p = tables["parcels"]
    return p.select(
        day=p.shipped_at.date(),
        region=p.origin_region,
        platform=p.platform.fill_null(""),
        parcels=ibis.literal(1, "int64"),
    )


def measure_expr(t: ir.Table, name: str, *, from_rollup: bool) -> ir.NumericScalar:
    """The sum of a measure over detail rows (a conditional sum) or over a rollup (the stored column)."""
    measure = MEASURES[name]
    kind = "int64" if measure.column in INTEGER_COLUMNS else "decimal(38, 2)"
    if from_rollup:
        return t[name].sum().fill_null(0).cast(kind)
    column = t[measure.column]
    if measure.where:
        return column.sum(where=CONDITIONS[measure.where](t)).fill_null(0).cast(kind)
    return column.sum().fill_null(0).cast(kind)
