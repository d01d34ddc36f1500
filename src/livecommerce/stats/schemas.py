"""Pydantic schemas of the statistics API's answers, one per purpose (docs/stats.md).

They describe the JSON the routes have always answered, field for field and in the same order: exact figures are
decimal strings (yuan with two decimals, ratios with six), never floats; a figure with nothing to compare with is
null; dates are ISO strings (YYYY-MM-DD). Output models carry no bounds: they document, they do not refuse.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Figure = str | None
"""An exact decimal as a string ("450.00", "6.500000"), or null where there is none."""


class Answer(BaseModel):
    """An answer of the API: read from the service's JSON by its keys ("from" and "to" included)."""

    model_config = ConfigDict(populate_by_name=True)


class IndicatorOut(Answer):
    """One indicator of the catalogue (统计口径, docs/indicators.md) with the dimensions it can be cut by."""

    id: str = Field(description="The indicator's id, e.g. online_retail.")
    name: str = Field(description="Its Chinese name, e.g. 网络零售额.")
    unit: str = Field(description="元, 单, 个, 比率 …")
    source: str = Field(description="The facts it is computed from: sales, parcels or sessions.")
    definition: str = Field(description="How it is computed, e.g. Σ(paid_amount − refund_amount).")
    dimensions: list[str] = Field(description="The dimensions it can be cut by (GET /api/stats/query?by=…).")


class QueryAnswer(Answer):
    """One indicator over a date range, cut by dimensions (GET /api/stats/query)."""

    indicator: str
    indicator_name: str = Field(description="The indicator's Chinese name.")
    unit: str
    from_: str = Field(alias="from", description="First day, YYYY-MM-DD (included).")
    to: str = Field(description="Last day, YYYY-MM-DD (included).")
    by: list[str] = Field(description="The dimensions of the rows, in order.")
    region: str | None = Field(description="Only this region and below (its code); null for the caller's whole scope.")
    attribution: str = Field(description="seller (seller_region) or ship_from (ship_from_region).")
    compare: str | None = Field(description="yoy or mom, or null.")
    scope: str = Field(description="Whose data it is: 全省, 哈尔滨市, 主体 …")
    rows: list[dict[str, Figure]] = Field(
        description="One row per group: for each dimension DIM of `by` its code (DIM) and Chinese name (DIM_name); "
        '"value" (an exact decimal string, null where the indicator has none); with compare, "previous" and "yoy" or '
        '"mom" (the change, six decimals; null with nothing to compare with); with share=true, "share" of the parent.'
    )


class RankRow(Answer):
    """One ranked entity, shop, streamer, product, county or city."""

    rank: int = Field(description="Competition rank (ties share a rank), from 1.")
    key: str = Field(description="The subject's key: USCC, platform:shop_id, platform:streamer_id, platform:product_id, region code.")
    name: str
    platform: str = Field(description="The platform of a shop, streamer or product; empty otherwise.")
    value: Figure
    previous: Figure = Field(description="The value in the period compared with.")
    previous_rank: int | None
    rank_change: int | None = Field(description="previous_rank − rank: positive when the subject climbed.")
    change: Figure = Field(description="value / previous − 1, six decimals.")


class RankAnswer(Answer):
    """The top N subjects of an indicator with the change of rank (GET /api/stats/rank)."""

    indicator: str
    indicator_name: str
    unit: str
    of: str = Field(description="entity, shop, streamer, product, county or city.")
    from_: str = Field(alias="from", description="First day, YYYY-MM-DD (included).")
    to: str = Field(description="Last day, YYYY-MM-DD (included).")
    compare: str = Field(description="mom or yoy: the period the ranks are compared with.")
    previous_from: str
    previous_to: str
    scope: str
    rows: list[RankRow]


class TargetOut(Answer):
    """A target (目标, docs/targets.md) with its progress; the progress fields are absent when the platform holds no
    figure for it or the figure lies outside the caller's scope (``reason`` says which)."""

    code: str
    title: str
    indicator: str
    region: str
    region_name: str
    target: str = Field(description="The figure to reach, an exact decimal string in `unit`.")
    unit: str
    comparison: str = Field(description="over (超过: the figure itself does not meet it) or at_least (以上: reaching it is enough).")
    period_start: str
    due_date: str
    document: str
    clause: str
    quote: str = Field(description="The sentence of the document the target is read from.")
    reason: str = Field(description="Why there is no progress; empty when there is.")
    as_of: str | None = Field(None, description="The last day of the figures (the end of the last complete month).")
    actual: Figure = None
    achieved: Figure = None
    share: Figure = Field(None, description="achieved / target, four decimals.")
    forecast: Figure = None
    low: Figure = None
    high: Figure = None
    method: str | None = None
    on_track: bool | None = None
    gap: Figure = None
    statement: str | None = Field(None, description="The progress in one Chinese sentence.")
