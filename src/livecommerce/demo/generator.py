"""Generating a synthetic province (生成演示数据): the registry in Python from random.Random(seed), the facts in
DuckDB from hashes of (row, seed), written to ``<home>/demo/<scale>-seed<seed>/`` chunk by chunk.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from faker import Faker

from livecommerce.core.errors import LiveCommerceError
from livecommerce.demo import assortment, facts, people, registry, tables
from livecommerce.demo.files import MANIFEST, Manifest, copy_chinese_csv, copy_parquet, label, write_registry_csv, yes_no
from livecommerce.demo.scales import AS_OF, Scale
from livecommerce.reference.codes import ENTITY_KINDS, PLATFORMS
from livecommerce.warehouse.feeds import FEEDS

Progress = Callable[[str, int, int], None]
ORDERS_PER_SESSION = 20
CSV_PLATFORM = "kuaishou"  # at small scale this platform's orders come as a clerk's CSV instead of Parquet


@dataclass
class Province:
    """The registry of a synthetic province, before it is written."""

    entities: list[registry.Entity]
    shops: list[registry.Shop]
    listings: list[assortment.Listing]
    streamers: list[people.Streamer]
    pairs: list[tuple[int, int]]
    bases: list[people.Base]


def build_province(scale: Scale, seed: int) -> Province:
    """Entities, shops, listings, streamers and bases: the same for the same scale and seed."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    entities = registry.build_entities(rng, fake, scale)
    shops = registry.build_shops(rng, fake, entities, scale)
    registry.mark_above_quota(rng, entities, shops)
    listings = assortment.build_listings(rng, shops)
    streamers = people.agency_streamers(rng, fake, entities)
    pairs = people.assign_streamers(rng, fake, shops, streamers)
    return Province(entities, shops, listings, streamers, pairs, people.build_bases(rng, fake, entities))


def default_directory(home: Path, scale: Scale, seed: int) -> Path:
    """Where a demo of this scale and seed is written inside the data home."""
    return home / "demo" / f"{scale.name}-seed{seed}"


def write_registry(province: Province, directory: Path, manifest: Manifest) -> None:
    """entities.csv, shops.csv, streamers.csv and bases.csv as a clerk would send them."""
    feeds = {
        "entities": (
            ("uscc", "name", "kind", "region", "above_quota", "local_producer", "founded_on"),
            (
                (
                    e.uscc,
                    e.name,
                    label(e.kind, ENTITY_KINDS),
                    e.region,
                    yes_no(e.above_quota),
                    yes_no(e.local_producer),
                    e.founded_on.isoformat(),
                )
                for e in province.entities
            ),
        ),
        "shops": (
            ("platform", "shop_id", "shop_name", "uscc", "region", "opened_on"),
            ((label(s.platform, PLATFORMS), s.shop_id, s.name, s.uscc, s.region, s.opened_on.isoformat()) for s in province.shops),
        ),
        "streamers": (
            ("platform", "streamer_id", "nickname", "uscc", "region", "real_name", "phone", "followers"),
            (
                (label(s.platform, PLATFORMS), s.streamer_id, s.nickname, s.uscc, s.region, s.real_name, s.phone, s.followers)
                for s in province.streamers
            ),
        ),
        "bases": (
            ("base_id", "name", "operator_uscc", "region", "level", "address"),
            ((b.base_id, b.name, b.operator_uscc, b.region, b.level, b.address) for b in province.bases),
        ),
    }
    for feed, (columns, rows) in feeds.items():
        manifest.add(feed, f"{feed}.csv", write_registry_csv(directory / f"{feed}.csv", feed, columns, rows))


def _connect(work: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(work / "generate.duckdb"))
    con.execute(f"SET temp_directory = '{work / 'spill'}'").fetchall()
    con.execute("SET preserve_insertion_order = true").fetchall()
    return con


def _prepare(con: duckdb.DuckDBPyConnection, province: Province, scale: Scale, seed: int) -> dict[str, float]:
    facts.create_random(con, seed)
    shape = tables.shop_tables(con, province.shops, province.pairs, province.streamers)
    tables.listing_table(con, province.shops, province.listings)
    tables.calendar_tables(con)
    tables.destination_table(con)
    tables.aggregate_shop_table(con, province.shops, scale.orders)
    sessions = max(50, round(scale.orders * shape["p_live"] / ORDERS_PER_SESSION))
    shape["session_slots"] = facts.build_sessions(con, sessions, int(shape["session_shop_slots"]))
    return shape


def _write_orders(
    con: duckdb.DuckDBPyConnection, scale: Scale, shape: dict[str, float], directory: Path, manifest: Manifest, progress: Progress
) -> None:
    columns = [column.name for column in FEEDS["orders"].columns]
    for n in range(scale.chunks):
        first, last = n * scale.chunk_rows, min(scale.orders, (n + 1) * scale.chunk_rows)
        facts.build_order_chunk(con, first, last, shape["p_live"], int(shape["shelf_slots"]), int(shape["session_slots"]))
        name = f"orders-{n + 1:04d}.parquet"
        if scale.orders_csv:
            manifest.add("orders", name, copy_parquet(con, facts.orders_select(f"platform <> '{CSV_PLATFORM}'"), directory / name))
            csv_name = f"orders-{CSV_PLATFORM}-{n + 1:04d}.csv"
            rows = copy_chinese_csv(con, facts.orders_select(f"platform = '{CSV_PLATFORM}'"), "orders", columns, directory / csv_name)
            manifest.add("orders", csv_name, rows)
        else:
            manifest.add("orders", name, copy_parquet(con, facts.orders_select(), directory / name))
        parcels = f"parcels-{n + 1:04d}.parquet"
        manifest.add("parcels", parcels, copy_parquet(con, facts.parcels_select(), directory / parcels))
        progress("orders", last, scale.orders)


def _clear(directory: Path) -> None:
    """An empty directory to write into: an earlier demo there is replaced, any other content is refused."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MANIFEST).exists():
            raise LiveCommerceError(f"{directory} is not empty and holds no demo ({MANIFEST}): choose another --out")
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)


def generate(scale: Scale, seed: int, directory: Path, progress: Progress | None = None) -> Manifest:
    """Write every feed file of a synthetic province into ``directory`` (replacing an earlier one) and its manifest."""
    report = progress or (lambda step, done, total: None)
    _clear(directory)
    manifest = Manifest(scale.name, seed, AS_OF.isoformat())
    report("registry", 0, 1)
    province = build_province(scale, seed)
    write_registry(province, directory, manifest)
    report("registry", 1, 1)
    with tempfile.TemporaryDirectory(prefix=".generate-", dir=directory) as work:
        con = _connect(Path(work))
        try:
            shape = _prepare(con, province, scale, seed)
            _write_orders(con, scale, shape, directory, manifest, report)
            manifest.add(
                "live_sessions", "live_sessions.parquet", copy_parquet(con, facts.sessions_select(), directory / "live_sessions.parquet")
            )
            columns = [column.name for column in FEEDS["shop_daily"].columns]
            rows = copy_chinese_csv(con, facts.shop_daily_select(), "shop_daily", columns, directory / "shop_daily.csv")
            manifest.add("shop_daily", "shop_daily.csv", rows)
            report("daily", 1, 1)
        finally:
            con.close()
    manifest.write(directory)
    return manifest
