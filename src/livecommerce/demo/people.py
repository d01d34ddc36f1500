"""Streamers (主播) of MCN agencies, streamer teams and sellers' own live rooms, which shops they stream for,
and the live-commerce bases (直播基地) of the synthetic province.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from livecommerce.demo.naming import nickname, scramble
from livecommerce.demo.registry import Entity, Shop
from livecommerce.reference.regions import regions

# Share of a shop's orders sold in live sessions, by platform (the rest is short video and shelf).
LIVE_FRACTION = {
    "douyin": 0.55,
    "kuaishou": 0.65,
    "wechat_channels": 0.5,
    "xiaohongshu": 0.3,
    "taobao": 0.2,
    "tmall": 0.15,
    "jd": 0.08,
    "pdd": 0.05,
    "other": 0.0,
}
AGENCY_PLATFORMS = {"douyin": 45, "kuaishou": 25, "wechat_channels": 12, "taobao": 8, "xiaohongshu": 5, "jd": 3, "pdd": 2}
STREAMER_ID_PREFIX = {
    "douyin": "dy",
    "kuaishou": "ks",
    "wechat_channels": "sph",
    "xiaohongshu": "xhs",
    "taobao": "tb",
    "tmall": "tm",
    "jd": "jd",
    "pdd": "pdd",
}
SPECIAL_BASES = (  # real clusters the province names in its plans
    ("231102", "黑河中俄跨境直播电商基地", "省级"),
    ("231081", "绥芬河中俄跨境电商直播基地", "省级"),
    ("230184", "五常大米直播电商基地", "省级"),
    ("230109", "哈尔滨新区直播电商产业园", "国家级"),
    ("231086", "东宁黑木耳直播基地", "市级"),
    ("230717", "伊春森林食品直播基地", "市级"),
)
BASE_THEMES = ("直播电商基地", "电子商务产业园", "网红直播基地", "农产品直播基地", "数字经济产业园", "县域电商服务中心")


@dataclass
class Streamer:
    """A streamer account on one platform; ``uscc`` is the agency, team or seller it belongs to."""

    index: int
    platform: str
    streamer_id: str
    nickname: str
    uscc: str | None
    region: str
    category: str
    real_name: str | None = None
    phone: str | None = None
    followers: int = 0


@dataclass
class Base:
    """A live-commerce base or park (直播基地/园区) and the entity that runs it."""

    base_id: str
    name: str
    operator_uscc: str | None
    region: str
    level: str
    address: str


def _streamer(
    rng: random.Random, fake: Faker, index: int, platform: str, owner: Entity | Shop, reach: tuple[float, float], uscc: str | None
) -> Streamer:
    digits = scramble(index, 7) + str(rng.randint(10, 99))
    streamer = Streamer(
        index,
        platform,
        STREAMER_ID_PREFIX[platform] + digits,
        nickname(rng, fake, owner.region, owner.category),
        uscc,
        owner.region,
        owner.category,
        followers=int(10 ** rng.uniform(*reach)),
    )
    if rng.random() < 0.15:  # a few agencies report who is behind the account: personal data
        streamer.real_name, streamer.phone = fake.name(), fake.phone_number()
    return streamer


def agency_streamers(rng: random.Random, fake: Faker, entities: list[Entity]) -> list[Streamer]:
    """Streamers signed to MCN agencies and streamer teams."""
    streamers: list[Streamer] = []
    for entity in entities:
        if entity.kind not in ("mcn", "streamer_team"):
            continue
        count = rng.randint(4, 14) if entity.kind == "mcn" else rng.randint(1, 3)
        for _ in range(count):
            platform = rng.choices(list(AGENCY_PLATFORMS), weights=list(AGENCY_PLATFORMS.values()))[0]
            streamers.append(_streamer(rng, fake, len(streamers), platform, entity, (3.0, 6.8), entity.uscc))
    return streamers


def assign_streamers(rng: random.Random, fake: Faker, shops: list[Shop], streamers: list[Streamer]) -> list[tuple[int, int]]:
    """(shop index, streamer index) pairs: each live shop streams with its own account and/or hired streamers."""
    by_platform: dict[str, list[Streamer]] = {}
    for streamer in streamers:
        by_platform.setdefault(streamer.platform, []).append(streamer)
    pairs: list[tuple[int, int]] = []
    for shop in shops:
        if not shop.detail or LIVE_FRACTION[shop.platform] == 0:
            continue
        own = rng.random() < 0.6
        hired = 0 if own and rng.random() < 0.7 else rng.randint(1, 2)
        hired += rng.randint(2, 4) if shop.weight > 0.01 else 0  # the biggest shops book several streamers
        pool = by_platform.get(shop.platform, [])
        if own or not pool:
            streamer = _streamer(rng, fake, len(streamers), shop.platform, shop, (2.0, 5.0), shop.uscc)
            streamers.append(streamer)
            pairs.append((shop.index, streamer.index))
        for streamer in rng.sample(pool, min(hired, len(pool))):
            pairs.append((shop.index, streamer.index))
    return pairs


def build_bases(rng: random.Random, fake: Faker, entities: list[Entity]) -> list[Base]:
    """The province's named bases first, then parks in the busier counties, each run by an operator entity."""
    operators = [e for e in entities if e.kind == "base_operator"] or [e for e in entities if e.kind == "government"]
    count = max(len(SPECIAL_BASES), round(len(entities) ** 0.5 / 1.5))
    table = regions()
    bases: list[Base] = []
    for n in range(count):
        if n < len(SPECIAL_BASES):
            region, name, level = SPECIAL_BASES[n]
        else:
            operator = operators[n % len(operators)]
            region, level = operator.region, rng.choice(("市级", "市级", "县级", "省级"))
            name = f"{table.full_name(region)}{operator.zihao}{rng.choice(BASE_THEMES)}"
        city = table.get(region).city_code
        local = [e for e in operators if e.region == region]
        local += [e for e in operators if table.get(e.region).city_code == city]
        operator_uscc = (local[0] if local else operators[n % len(operators)]).uscc if rng.random() < 0.9 else None
        address = f"{table.full_name(region)}{fake.street_name()}{rng.randint(1, 999)}号"
        bases.append(Base(f"JD-{region}-{n + 1:03d}", name, operator_uscc, region, level, address))
    return bases
