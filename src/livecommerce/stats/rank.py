"""Rankings (排行): the top N entities, shops, streamers, products, counties or cities by any indicator, with each
one's rank in the period before (环比) or a year before (同比) and the change of rank.

Ranks are competition ranks (1, 2, 2, 4): equal values share a rank; ties are listed by code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.settings import Settings
from livecommerce.stats import periods
from livecommerce.stats.engine import Engine
from livecommerce.stats.figures import FigureRequest, figures
from livecommerce.stats.indicators import Indicator, get_indicator
from livecommerce.stats.periods import Range
from livecommerce.stats.query import ACTION, Query, change, dim_name, scope_label, text
from livecommerce.stats.registry import Snapshot
from livecommerce.warehouse.measures import MEASURES, SALES

SUBJECTS = {
    "entity": ("经营主体", ("seller_key",)),
    "shop": ("店铺", ("platform", "shop_id")),
    "streamer": ("主播", ("platform", "streamer_id")),
    "product": ("商品", ("platform", "product_id")),
    "county": ("县(市、区)", ()),
    "city": ("市(地)", ()),
}


@dataclass(frozen=True)
class RankQuery:
    indicator: str
    range: Range
    of: str = "entity"
    top: int = 10
    region: str | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    compare: str = "mom"  # the previous period (mom) or a year before (yoy)
    attribution: str = "seller"

    def __post_init__(self) -> None:
        if self.of not in SUBJECTS:
            raise ValidationFailed(f"--of {self.of!r}: one of {', '.join(SUBJECTS)}")
        indicator = get_indicator(self.indicator)
        if self.of not in ("county", "city") and indicator.source != SALES:
            raise ValidationFailed(f"{indicator.id} ({indicator.zh}) is not a sales figure: rank counties or cities by it")
        if not 1 <= self.top <= 1000:
            raise ValidationFailed(f"--top {self.top}: between 1 and 1000")
        if self.compare not in ("mom", "yoy"):
            raise ValidationFailed(f"--compare {self.compare!r}: yoy or mom")

    def as_query(self) -> Query:
        by = (self.of,) if self.of in ("county", "city") else ()
        return Query(self.indicator, self.range, by=by, region=self.region, filters=self.filters, attribution=self.attribution)


@dataclass
class Ranked:
    rank: int
    key: str
    name: str
    value: Decimal | None
    previous: Decimal | None
    previous_rank: int | None
    platform: str = ""
    detail: dict[str, str] = field(default_factory=dict)

    @property
    def rank_change(self) -> int | None:
        """How many places up (positive) or down since the period before; None when new to the list."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class RankResult:
    query: RankQuery
    indicator: Indicator
    rows: list[Ranked]
    scope: str
    plan: str
    previous_range: Range
    elapsed_ms: float

    def to_json(self) -> dict[str, Any]:
        q = self.query
        return {
            "indicator": q.indicator,
            "indicator_name": self.indicator.zh,
            "unit": self.indicator.unit,
            "of": q.of,
            "from": q.range.start.isoformat(),
            "to": q.range.end.isoformat(),
            "compare": q.compare,
            "previous_from": self.previous_range.start.isoformat(),
            "previous_to": self.previous_range.end.isoformat(),
            "scope": self.scope,
            "rows": [
                {
                    "rank": r.rank,
                    "key": r.key,
                    "name": r.name,
                    "platform": r.platform,
                    "value": text(r.value),
                    "previous": text(r.previous),
                    "previous_rank": r.previous_rank,
                    "rank_change": r.rank_change,
                    "change": text(change(r.value, r.previous)),
                }
                for r in self.rows
            ],
        }


def _fast(indicator: Indicator) -> bool:
    """Whether the engine can rank: the value is one summed measure, or the ratio of two (numerator first); the exact
    values of the subjects ranked are then computed here. Distinct counts are ranked here, from all values."""
    sums = all(MEASURES[m].kind in ("sum", "count") for m in indicator.measures)
    return sums and (len(indicator.measures) == 1 or (len(indicator.measures) == 2 and not indicator.additive))


def _values(engine: Engine, q: RankQuery, grant: Any, snap: Snapshot, period: Range) -> tuple[dict[tuple[str, ...], Decimal | None], str]:
    """Every subject's value over a period (the slow path: ratios, counties, cities)."""
    indicator = get_indicator(q.indicator)
    query = q.as_query()
    groups, used = figures(engine, FigureRequest(query, query.by, period, SUBJECTS[q.of][1]), grant, snap)
    return {k: indicator.compute(v) for k, v in groups.items()}, used


