"""JSON routes of statistics, with the parameters of the CLI (`livecommerce stats query|rank`), and their XLSX
exports. Every answer is narrowed to the caller's scope in the service (query.run / rank.run_rank)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.web.params import MAX_LIMIT, SHORT_TEXT
from livecommerce.core.web.writer import XLSX_TYPE, download
from livecommerce.stats import params, service
from livecommerce.stats.indicators import DIMENSIONS, INDICATORS
from livecommerce.stats.question import Query as Question
from livecommerce.stats.rank import RankQuery
from livecommerce.stats.schemas import IndicatorOut, QueryAnswer, RankAnswer, TargetOut
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


def question(
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
) -> Question:
    """The question of the query string, with the words of `livecommerce stats query` (params.build_query)."""
    return params.build_query(indicator, by, start, end, period, region, compare, share, filters, attribution)


def ranking(
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
) -> RankQuery:
    """The ranking of the query string, with the words of `livecommerce stats rank` (params.build_rank)."""
    return params.build_rank(indicator, of, top, start, end, period, region, compare, filters, attribution)


XLSX: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX_TYPE: {}}, "description": "An XLSX workbook (the download is audited)."}}
AskedQuestion = Annotated[Question, Depends(question)]
AskedRanking = Annotated[RankQuery, Depends(ranking)]


@router.get("/indicators", response_model=list[IndicatorOut])
def indicators(actor: CurrentActor) -> list[IndicatorOut]:
    """The indicator catalogue (统计口径, docs/indicators.md) with the dimensions each can be cut by."""
    return [
        IndicatorOut(
            id=i.id,
            name=i.zh,
            unit=i.unit,
            source=i.source,
            definition=i.definition,
            dimensions=[d for d, dim in DIMENSIONS.items() if i.source in dim.sources],
        )
        for i in INDICATORS.values()
    ]


@router.get("/query", response_model=QueryAnswer)
def query(actor: CurrentActor, asked: AskedQuestion) -> QueryAnswer:
    """One indicator over a date range, cut by dimensions: `{"indicator", "from", "to", "by", "rows": [...]}` with
    values as exact decimal strings (yuan); `previous` and `yoy`/`mom` with compare; `share` with share=true."""
    return QueryAnswer.model_validate(service.query(asked, actor).to_json())


@router.get("/query.xlsx", response_class=Response, responses=XLSX)
def query_xlsx(request: Request, actor: CurrentActor, asked: AskedQuestion) -> Response:
    """The same answer as an XLSX workbook: Chinese headers, amounts in 万元 (the download is audited)."""
    result = service.query(asked, actor)
    table = query_table(result)
    return download(
        to_xlsx([table]),
        f"{result.indicator.zh}.xlsx",
        actor=actor,
        what=f"stats.query:{asked.indicator}",
        rows=len(table.rows),
        client=client_of(request),
    )


@router.get("/rank", response_model=RankAnswer)
def rank(actor: CurrentActor, asked: AskedRanking) -> RankAnswer:
    """The top N entities, shops, streamers, products, counties or cities, with the change of rank."""
    return RankAnswer.model_validate(service.rank(asked, actor).to_json())


@router.get("/rank.xlsx", response_class=Response, responses=XLSX)
def rank_xlsx(request: Request, actor: CurrentActor, asked: AskedRanking) -> Response:
    """The ranking as an XLSX workbook (names written as text, never as formulas; the download is audited)."""
    result = service.rank(asked, actor)
    table = rank_table(result)
    return download(
        to_xlsx([table]),
        f"{result.indicator.zh}排行.xlsx",
        actor=actor,
        what=f"stats.rank:{asked.indicator}:{asked.of}",
        rows=len(table.rows),
        client=client_of(request),
    )


@router.get("/targets", response_model=list[TargetOut], response_model_exclude_unset=True)
def targets(actor: CurrentActor) -> list[TargetOut]:
    """The targets the caller may see, each with progress, forecast at its due date and a plain statement (the
    progress fields are left out of a target the platform holds no figure for, with the reason)."""
    from livecommerce.stats.goals import open_statuses

    return [TargetOut.model_validate(status.to_json()) for status in open_statuses(actor)]
