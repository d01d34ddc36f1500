"""The registry and the calendar as DuckDB tables, with the lookup ("slot") tables the fact generator samples from.

A slot table repeats each key in proportion to its weight, so that drawing a uniform slot number picks a shop, a day
or an hour with the right probability through one equality join. Slot counts are integers computed in Python, so
the tables, and every row drawn from them, are the same for the same seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from livecommerce.demo import geography, seasons
from livecommerce.demo.assortment import Listing
from livecommerce.demo.people import LIVE_FRACTION, Streamer
from livecommerce.demo.registry import Shop
from livecommerce.demo.scales import FIRST_DAY, LAST_DAY

SHELF_SLOTS = 1 << 20
SESSION_SHOP_SLOTS = 1 << 18
DAY_SLOTS = 200_000
HOUR_SLOTS = 1_000
DEST_SLOTS = 1_000
LISTING_SLOTS = 64
SHORT_VIDEO_SHARE = {
    "douyin": 0.55,
    "kuaishou": 0.5,
    "wechat_channels": 0.5,
    "xiaohongshu": 0.6,
    "taobao": 0.08,
    "tmall": 0.05,
    "jd": 0.03,
    "pdd": 0.05,
    "other": 0.0,
}


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    """Execute one statement and fetch its whole result (DuckDB keeps a connection busy until it is consumed)."""
    return con.execute(sql).fetchall()


def register(con: duckdb.DuckDBPyConnection, name: str, columns: Mapping[str, Sequence[Any]]) -> None:
    """Create table ``name`` from Python columns (through Arrow, no per-row SQL)."""
    con.register(f"{name}_arrow", pa.table(dict(columns)))
    run(con, f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def counts(weights: Sequence[float], total: int, minimum: int = 0) -> list[int]:
    """Slots per key: proportional to weight, at least ``minimum`` for a positive weight."""
    whole = sum(weights) or 1.0
    return [max(minimum, round(w / whole * total)) if w > 0 else 0 for w in weights]


def slot_table(
    con: duckdb.DuckDBPyConnection, name: str, keys: Mapping[str, Sequence[Any]], slots: Sequence[int], groups: Sequence[str] | None = None
) -> int:
    """Table ``name`` (key columns..., slot) with each key repeated its count of times; slots are numbered from 0
    within each group (a profile, a channel). Returns the slot total of the last group."""
    starts, total, previous = [], 0, None
    for count, group in zip(slots, groups or [""] * len(slots), strict=True):
        if group != previous:
            total, previous = 0, group
        starts.append(total)
        total += count
    register(con, f"{name}_counts", {**keys, "slot_start": starts, "slot_count": list(slots)})
    key_columns = ", ".join(keys)
    run(
        con,
        f"CREATE OR REPLACE TABLE {name} AS SELECT {key_columns}, slot_start + unnest(range(slot_count)) AS slot "
        f"FROM {name}_counts WHERE slot_count > 0",
    )
    return total


def shop_tables(
    con: duckdb.DuckDBPyConnection, shops: list[Shop], pairs: list[tuple[int, int]], streamers: list[Streamer]
) -> dict[str, Any]:
    """shops_t, pairs_t, shelf_slots and session_shop_slots; returns the live share and slot totals."""
    first_pair: dict[int, int] = {}
    n_pairs: dict[int, int] = {}
    for n, (shop, _streamer) in enumerate(pairs):
        first_pair.setdefault(shop, n)
        n_pairs[shop] = n_pairs.get(shop, 0) + 1
    live = [LIVE_FRACTION[s.platform] if s.detail and n_pairs.get(s.index) else 0.0 for s in shops]
    days = (LAST_DAY - FIRST_DAY).days + 1
    # a shop that opened during the period sells at its size's daily rate only from its opening day
    detail = [s.weight * (LAST_DAY - max(s.opened_on, FIRST_DAY)).days / days if s.detail else 0.0 for s in shops]
    shelf = [w * (1 - f) for w, f in zip(detail, live, strict=True)]
    on_air = [w * f for w, f in zip(detail, live, strict=True)]
    register(
        con,
        "shops_t",
        {
            "shop_idx": [s.index for s in shops],
            "platform": [s.platform for s in shops],
            "shop_id": [s.shop_id for s in shops],
            "uscc": [s.uscc for s in shops],
            "region": [s.region for s in shops],
            "opened_on": [max(s.opened_on, FIRST_DAY) for s in shops],
            "sv_share": [SHORT_VIDEO_SHARE[s.platform] for s in shops],
            "first_pair": [first_pair.get(s.index, 0) for s in shops],
            "n_pairs": [n_pairs.get(s.index, 0) for s in shops],
            "live_weight": on_air,
        },
    )
    register(con, "pairs_t", {"pair_idx": list(range(len(pairs))), "streamer_id": [streamers[k].streamer_id for _, k in pairs]})
    index = {"shop_idx": [s.index for s in shops]}
    return {
        "p_live": sum(on_air) / (sum(detail) or 1.0),
        "shelf_slots": slot_table(con, "shelf_slots", index, counts(shelf, SHELF_SLOTS, 1)),
        "session_shop_slots": slot_table(con, "session_shop_slots", index, counts([w**0.6 for w in on_air], SESSION_SHOP_SLOTS, 1)),
    }


def listing_table(con: duckdb.DuckDBPyConnection, shops: list[Shop], listings: list[Listing]) -> None:
    """listings_t: what an order row copies from the listing it buys; listing_slots: which listing of its shop an
    order buys (LISTING_SLOTS per shop, numbered from 0 within the shop)."""
    slots: list[int] = []
    for shop in shops:
        slots += _exact(counts([listings[k].popularity for k in shop.listings], LISTING_SLOTS, 1), LISTING_SLOTS)
    slot_table(
        con,
        "listing_slots",
        {"shop_idx": [item.shop_index for item in listings], "listing_idx": [item.index for item in listings]},
        slots,
        [str(item.shop_index) for item in listings],
    )
    fields = (
        "product_id",
        "title",
        "category",
        "local",
        "physical",
        "price_fen",
        "grams",
        "profile",
        "cross_border",
        "ship_from",
        "refund_permille",
    )
    columns: dict[str, list[Any]] = {"listing_idx": [item.index for item in listings]}
    columns.update({name: [getattr(item, name) for item in listings] for name in fields})
    register(con, "listings_t", columns)


def calendar_tables(con: duckdb.DuckDBPyConnection) -> None:
    """day_slots (profile, slot → day), day_start (first slot of each day), hour_slots and days_t."""
    profiles, days, slots = [], [], []
    for profile in seasons.PROFILES:
        weights = seasons.day_weights(profile)
        profiles += [profile] * len(weights)
        days += [day for day, _w in weights]
        slots += counts([w for _d, w in weights], DAY_SLOTS, 1)
    slot_table(con, "day_slots", {"profile": profiles, "day": days}, slots, profiles)
    run(con, "CREATE OR REPLACE TABLE day_start AS SELECT profile, day, min(slot) AS first_slot FROM day_slots GROUP BY ALL")
    run(con, "CREATE OR REPLACE TABLE profiles_t AS SELECT profile, count(*) AS n_slots FROM day_slots GROUP BY ALL")
    channels: list[str] = []
    hours: list[int] = []
    hour_counts: list[int] = []
    for channel, by_hour in seasons.HOURS.items():
        channels += [channel] * 24
        hours += list(range(24))
        hour_counts += _exact(counts(by_hour, HOUR_SLOTS), HOUR_SLOTS)
    slot_table(con, "hour_slots", {"channel": channels, "hour": hours}, hour_counts, channels)
    _days_table(con, profiles, days)


def _exact(slots: list[int], total: int) -> list[int]:
    """Make rounded slot counts add up exactly (the largest absorbs the difference)."""
    largest = slots.index(max(slots))
    slots[largest] += total - sum(slots)
    return slots


def _days_table(con: duckdb.DuckDBPyConnection, profiles: list[str], days: list[date]) -> None:
    """days_t: each day's weight relative to the profile's mean, for the platforms' daily shop figures."""
    weights: dict[str, list[float]] = {p: [w for _d, w in seasons.day_weights(p)] for p in seasons.PROFILES}
    relative = [w / (sum(ws) / len(ws)) for ws in weights.values() for w in ws]
    festival = [seasons.festival_factor(day) for day in days]
    register(con, "days_t", {"profile": profiles, "day": days, "relative": relative, "festival": festival})


