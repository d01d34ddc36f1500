"""The statistics service as the web console and the API call it: a question and an actor in, an answer out, on
the embedded DuckDB warehouse of the configured home. Scope is applied inside query.run and rank.run_rank."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from livecommerce.core.scope import Actor
from livecommerce.core.settings import Settings
from livecommerce.stats.query import Query, Result, open_and_run
from livecommerce.stats.rank import RankQuery, RankResult, open_and_rank


def query(q: Query, actor: Actor, settings: Settings | None = None) -> Result:
    return open_and_run(q, actor, settings)


def rank(q: RankQuery, actor: Actor, settings: Settings | None = None) -> RankResult:
    return open_and_rank(q, actor, settings)


def seller_years(first: int, last: int, actor: Actor, settings: Settings | None = None) -> dict[str, dict[int, tuple[Decimal, Decimal]]]:
    """Each seller's 实物网络零售额 and 地产品实物网络零售额 per year (the indicators' definitions, read from the sellers'
    monthly rollup): {seller_key: {year: (physical, local_physical)}}. Policy runs take registered entities' figures
    from here (DESIGN.md: policy calls stats)."""
    from livecommerce.core.db import ensure_home
    from livecommerce.core.scope import ensure
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.figures import FigureRequest, figures
    from livecommerce.stats.periods import Range
    from livecommerce.stats.question import ACTION, Query
    from livecommerce.stats.registry import snapshot

    grant = ensure(actor, ACTION)
    settings = ensure_home(settings)
    span = Range(date(first, 1, 1), date(last, 12, 31))
    question = Query("physical_online_retail", span, by=("year",))
    with open_duckdb(settings) as engine:
        asked = FigureRequest(question, ("year",), span, require=("seller_key",), measures_of=("net_physical", "net_local_physical"))
        data, _ = figures(engine, asked, grant, snapshot(settings))
    out: dict[str, dict[int, tuple[Decimal, Decimal]]] = {}
    for (year, seller), values in data.items():
        out.setdefault(str(seller), {})[int(year)] = (values["net_physical"], values["net_local_physical"])
    return out


def parcel_backed(year: int, actor: Actor, settings: Settings | None = None) -> dict[str, tuple[Decimal, Decimal]]:
    """Per registered seller (USCC): the year's 实物网络零售额 from order detail, and the part of it whose orders a
    logistics company reported a parcel for (parcels joined to orders by platform and order_id) — the evidence a
    review of declared figures (虚报冒领) looks at."""
    from livecommerce.core.db import ensure_home
    from livecommerce.core.scope import ensure, restrict_sql
    from livecommerce.stats.question import ACTION
    from livecommerce.warehouse.engine import connect

    ensure(actor, ACTION)
    scope = restrict_sql(actor, ACTION, "o.seller_region", "o.seller_uscc")
    settings = ensure_home(settings)
    sql = f"""
        SELECT o.seller_uscc,
               CAST(SUM(o.paid_amount - o.refund_amount) AS DECIMAL(38, 2)) AS physical,
               CAST(SUM(CASE WHEN p.order_id IS NOT NULL THEN o.paid_amount - o.refund_amount ELSE 0 END)
                    AS DECIMAL(38, 2)) AS shipped
        FROM orders o
        LEFT JOIN (SELECT DISTINCT platform, order_id FROM parcels WHERE order_id IS NOT NULL) p
               ON p.platform = o.platform AND p.order_id = o.order_id
        WHERE o.physical AND o.seller_uscc IS NOT NULL AND {scope}
          AND o.paid_at >= TIMESTAMPTZ '{year}-01-01 00:00:00+08' AND o.paid_at < TIMESTAMPTZ '{year + 1}-01-01 00:00:00+08'
        GROUP BY o.seller_uscc"""
    with connect(settings, read_only=True) as connection:
        rows = connection.execute(sql).fetchall()
    return {str(uscc): (Decimal(physical), Decimal(shipped)) for uscc, physical, shipped in rows}
