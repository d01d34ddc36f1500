"""What each shop sells (商品): listings drawn from the catalogue, specialities mostly by shops of their home
county, with titles, prices in fen, packs, where the parcel leaves from and how often buyers return it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from livecommerce.demo import catalogue, geography
from livecommerce.demo.catalogue import Product
from livecommerce.demo.naming import scramble
from livecommerce.demo.registry import Shop
from livecommerce.reference.regions import regions

LOCAL_CATEGORIES = catalogue.LOCAL_CATEGORIES
NON_LOCAL_CATEGORIES = ("food_general", "apparel", "household", "beauty", "electronics", "other")
RELATED = {"imported_food": ("specialty_food", "food_general", "liquor")}  # a 黑河 trader's shelf beside Russian goods
REFUND_PERMILLE = {"apparel": 120, "beauty": 60, "electronics": 50, "aquatic": 50, "fruit_veg": 60, "services": 40}
PRODUCT_ID = {  # (prefix, digits of the index, random digits after it)
    "douyin": ("3", 9, 9),
    "kuaishou": ("2", 9, 2),
    "taobao": ("7", 8, 3),
    "tmall": ("6", 8, 3),
    "jd": ("100", 8, 1),
    "pdd": ("4", 8, 2),
    "wechat_channels": ("10000", 8, 2),
    "other": ("OZ", 9, 0),
}


@dataclass
class Listing:
    """One product listing (商品链接) of a shop: the rows of the orders feed point to it."""

    index: int
    shop_index: int
    product_id: str
    title: str
    product: str
    category: str
    local: bool
    physical: bool
    price_fen: int
    grams: int
    profile: str
    cross_border: str
    ship_from: str | None
    refund_permille: int
    popularity: float = 1.0


def product_weight(product: Product, region: str) -> float:
    """A speciality is mostly sold by shops of its home county, less by the rest of its prefecture and resellers."""
    if not product.home:
        return 1.0
    if region in product.home:
        return 12.0
    city = regions().get(region).city_code
    return 1.5 if any(regions().get(h).city_code == city for h in product.home) else 0.15


@cache
def _pool(category: str, region: str, main: bool, export: bool) -> tuple[list[Product], list[float]]:
    """The products a shop of this trade and county draws from, with their weights."""
    if export:
        pool = [catalogue.BY_KEY[key] for key in catalogue.EXPORT_KEYS]
    elif main or category == "services":
        pool = catalogue.by_category(category)
    else:
        related = RELATED.get(category, LOCAL_CATEGORIES if category in LOCAL_CATEGORIES else NON_LOCAL_CATEGORIES)
        pool = [p for c in related if c != category for p in catalogue.by_category(c)]
    return pool, [product_weight(p, region) for p in pool]


def choose_products(rng: random.Random, shop: Shop, count: int) -> list[Product]:
    """The products behind a shop's listings: four in five of its main trade, the rest of related trades."""
    chosen = []
    for _ in range(count):
        pool, weights = _pool(shop.category, shop.region, rng.random() < 0.8, shop.export)
        chosen.append(rng.choices(pool, weights=weights)[0])
    return chosen


def best_sellers_first(shop: Shop, products: list[Product]) -> list[Product]:
    """A shop sells most of its own county's specialities, then of its cheaper goods (orders favour the first)."""
    return sorted(products, key=lambda p: (bool(p.home) and shop.region not in p.home, p.price_fen[0]))


def listing_count(rng: random.Random, shop: Shop) -> int:
    """Small shops list a handful of products, the largest a few dozen."""
    return 2 + rng.randint(0, 4) + min(24, int(shop.weight * 60))


def shelf_price(rng: random.Random, product: Product, percent: int) -> int:
    """A price in fen inside the product's range, ending the way shop prices do (.90, .00, .80, .99)."""
    low, high = product.price_fen
    fen = (low + rng.random() * (high - low)) * percent / 100
    return max(100, round(fen / 100) * 100 - rng.choice((10, 10, 0, 20, 1)))


def ship_from(rng: random.Random, product: Product, shop: Shop) -> str | None:
    """Where the parcel leaves from: mostly the seller's county; imports from a port, resold specialities often
    from their home county (产地直发), some stock from the Harbin logistics parks."""
    if not product.physical:
        return None
    if product.cross_border == "import" or shop.export:
        return shop.region if shop.region in catalogue.PORTS else rng.choice(catalogue.PORTS)
    if product.home and shop.region not in product.home and rng.random() < 0.3:
        return rng.choice(product.home)
    return geography.HARBIN_WAREHOUSE if rng.random() < 0.05 else shop.region


def product_id(rng: random.Random, platform: str, index: int) -> str:
    """A product ID shaped like the platform's, unique through the index it embeds."""
    if platform == "xiaohongshu":
        return f"{index * 40503 % (1 << 32):08x}" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
    prefix, digits, tail = PRODUCT_ID[platform]
    return prefix + scramble(index, digits) + "".join(rng.choice("0123456789") for _ in range(tail))


PORT_LABELS = {
    catalogue.HEIHE_PORT: ("【黑河口岸】", "【保税仓直发】", ""),
    catalogue.SUIFENHE_PORT: ("【绥芬河直发】", "【保税仓直发】", ""),
}


def title(rng: random.Random, product: Product, spec: str, shop: Shop, origin: str | None) -> str:
    """A listing title: brand, product, pack and a few of the words sellers add."""
    words = rng.sample(product.words, min(len(product.words), rng.randint(1, 2)))
    head = shop.zihao if shop.zihao and rng.random() < 0.5 else ""
    if product.cross_border == "import" and origin in PORT_LABELS:
        head = rng.choice(PORT_LABELS[origin])
    if shop.export:
        head = "【跨境出口】"
    return " ".join(part for part in (head, product.name, spec, *words) if part)


def popularity(shop: Shop, product: Product, position: int, cheapest: int) -> float:
    """How much a listing sells beside the shop's others: the first listed most, dear goods less, and another
    county's speciality little (buyers look for it at its source)."""
    resold = bool(product.home) and shop.region not in product.home
    return float((0.08 if resold else 1.0) * (cheapest / product.price_fen[0]) ** 0.5 / (position + 1))


def build_listings(rng: random.Random, shops: list[Shop]) -> list[Listing]:
    """Every listing of every shop; shops keep the indexes of theirs."""
    listings: list[Listing] = []
    for shop in shops:
        products = best_sellers_first(shop, choose_products(rng, shop, listing_count(rng, shop)))
        cheapest = min(p.price_fen[0] for p in products)
        for position, product in enumerate(products):
            spec = rng.choice(product.specs)
            index = len(listings)
            origin = ship_from(rng, product, shop)
            listings.append(
                Listing(
                    index,
                    shop.index,
                    product_id(rng, shop.platform, index),
                    title(rng, product, spec.label, shop, origin),
                    product.key,
                    product.category,
                    product.local,
                    product.physical,
                    shelf_price(rng, product, spec.price_pct),
                    spec.grams,
                    product.profile,
                    "export" if shop.export else product.cross_border,
                    origin,
                    REFUND_PERMILLE.get(product.category, 30),
                    popularity(shop, product, position, cheapest),
                )
            )
            shop.listings.append(index)
    return listings
