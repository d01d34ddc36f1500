"""助企行动 places by city (服务对象名额分配, 001 附件1 四(三)): the inputs of ``sampling.allocate_places`` read from the
platform's own data — each 市(地)'s 网络零售额 of the year from the warehouse (stats) and its registered 电商企业
(enterprise, MCN, streamer team; those 限额以上在统 apart) from the registry — and the allocation itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.core.scope import Actor, ensure
from livecommerce.entities.schemas import EntityFilter
from livecommerce.entities.service import export_entities
from livecommerce.policy import sampling
from livecommerce.policy.service import READ
from livecommerce.reference.regions import regions
from livecommerce.stats import service as stats
from livecommerce.stats.periods import Range
from livecommerce.stats.question import Query

# "电商企业" as docs/policies.md reads it (Reading of the text, Who): legal-person companies that sell online.
ECOMMERCE_KINDS = ("enterprise", "mcn", "streamer_team")


def entity_counts_by_city(session: Session, actor: Actor) -> dict[str, tuple[int, int]]:
    """Registered 电商企业 per 市(地) inside the actor's scope: {city code: (all, 限额以上在统)}."""
    ensure(actor, READ)
    out: dict[str, tuple[int, int]] = {}
    table = regions()
    for entity in export_entities(session, actor, EntityFilter()):
        if entity.kind not in ECOMMERCE_KINDS:
            continue
        city = table.get(entity.region_code).city_code
        if city is None:
            continue
        all_, quota = out.get(city, (0, 0))
        out[city] = (all_ + 1, quota + int(entity.above_quota))
    return out


def city_inputs(session: Session, actor: Actor, year: int) -> list[dict[str, Any]]:
    """Every 市(地): its 网络零售额 of ``year`` (yuan, exact) and its registered 电商企业 (all and 限上)."""
    result = stats.query(Query("online_retail", Range(date(year, 1, 1), date(year, 12, 31)), by=("city",)), actor)
    retail = {row.keys["city"]: row.value for row in result.rows if row.value is not None}
    counts = entity_counts_by_city(session, actor)
    return [
        {
            "code": city.code,
            "name": city.name,
            "online_retail": f"{retail.get(city.code, 0):.2f}",
            "entities": counts.get(city.code, (0, 0))[0],
            "above_quota_entities": counts.get(city.code, (0, 0))[1],
        }
        for city in regions().cities()
    ]


def allocate(session: Session, actor: Actor, year: int, total: int = sampling.PLACES) -> dict[str, Any]:
    """`policy places --year Y`: the cities' inputs and the places each gets (largest remainder, adding up to ``total``)."""
    cities = city_inputs(session, actor, year)
    allocation = sampling.allocate_places(cities, total)
    inputs = {c["code"]: c for c in cities}
    rows = [row | {k: inputs[row["code"]][k] for k in ("online_retail", "entities", "above_quota_entities")} for row in allocation]
    return {
        "year": year,
        "total": total,
        "retail_weight": str(sampling.RETAIL_WEIGHT),
        "above_quota_share": str(sampling.ABOVE_QUOTA_SHARE),
        "cities": rows,
    }
