"""JSON routes of statistics, with the parameters of the CLI (`livecommerce stats query|rank`), and their XLSX
exports. Every answer is narrowed to the caller's scope in the service (query.run / rank.run_rank)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.scope import Actor
from livecommerce.core.web.params import MAX_LIMIT, SHORT_TEXT
from livecommerce.core.web.writer import download
from livecommerce.stats import params, service
from livecommerce.stats.indicators import DIMENSIONS, INDICATORS
from livecommerce.stats.tables import query_table, rank_table, to_xlsx

router = APIRouter(prefix="/api/stats", tags=["统计分析 stats"])

IndicatorId = Annotated[str, Query(max_length=SHORT_TEXT, description="Indicator id, e.g. online_retail (GET /api/stats/indicators).")]
By = Annotated[
    str | None,
    Query(
        max_length=SHORT_TEXT,
        description="DIM[,DIM]: province, city, county, category, local, platform, channel, "
        "cross_border, entity_kind, day, week, month, quarter, year.",
    ),
]
From = Annotated[str | None, Query(alias="from", max_length=SHORT_TEXT, description="First day YYYY-MM-DD (included).")]
To = Annotated[str | None, Query(alias="to", max_length=SHORT_TEXT, description="Last day YYYY-MM-DD (included).")]
Period = Annotated[
    str | None, Query(max_length=SHORT_TEXT, description="Instead of from/to: 2025, 2025-Q1, 2025-02, 2025-W05, 2025-02-01.")
]
Region = Annotated[str | None, Query(max_length=SHORT_TEXT, description="Only this region and below: code or name.")]
Filter = Annotated[list[str] | None, Query(alias="filter", description="DIMENSION=CODE[,CODE]; repeatable.")]
Top = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many ranks: 1 to 1000.")]
Of = Annotated[str, Query(max_length=SHORT_TEXT, description="entity, shop, streamer, product, county or city.")]
Compare = Annotated[str | None, Query(max_length=SHORT_TEXT, description="yoy or mom.")]
RankCompare = Annotated[str, Query(max_length=SHORT_TEXT, description="The change of rank against: mom or yoy.")]
Attribution = Annotated[str, Query(max_length=SHORT_TEXT, description="seller (seller_region) or ship_from (ship_from_region).")]


@router.get("/indicators")
def indicators(actor: CurrentActor) -> list[dict[str, Any]]:
    """The indicator catalogue (统计口径, docs/indicators.md) with the dimensions each can be cut by."""
    return [
        {
            "id": i.id,
            "name": i.zh,
            "unit": i.unit,
            "source": i.source,
            "definition": i.definition,
            "dimensions": [d for d, dim in DIMENSIONS.items() if i.source in dim.sources],
        }
        for i in INDICATORS.values()
    ]


def _query(
    actor: Actor,
    indicator: str,
    by: str | None,
    start: str | None,
    end: str | None,
    period: str | None,
    region: str | None,
    compare: str | None,
    share: bool,
    filters: list[str] | None,
    attribution: str,
) -> Any:
    query = params.build_query(indicator, by, start, end, period, region, compare, share, filters, attribution)
    return service.query(query, actor)


@router.get("/query")
def query(
    actor: CurrentActor,
    indicator: IndicatorId,
    by: By = None,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: Compare = None,
    share: bool = False,
    filters: Filter = None,
    attribution: Attribution = "seller",
) -> dict[str, Any]:
    """One indicator over a date range, cut by dimensions: `{"indicator", "from", "to", "by", "rows": [...]}` with
    values as exact decimal strings (yuan); `previous` and `yoy`/`mom` with compare; `share` with share=true."""
    answer: dict[str, Any] = _query(actor, indicator, by, start, end, period, region, compare, share, filters, attribution).to_json()
    return answer


@router.get("/query.xlsx")
def query_xlsx(
    request: Request,
    actor: CurrentActor,
    indicator: IndicatorId,
    by: By = None,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: Compare = None,
    share: bool = False,
    filters: Filter = None,
    attribution: Attribution = "seller",
) -> Response:
    """The same answer as an XLSX workbook: Chinese headers, amounts in 万元 (the download is audited)."""
    result = _query(actor, indicator, by, start, end, period, region, compare, share, filters, attribution)
    table = query_table(result)
    return download(
        to_xlsx([table]),
        f"{result.indicator.zh}.xlsx",
        actor=actor,
        what=f"stats.query:{indicator}",
        rows=len(table.rows),
        client=client_of(request),
    )


def _rank(
    actor: Actor,
    indicator: str,
    of: str,
    top: int,
    start: str | None,
    end: str | None,
    period: str | None,
    region: str | None,
    compare: str,
    filters: list[str] | None,
    attribution: str,
) -> Any:
    query = params.build_rank(indicator, of, top, start, end, period, region, compare, filters, attribution)
    return service.rank(query, actor)


@router.get("/rank")
def rank(
    actor: CurrentActor,
    indicator: IndicatorId,
    of: Of = "entity",
    top: Top = 10,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: RankCompare = "mom",
    filters: Filter = None,
    attribution: Attribution = "seller",
) -> dict[str, Any]:
    """The top N entities, shops, streamers, products, counties or cities, with the change of rank."""
    answer: dict[str, Any] = _rank(actor, indicator, of, top, start, end, period, region, compare, filters, attribution).to_json()
    return answer


@router.get("/rank.xlsx")
def rank_xlsx(
    request: Request,
    actor: CurrentActor,
    indicator: IndicatorId,
    of: Of = "entity",
    top: Top = 10,
    start: From = None,
    end: To = None,
    period: Period = None,
    region: Region = None,
    compare: RankCompare = "mom",
    filters: Filter = None,
    attribution: Attribution = "seller",
) -> Response:
    """The ranking as an XLSX workbook (names written as text, never as formulas; the download is audited)."""
    result = _rank(actor, indicator, of, top, start, end, period, region, compare, filters, attribution)
    table = rank_table(result)
    return download(
        to_xlsx([table]),
        f"{result.indicator.zh}排行.xlsx",
        actor=actor,
        what=f"stats.rank:{indicator}:{of}",
        rows=len(table.rows),
        client=client_of(request),
    )


@router.get("/targets")
def targets(actor: CurrentActor) -> list[dict[str, Any]]:
    """The targets the caller may see, each with progress, forecast at its due date and a plain statement."""
    from livecommerce.stats.goals import open_statuses

    return [status.to_json() for status in open_statuses(actor)]