def _ranks(values: dict[tuple[str, ...], Decimal | None]) -> list[tuple[int, tuple[str, ...], Decimal]]:
    ordered = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda item: (-item[0], item[1]))
    ranked: list[tuple[int, tuple[str, ...], Decimal]] = []
    for position, (value, key) in enumerate(ordered, start=1):
        rank = ranked[-1][0] if ranked and ranked[-1][2] == value else position
        ranked.append((rank, key, value))
    return ranked


def run_rank(engine: Engine, q: RankQuery, actor: Actor, snap: Snapshot) -> RankResult:
    started = time.perf_counter()
    grant = ensure(actor, ACTION)
    indicator = get_indicator(q.indicator)
    before = periods.year_before(q.range) if q.compare == "yoy" else periods.period_before(q.range)
    query = q.as_query()
    keys = SUBJECTS[q.of][1]
    if _fast(indicator) and keys:
        # the engine ranks: only the top N (and their previous ranks) travel back
        labels: dict[tuple[str, ...], str] = {}
        label = "product_name" if q.of == "product" else None
        now, used = figures(engine, FigureRequest(query, (), q.range, keys, top=q.top, label=label), grant, snap, labels)
        # ties at the last place may bring more than N: keep N, ties ordered by key as everywhere
        top = sorted(((int(v["_rank"]), k, indicator.compute(v)) for k, v in now.items()), key=lambda i: (i[0], i[1]))[: q.top]
        keep = {i: sorted({k[i] for _, k, _ in top}) for i in range(len(keys))}
        old = figures(engine, FigureRequest(query, (), before, keys, keep=keep), grant, snap)[0] if top else {}
        old_values = {k: indicator.compute(v) for k, v in old.items()}
        old_rank = {k: int(v["_rank"]) for k, v in old.items()}
        ranked = [(rank, key, value) for rank, key, value in top if value is not None]
        titles = labels
    else:
        titles = {}
        now_values, used = _values(engine, q, grant, snap, q.range)
        old_values, _ = _values(engine, q, grant, snap, before)
        old_rank = {key: rank for rank, key, _ in _ranks(old_values)}
        ranked = _ranks(now_values)[: q.top]
    if q.of == "product" and not _fast(indicator):
        titles = _titles(engine, q, grant, snap, [key for _, key, _ in ranked])
    rows = []
    for rank, key, value in ranked[: q.top]:
        rows.append(
            Ranked(
                rank=rank,
                key=":".join(key),
                name=_name(q.of, key, titles, snap),
                value=value,
                previous=old_values.get(key),
                previous_rank=old_rank.get(key),
                platform=key[0] if q.of in ("shop", "streamer", "product") else "",
            )
        )
    elapsed = (time.perf_counter() - started) * 1000
    return RankResult(q, indicator, rows, scope_label(grant), used, before, elapsed)


def _titles(engine: Engine, q: RankQuery, grant: Any, snap: Snapshot, products: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """A product's name: of its titles in the period, the one under which it sold most."""
    if not products:
        return {}
    indicator = get_indicator(q.indicator)
    asked = FigureRequest(
        q.as_query(), (), q.range, ("platform", "product_id", "product_name"), where_in={"product_id": sorted({p[1] for p in products})}
    )
    named, _ = figures(engine, asked, grant, snap)
    best: dict[tuple[str, ...], tuple[Decimal, str]] = {}
    for (platform, product, title), values in named.items():
        weight = values.get(indicator.measures[0], Decimal(0))
        if (platform, product) not in best or weight > best[(platform, product)][0]:
            best[(platform, product)] = (weight, title)
    return {key: title for key, (_, title) in best.items()}


def _name(of: str, key: tuple[str, ...], titles: dict[tuple[str, ...], str], snap: Snapshot) -> str:
    if of in ("county", "city"):
        return dim_name(of, key[0])
    if of == "entity":
        seller = key[0]
        if seller in snap.entity_name:
            return snap.entity_name[seller]
        platform, _, shop = seller.partition(":")
        return snap.shop_name.get((platform, shop), seller)
    if of == "shop":
        return snap.shop_name.get((key[0], key[1]), key[1])
    if of == "streamer":
        return snap.streamer_name.get((key[0], key[1]), key[1])
    return titles.get(key, key[1])


def open_and_rank(q: RankQuery, actor: Actor, settings: Settings | None = None) -> RankResult:
    from livecommerce.core.db import ensure_home
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.registry import snapshot

    settings = ensure_home(settings)
    snap = snapshot(settings)
    with open_duckdb(settings) as engine:
        return run_rank(engine, q, actor, snap)
