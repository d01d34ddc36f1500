"""The base measures (基础度量) of the facts: the additive figures summed per group, and the distinct counts, from
which stats/indicators.py makes every indicator (统计口径, docs/indicators.md). The rollups store the sums by their
names (warehouse/rollups.py); the rows they are made from are warehouse/sources.py's.

Values are exact: sums are Decimal yuan from DECIMAL(18,2) columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

YI = Decimal("100000000")  # 1亿元
QIANWAN = Decimal("10000000")  # 1000万元

# Sources: the unified rows a query reads (see sources.py).
SALES, SESSIONS, PARCELS = "sales", "sessions", "parcels"


@dataclass(frozen=True)
class Measure:
    """A base measure: an additive figure summed per group (or, kind 'sellers', a count of distinct sellers)."""

    name: str
    source: str
    kind: str = "sum"  # sum | count | sellers (distinct sellers whose net in the group passes ``min_net``)
    min_net: Decimal | None = None  # for kind 'sellers': net > 0 when None; else net ≥ min_net (以上 includes)
    where: str = ""  # the row condition of a conditional sum, by name (see sources.CONDITIONS)
    column: str = ""  # the row column summed


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("paid", SALES, column="paid"),
        Measure("refund", SALES, column="refund"),
        Measure("net", SALES, column="net"),
        Measure("net_physical", SALES, column="net", where="physical"),
        Measure("net_local_physical", SALES, column="net", where="local_physical"),
        Measure("net_nonlocal", SALES, column="net", where="nonlocal"),
        Measure("net_live", SALES, column="net", where="live"),
        Measure("net_import", SALES, column="net", where="import"),
        Measure("net_export", SALES, column="net", where="export"),
        Measure("order_count", SALES, column="orders"),
        Measure("quantity", SALES, column="quantity"),
        Measure("active_sellers", SALES, kind="sellers"),
        Measure("sellers_over_100m", SALES, kind="sellers", min_net=YI),
        Measure("sellers_over_10m", SALES, kind="sellers", min_net=QIANWAN),
        Measure("active_streamers", SESSIONS, kind="streamers"),
        Measure("session_count", SESSIONS, column="sessions"),
        Measure("session_seconds", SESSIONS, column="seconds"),
        Measure("session_gmv", SESSIONS, column="gmv"),
        Measure("parcel_count", PARCELS, column="parcels"),
    )
}