def destination_table(con: duckdb.DuckDBPyConnection) -> None:
    """dest_slots: three parcels in ten stay in the province, the rest go to the big markets elsewhere."""
    inside = geography.counties()
    codes = [c.code for c in inside] + list(geography.OUTSIDE_DESTINATIONS)
    weights = [0.3 * c.weight / sum(c.weight for c in inside) for c in inside]
    weights += [0.7 / len(geography.OUTSIDE_DESTINATIONS)] * len(geography.OUTSIDE_DESTINATIONS)
    slot_table(con, "dest_slots", {"code": codes}, _exact(counts(weights, DEST_SLOTS, 1), DEST_SLOTS))


def aggregate_shop_table(con: duckdb.DuckDBPyConnection, shops: list[Shop], orders: int) -> None:
    """agg_t: the shops known only from shop_daily, with their expected orders per day and average basket."""
    from livecommerce.demo import catalogue
    from livecommerce.demo.assortment import REFUND_PERMILLE

    total = sum(s.weight for s in shops) or 1.0
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    agg = [s for s in shops if not s.detail]
    first = [catalogue.by_category(s.category)[0] for s in agg]
    per_day = [orders * s.weight / total / n_days for s in agg]
    register(
        con,
        "agg_t",
        {
            "shop_idx": [s.index for s in agg],
            "platform": [s.platform for s in agg],
            "shop_id": [s.shop_id for s in agg],
            "uscc": [s.uscc for s in agg],
            "region": [s.region for s in agg],
            "opened_on": [max(s.opened_on, FIRST_DAY) for s in agg],
            "profile": [p.profile for p in first],
            "per_day": per_day,
            "activity": [min(0.95, 0.5 + d / 10) for d in per_day],
            "live_fraction": [LIVE_FRACTION[s.platform] for s in agg],
            "price_fen": [
                sum(sum(p.price_fen) // 2 for p in catalogue.by_category(s.category)) * 115 // 100 // len(catalogue.by_category(s.category))
                for s in agg
            ],
            "refund_permille": [REFUND_PERMILLE.get(s.category, 30) for s in agg],
            "category": [s.category for s in agg],
            "local": [p.local for p in first],
            "physical": [p.physical for p in first],
        },
    )
