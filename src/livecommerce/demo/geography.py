"""Where the synthetic province's market entities sit (主体分布): prefectures weighted by population and trade,
counties by their role (urban districts, speciality counties, ports), and where parcels go.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from livecommerce.demo import catalogue
from livecommerce.reference.regions import regions

# Resident population of the 2020 census (万人), times a trade factor for the capital and the border ports:
# 哈尔滨 the largest, 大兴安岭 the smallest.
PREFECTURE_WEIGHTS = {
    "230100": 1001.0 * 1.5,
    "230200": 406.8,
    "230300": 150.2,
    "230400": 89.1,
    "230500": 120.9,
    "230600": 278.2 * 1.1,
    "230700": 87.9,
    "230800": 215.6,
    "230900": 68.9,
    "231000": 229.0 * 1.15,
    "231100": 128.6 * 1.15,
    "231200": 375.6,
    "232700": 33.1,
}
# The busiest commercial districts of 哈尔滨 and the seat of 大兴安岭 (a statistical-only code).
BUSY_DISTRICTS = {"230102": 3.0, "230103": 3.0, "230104": 1.8, "230110": 2.2, "230109": 2.2, "232761": 2.0}

# Parcels leave the province for the big consumer markets: district codes of other provinces (GB/T 2260).
OUTSIDE_DESTINATIONS = (
    "110105",
    "110108",
    "120104",
    "130102",
    "140105",
    "150102",
    "210102",
    "210202",
    "220102",
    "220104",
    "310104",
    "310115",
    "320102",
    "320506",
    "330106",
    "330212",
    "340104",
    "350203",
    "360111",
    "370102",
    "370212",
    "410105",
    "420106",
    "430104",
    "440106",
    "440305",
    "450103",
    "460106",
    "500105",
    "510107",
    "520102",
    "530102",
    "610113",
    "620102",
    "630104",
    "640104",
    "650102",
)
RURAL_DISTRICTS = {"230111", "230112", "230113", "230208", "230811", "231202", "232701"}
HARBIN_WAREHOUSE = "230108"  # 平房区: the logistics parks where sellers keep stock


@dataclass(frozen=True)
class County:
    """A county-level division with the weight it gets when entities are placed."""

    code: str
    city: str
    weight: float


def _county_weight(code: str, statistical_only: bool, speciality_count: int) -> float:
    weight = BUSY_DISTRICTS.get(code, 0.4 if statistical_only else 1.0)
    if code in catalogue.PORTS:
        weight += 1.5
    return weight + min(speciality_count * 0.5, 1.0)


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    """Every county of the province with its placement weight (prefecture weight spread over its counties)."""
    table = regions()
    result: list[County] = []
    for city in table.cities():
        children = table.children(city.code)
        raw = [_county_weight(c.code, c.statistical_only, sum(c.code in p.home for p in catalogue.ALL)) for c in children]
        total = sum(raw)
        for child, weight in zip(children, raw, strict=True):
            result.append(County(child.code, city.code, PREFECTURE_WEIGHTS[city.code] * weight / total))
    return tuple(result)


@lru_cache(maxsize=1)
def _cumulative() -> list[float]:
    total, result = 0.0, []
    for county in counties():
        total += county.weight
        result.append(total)
    return result


def pick_county(rng: random.Random) -> County:
    """A county drawn by placement weight."""
    cumulative = _cumulative()
    return rng.choices(counties(), cum_weights=cumulative)[0]


def pick_county_in(rng: random.Random, city: str) -> County:
    """A county of one prefecture drawn by placement weight."""
    inside = [c for c in counties() if c.city == city]
    return rng.choices(inside, weights=[c.weight for c in inside])[0]


def city_short(code: str) -> str:
    """哈尔滨 for any code in 哈尔滨市."""
    region = regions().get(code)
    city = regions().get(region.city_code or code)
    return city.short_name


def county_prefix(code: str) -> str:
    """The name a business of this county puts first: 五常市 for a county-level city, 哈尔滨 for a city district."""
    region = regions().get(code)
    if region.level == "county" and not region.name.endswith("区"):
        return region.name
    return city_short(code)


def official_name(code: str) -> str:
    """The name a register uses: 五常市 for a county-level city, 哈尔滨市道里区 for a district."""
    region = regions().get(code)
    return regions().full_name(code) if region.name.endswith("区") else region.name


def rural(code: str) -> bool:
    """Farming country: a county, a county-level city or one of the rural districts (not a city's downtown)."""
    return not regions().get(code).name.endswith("区") or code in RURAL_DISTRICTS


def inside_destinations() -> tuple[str, ...]:
    """Counties of the province parcels are delivered to (orders from neighbours)."""
    return tuple(c.code for c in counties())
