"""The synthetic registry (主体库): market entities across the 13 prefectures and their shops on the platforms,
with a skewed (Zipf-like) seller size so that a few sellers reach 亿元级 at province scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from livecommerce.demo import catalogue, geography, naming
from livecommerce.demo.scales import FIRST_DAY, LAST_DAY, Scale
from livecommerce.reference.regions import regions

KIND_SHARES = (  # share of entities by kind (主体类型)
    ("enterprise", 0.50),
    ("individual_business", 0.25),
    ("cooperative", 0.13),
    ("streamer_team", 0.045),
    ("mcn", 0.03),
    ("base_operator", 0.02),
    ("government", 0.0125),
    ("association", 0.0125),
)
CATEGORY_WEIGHTS = {
    "crops": 10,
    "forest": 8,
    "livestock": 7,
    "aquatic": 3,
    "specialty_food": 7,
    "liquor": 3,
    "crafts": 1.5,
    "herbal": 3,
    "fruit_veg": 5,
    "food_general": 8,
    "imported_food": 3,
    "apparel": 9,
    "household": 6,
    "beauty": 4,
    "electronics": 4,
    "services": 1.5,
    "other": 2,
}
COOP_CATEGORIES = ("crops", "forest", "livestock", "aquatic", "specialty_food", "herbal", "fruit_veg")
FOUNDED_YEARS = {
    "enterprise": (2003, 2025),
    "individual_business": (2012, 2026),
    "cooperative": (2008, 2023),
    "mcn": (2017, 2025),
    "streamer_team": (2019, 2026),
    "base_operator": (2016, 2024),
    "government": (1985, 2000),
    "association": (2005, 2020),
}
SHOP_PLATFORMS = {  # where each kind opens shops, relative weights
    "enterprise": {"douyin": 30, "kuaishou": 12, "taobao": 12, "tmall": 8, "jd": 8, "pdd": 12, "wechat_channels": 10, "xiaohongshu": 5},
    "individual_business": {"douyin": 35, "kuaishou": 20, "taobao": 15, "pdd": 15, "wechat_channels": 12, "xiaohongshu": 3},
    "cooperative": {"douyin": 35, "kuaishou": 20, "pdd": 15, "taobao": 10, "wechat_channels": 20},
    "streamer_team": {"douyin": 50, "kuaishou": 30, "wechat_channels": 15, "xiaohongshu": 5},
    "mcn": {"douyin": 60, "kuaishou": 40},
    "base_operator": {"douyin": 60, "kuaishou": 20, "wechat_channels": 20},
    "person": {"douyin": 40, "kuaishou": 25, "taobao": 10, "pdd": 10, "wechat_channels": 12, "xiaohongshu": 3},
}
SELLS_PROBABILITY = {
    "enterprise": 1.0,
    "individual_business": 1.0,
    "cooperative": 1.0,
    "streamer_team": 0.6,
    "mcn": 0.3,
    "base_operator": 0.5,
}
RANK_FACTOR = {
    "enterprise": 1.0,
    "streamer_team": 1.3,
    "mcn": 1.5,
    "base_operator": 2.0,
    "cooperative": 2.5,
    "individual_business": 3.0,
    "person": 4.0,
}
RANK_OFFSET = {
    "enterprise": 0.0,
    "cooperative": 0.001,
    "streamer_team": 0.001,
    "mcn": 0.002,
    "base_operator": 0.002,
    "individual_business": 0.005,
    "person": 0.02,
}  # keeps persons' shops out of the very top
# Seller size by rank: the six largest sellers take these shares of all orders (亿元级 at province scale), the
# rest share the remainder as 1 / (r + ZIPF_OFFSET) ** ZIPF_EXPONENT (a few dozen 千万元级, a long tail).
BIG_CITIES = {"230100", "230200", "230600", "231000"}  # 哈尔滨, 齐齐哈尔, 大庆, 牡丹江
HEAD_SHARES = (0.09, 0.075, 0.065, 0.06, 0.055, 0.052)
ZIPF_OFFSET = 6.0
ZIPF_EXPONENT = 1.3
AGGREGATE_ONLY_SHARE = 0.08  # shops whose platform reports only T+1 shop figures (shop_daily), no order detail


@dataclass
class Entity:
    """A market entity (市场主体) as the registry feed carries it, plus what the generator needs to know."""

    uscc: str
    name: str
    kind: str
    region: str
    founded_on: date
    category: str
    zihao: str
    above_quota: bool = False
    local_producer: bool = False


@dataclass
class Shop:
    """A shop (网店) on a platform; ``uscc`` is None for a person's shop, ``detail`` False for shop_daily-only shops."""

    index: int
    platform: str
    shop_id: str
    name: str
    uscc: str | None
    region: str
    opened_on: date
    category: str
    zihao: str
    weight: float = 0.0
    detail: bool = True
    export: bool = False
    listings: list[int] = field(default_factory=list)


