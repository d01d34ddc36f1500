"""The parameters of a question as the CLI, the API and the console give them (text), made into a Query or a
RankQuery with a clear error for anything wrong: the same words everywhere."""

from __future__ import annotations

from datetime import date, timedelta

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.reference.codes import CATEGORIES, CHANNELS, CROSS_BORDER, ENTITY_KINDS, PLATFORMS
from livecommerce.reference.regions import regions
from livecommerce.stats.indicators import DIMENSIONS, parse_dimensions
from livecommerce.stats.periods import Range, parse_day, parse_period
from livecommerce.stats.query import UNREGISTERED, Query
from livecommerce.stats.rank import RankQuery

FILTER_CODES = {
    "category": CATEGORIES,
    "platform": PLATFORMS,
    "channel": CHANNELS,
    "cross_border": CROSS_BORDER,
    "entity_kind": ENTITY_KINDS,
}


def today() -> date:
    from datetime import datetime

    return datetime.now(SHANGHAI).date()


def date_range(start: str | None, end: str | None, period: str | None) -> Range:
    """--from/--to (both days included), or --period (2025, 2025-Q1, 2025-02, 2025-W05, 2025-02-01); with neither,
    this year to yesterday."""
    if period:
        if start or end:
            raise ValidationFailed("give --period, or --from and --to, not both")
        return parse_period(period)[0]
    if start and end:
        return Range(parse_day(start, "--from"), parse_day(end, "--to"))
    if start or end:
        raise ValidationFailed("give both --from and --to (both days are included)")
    yesterday = today() - timedelta(days=1)
    return Range(date(yesterday.year, 1, 1), yesterday)


def region_code(text: str | None) -> str | None:
    """A region by its code, 全称 or 简称 (哈尔滨, 230100); None for the whole province."""
    if not text:
        return None
    return regions().find(text.strip()).code


def parse_filters(items: list[str] | None) -> dict[str, tuple[str, ...]]:
    """`platform=douyin,快手` `category=农作物产品` `local=local` → {dimension: codes}."""
    filters: dict[str, tuple[str, ...]] = {}
    for item in items or []:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise ValidationFailed(f"filter {item!r} is not DIMENSION=CODE[,CODE]")
        if name not in DIMENSIONS or DIMENSIONS[name].kind != "code":
            codes_dims = [d for d, v in DIMENSIONS.items() if v.kind == "code"]
            raise ValidationFailed(f"filter {name!r}: one of {', '.join(codes_dims)} (regions: use --region)")
        codes = []
        for value in values.split(","):
            value = value.strip()
            if name == "local":
                if value not in ("local", "nonlocal", "地产品", "非地产品"):
                    raise ValidationFailed(f"filter local={value!r}: local (地产品) or nonlocal (非地产品)")
                codes.append("local" if value in ("local", "地产品") else "nonlocal")
            elif name == "entity_kind" and value in (UNREGISTERED, "未登记主体"):
                codes.append(UNREGISTERED)
            else:
                codes.append(FILTER_CODES[name].parse(value))
        filters[name] = tuple(codes)
    return filters


def build_query(
    indicator: str,
    by: str | None = None,
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    region: str | None = None,
    compare: str | None = None,
    share: bool = False,
    filters: list[str] | None = None,
    attribution: str = "seller",
) -> Query:
    return Query(
        indicator=indicator,
        range=date_range(start, end, period),
        by=parse_dimensions(by),
        region=region_code(region),
        filters=parse_filters(filters),
        compare=compare or None,
        share=share,
        attribution=attribution,
    )


def build_rank(
    indicator: str,
    of: str = "entity",
    top: int = 10,
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    region: str | None = None,
    compare: str = "mom",
    filters: list[str] | None = None,
    attribution: str = "seller",
) -> RankQuery:
    return RankQuery(
        indicator=indicator,
        range=date_range(start, end, period),
        of=of,
        top=top,
        region=region_code(region),
        filters=parse_filters(filters),
        compare=compare,
        attribution=attribution,
    )