def _date_between(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    end = min(date(last_year, 12, 31), LAST_DAY)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def kind_counts(total: int) -> dict[str, int]:
    """How many entities of each kind; government bodies are capped by the number of regions they can sit in."""
    counts = {kind: round(total * share) for kind, share in KIND_SHARES}
    for kind in ("government", "association"):  # one body per region at most
        counts[kind] = min(counts[kind], len(regions()) // 2)
    counts["enterprise"] += total - sum(counts.values())
    return counts


def pick_category(rng: random.Random, kind: str, region: str) -> str:
    """The main trade of an entity: speciality counties lean to their specialities, ports to Russian imports."""
    home = catalogue.home_categories(region)
    names = COOP_CATEGORIES if kind == "cooperative" else tuple(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] + (60 / len(home) if c in home else 0) for c in names]
    if region in catalogue.PORTS and kind != "cooperative":
        weights[names.index("imported_food")] += 40
    return rng.choices(names, weights=weights)[0]


def _new_entity(rng: random.Random, fake: Faker, kind: str, used: set[str], city: str | None = None) -> Entity:
    county = geography.pick_county_in(rng, city) if city else geography.pick_county(rng)
    for _ in range(10):  # cooperatives farm: not in a city's downtown
        if kind != "cooperative" or geography.rural(county.code):
            break
        county = geography.pick_county(rng)
    region = county.code
    category = pick_category(rng, kind, region)
    founded = _date_between(rng, *FOUNDED_YEARS[kind])
    uscc = naming.make_uscc(rng, kind, region, founded)
    for _ in range(20):
        zihao = naming.trade_name(rng, fake)
        name = naming.entity_name(rng, fake, kind, region, category, zihao)
        if name not in used:
            break
    used.add(name)
    local = catalogue.by_category(category)[0].local
    producer = local and rng.random() < {"cooperative": 0.95, "enterprise": 0.6}.get(kind, 0.3)
    return Entity(uscc, name, kind, region, founded, category, zihao, local_producer=producer)


def _public_bodies(rng: random.Random, counts: dict[str, int]) -> list[Entity]:
    """商务厅/商务局 and e-commerce associations, one per region they serve."""
    table = regions()
    codes = [r.code for r in table if r.level != "county"] + sorted(c.code for c in geography.counties())
    result = []
    for kind, suffixes in (("government", ("商务局",)), ("association", ("电子商务协会", "直播电商协会", "网商协会"))):
        for n, code in enumerate(codes[: counts[kind]]):
            name = geography.official_name(code)
            suffix = "商务厅" if code == "230000" and kind == "government" else suffixes[n % len(suffixes)]
            founded = _date_between(rng, *FOUNDED_YEARS[kind])
            uscc = naming.make_uscc(rng, kind, code, founded)
            result.append(Entity(uscc, name + suffix, kind, code, founded, "other", ""))
    return result


def build_entities(rng: random.Random, fake: Faker, scale: Scale) -> list[Entity]:
    """Every market entity of the synthetic province, with unique USCCs and names."""
    counts = kind_counts(scale.entities)
    used: set[str] = set()
    entities = _public_bodies(rng, counts)
    cities = list(geography.PREFECTURE_WEIGHTS)  # one enterprise in each prefecture first: all 13 are present
    for kind, _share in KIND_SHARES:
        if kind in ("government", "association"):
            continue
        for n in range(counts[kind]):
            city = cities[n] if kind == "enterprise" and n < len(cities) else None
            entities.append(_new_entity(rng, fake, kind, used, city))
    seen: set[str] = set()
    for entity in entities:
        while entity.uscc in seen:
            entity.uscc = naming.make_uscc(rng, entity.kind, entity.region, entity.founded_on)
        seen.add(entity.uscc)
    return entities


def _trade_factor(entity: Entity) -> float:
    """Speciality clusters (五常 rice, 东宁 fungus...) and the big cities hold the large sellers; the province's
    online sales lean to its own goods, so non-local trades rank lower."""
    if entity.category in catalogue.home_categories(entity.region):
        return 0.8
    place = 1.0 if regions().get(entity.region).city_code in BIG_CITIES else 1.4
    return place * (1.0 if entity.category in catalogue.LOCAL_CATEGORIES else 2.0)


def _heads_first(sellers: list[tuple[float, Entity | None]]) -> list[tuple[float, Entity | None]]:
    """The largest sellers (亿元级) are enterprises selling the province's own goods from a big city or a
    speciality cluster: the first such sellers move to the head of the ranking, the others keep their order."""

    def eligible(entity: Entity | None) -> bool:
        return (
            entity is not None
            and entity.kind == "enterprise"
            and entity.category in catalogue.LOCAL_CATEGORIES
            and (regions().get(entity.region).city_code in BIG_CITIES or entity.category in catalogue.home_categories(entity.region))
        )

    heads = [pair for pair in sellers if eligible(pair[1])][: len(HEAD_SHARES)]
    return heads + [pair for pair in sellers if pair not in heads]


def seller_shares(count: int) -> list[float]:
    """Each seller's share of all orders by rank (0 = largest); the shares add up to 1."""
    head = list(HEAD_SHARES[:count])
    tail = [1.0 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(max(0, count - len(HEAD_SHARES)))]
    if not tail:
        return [share / sum(head) for share in head]
    rest, total = 1.0 - sum(HEAD_SHARES), sum(tail)
    return head + [rest * w / total for w in tail]


def _platforms(rng: random.Random, kind: str, count: int) -> list[str]:
    table = SHOP_PLATFORMS[kind]
    names, weights = list(table), list(table.values())
    chosen: list[str] = []
    while len(chosen) < min(count, len(names)):
        platform = rng.choices(names, weights=weights)[0]
        if platform not in chosen:
            chosen.append(platform)
    return chosen


def _shop_count(rng: random.Random, kind: str, big: bool) -> int:
    count = 1
    if kind == "enterprise":
        count += (rng.random() < 0.5) + (rng.random() < 0.25) + (rng.random() < 0.1)
    elif kind == "individual_business":
        count += rng.random() < 0.2
    return count + (rng.randint(1, 3) if big else 0)


def _opened(rng: random.Random, founded: date) -> date:
    """Most shops were open before the demo period; the rest opened during it (never in its last two months)."""
    first = max(founded, date(2012, 1, 1))
    last = FIRST_DAY - timedelta(days=1) if first < FIRST_DAY and rng.random() < 0.75 else LAST_DAY - timedelta(days=60)
    return first + timedelta(days=rng.randrange(max(1, (last - first).days)))


def build_shops(rng: random.Random, fake: Faker, entities: list[Entity], scale: Scale) -> list[Shop]:
    """Shops of selling entities and of persons, weighted by seller rank, with a share kept for shop_daily only."""
    sellers: list[tuple[float, Entity | None]] = []
    for entity in entities:
        if entity.kind in SELLS_PROBABILITY and rng.random() < SELLS_PROBABILITY[entity.kind]:
            key = rng.random() * RANK_FACTOR[entity.kind] * _trade_factor(entity) + RANK_OFFSET[entity.kind]
            sellers.append((key, entity))
    persons = round(scale.entities * 0.2)
    sellers.extend((rng.random() * RANK_FACTOR["person"] + RANK_OFFSET["person"], None) for _ in range(persons))
    sellers.sort(key=lambda pair: pair[0])
    sellers = _heads_first(sellers)
    shares = seller_shares(len(sellers))
    shops: list[Shop] = []
    big = max(2, len(sellers) // 200)  # the largest sellers are on more platforms
    for rank, (_key, seller) in enumerate(sellers):
        if seller is None:
            shops.append(_person_shop(rng, fake, len(shops), shares[rank]))
        else:
            shops.extend(_entity_shops(rng, fake, seller, shares[rank], rank < big, len(shops)))
    _mark_aggregate_only(rng, shops)
    return shops


def _entity_shops(rng: random.Random, fake: Faker, entity: Entity, share: float, big: bool, start: int) -> list[Shop]:
    platforms = _platforms(rng, entity.kind, _shop_count(rng, entity.kind, big))
    parts = [0.55] + [0.45 / (len(platforms) - 1)] * (len(platforms) - 1) if len(platforms) > 1 else [1.0]
    shops = []
    for n, (platform, part) in enumerate(zip(platforms, parts, strict=True)):
        name = naming.shop_name(rng, fake, platform, entity.zihao, entity.region, entity.category)
        shop_id = naming.platform_id(platform, start + n, rng)
        opened = _opened(rng, entity.founded_on)
        shops.append(
            Shop(start + n, platform, shop_id, name, entity.uscc, entity.region, opened, entity.category, entity.zihao, share * part)
        )
    if entity.region in catalogue.PORTS + ("231086",) and rng.random() < 0.35:
        index = start + len(shops)
        name = naming.shop_name(rng, fake, "other", entity.zihao, entity.region, entity.category)
        shops.append(
            Shop(
                index,
                "other",
                naming.platform_id("other", index, rng),
                name,
                entity.uscc,
                entity.region,
                _opened(rng, entity.founded_on),
                entity.category,
                entity.zihao,
                share * 0.2,
                export=True,
            )
        )
    return shops


def _person_shop(rng: random.Random, fake: Faker, index: int, weight: float) -> Shop:
    county = geography.pick_county(rng).code
    category = pick_category(rng, "individual_business", county)
    platform = _platforms(rng, "person", 1)[0]
    name = naming.personal_shop_name(rng, fake, county, category)
    opened = _opened(rng, date(2016, 1, 1))
    return Shop(index, platform, naming.platform_id(platform, index, rng), name, None, county, opened, category, "", weight)


def _mark_aggregate_only(rng: random.Random, shops: list[Shop]) -> None:
    """A separate set of shops reports only daily figures, so no sale is counted twice."""
    candidates = [shop for shop in shops if shop.uscc and not shop.export]
    for shop in rng.sample(candidates, max(3, round(len(shops) * AGGREGATE_ONLY_SHARE))):
        shop.detail = False


def mark_above_quota(rng: random.Random, entities: list[Entity], shops: list[Shop]) -> None:
    """限额以上在统: the biggest enterprises by sales, plus a few the statistics office follows anyway."""
    size: dict[str, float] = {}
    for shop in shops:
        if shop.uscc:
            size[shop.uscc] = size.get(shop.uscc, 0.0) + shop.weight
    enterprises = sorted((e for e in entities if e.kind == "enterprise"), key=lambda e: -size.get(e.uscc, 0.0))
    top = max(1, len(enterprises) // 10)
    for n, entity in enumerate(enterprises):
        entity.above_quota = n < top or rng.random() < 0.02
