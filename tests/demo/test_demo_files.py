"""The demo's files: deterministic for a seed, in the feeds' shapes, and reading like a real province."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest
from stdnum.cn import uscc

from livecommerce.demo.files import Manifest
from livecommerce.demo.generator import generate
from livecommerce.demo.scales import get_scale
from livecommerce.reference.codes import CATEGORIES, ENTITY_KINDS, PLATFORMS
from livecommerce.reference.regions import regions
from livecommerce.warehouse.feeds import FEEDS


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_gives_byte_identical_files(tiny: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(get_scale("tiny"), 1, again)
    assert _digests(again) == _digests(tiny)


def test_another_seed_gives_other_files(tiny: Path, tmp_path: Path) -> None:
    other = tmp_path / "seed2"
    generate(get_scale("tiny"), 2, other)
    first, second = _digests(tiny), _digests(other)
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first if name.endswith((".parquet", ".csv")))


def test_manifest_lists_every_file_with_its_rows(small: Path) -> None:
    manifest = Manifest.read(small)
    assert list(manifest.feeds) == ["entities", "shops", "streamers", "bases", "live_sessions", "orders", "shop_daily", "parcels"]
    assert manifest.feeds["orders"].rows == 200_000
    listed = {name for entry in manifest.feeds.values() for name in entry.files} | {"manifest.json"}
    assert listed == {p.name for p in small.iterdir()}


def test_registry_csvs_carry_bom_and_chinese_headers(small: Path) -> None:
    raw = (small / "entities.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n", 1)[0].decode()
    assert header.split(",") == [c.zh for c in FEEDS["entities"].columns]
    assert _rows(small / "shops.csv")[0].keys() == {c.zh for c in FEEDS["shops"].columns}


def test_orders_parquet_has_the_canonical_columns_and_a_chinese_csv_beside_it(small: Path) -> None:
    con = duckdb.connect()
    names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{small}/orders-0001.parquet'").fetchall()]
    assert names == [c.name for c in FEEDS["orders"].columns]
    rows = _rows(next(small.glob("orders-kuaishou-*.csv")))
    assert rows and {row["平台"] for row in rows} == {"快手"}
    assert {row["渠道"] for row in rows} <= {"直播", "短视频", "货架"}
    assert {row["是否地产品"] for row in rows} == {"是", "否"}


def test_entities_sit_in_all_thirteen_prefectures(tiny: Path) -> None:
    cities = {regions().get(row["所在地区代码"]).city_code for row in _rows(tiny / "entities.csv")}
    assert {c.code for c in regions().cities()} <= cities


def test_entities_are_spread_by_prefecture_size(small: Path) -> None:
    rows = _rows(small / "entities.csv")
    by_city = {c.code: 0 for c in regions().cities()}
    for row in rows:
        city = regions().get(row["所在地区代码"]).city_code
        if city:
            by_city[city] += 1
    assert max(by_city, key=lambda code: by_city[code]) == "230100"  # 哈尔滨
    assert by_city["232700"] < by_city["230200"]  # 大兴安岭 smaller than 齐齐哈尔


def test_every_uscc_is_valid_and_carries_its_region(small: Path) -> None:
    entities = _rows(small / "entities.csv")
    for row in entities:
        assert uscc.is_valid(row["统一社会信用代码"]), row
        assert row["统一社会信用代码"][2:8] == row["所在地区代码"]
        ENTITY_KINDS.parse(row["主体类型"])
    known = {row["统一社会信用代码"] for row in entities}
    assert len(known) == len(entities)
    for feed in ("shops", "streamers", "bases"):
        for row in _rows(small / f"{feed}.csv"):
            code = row.get("统一社会信用代码") or row.get("运营主体信用代码")
            assert not code or code in known, (feed, row)


def test_orders_name_registered_sellers_or_none(small: Path, small_db: duckdb.DuckDBPyConnection) -> None:
    known = {row["统一社会信用代码"] for row in _rows(small / "entities.csv")}
    sellers = {r[0] for r in small_db.execute("SELECT DISTINCT seller_uscc FROM orders").fetchall()}
    assert None in sellers  # persons' shops: the seller is platform + shop_id
    assert sellers - {None} <= known


def test_every_category_and_platform_sells(small_db: duckdb.DuckDBPyConnection, small: Path) -> None:
    categories = {r[0] for r in small_db.execute("SELECT DISTINCT category FROM orders").fetchall()}
    assert categories == set(CATEGORIES.codes)
    platforms = {r[0] for r in small_db.execute("SELECT DISTINCT platform FROM orders").fetchall()}
    platforms |= {PLATFORMS.parse(row["平台"]) for row in _rows(small / "shops.csv")}
    assert platforms == set(PLATFORMS.codes)


def test_regions_are_codes_of_the_province(small_db: duckdb.DuckDBPyConnection) -> None:
    codes = {
        r[0]
        for r in small_db.execute(
            "SELECT seller_region FROM orders UNION SELECT ship_from_region FROM orders WHERE ship_from_region IS NOT NULL"
            " UNION SELECT origin_region FROM parcels"
        ).fetchall()
    }
    assert all(code in regions().by_code for code in codes)


def test_november_outsells_august(small_db: duckdb.DuckDBPyConnection) -> None:
    november, august = small_db.execute(
        "SELECT count(*) FILTER (month(paid_at) = 11), count(*) FILTER (month(paid_at) = 8) FROM orders"
    ).fetchone()
    assert november > 1.3 * august


def test_orders_cover_two_years_and_this_year_to_date(small_db: duckdb.DuckDBPyConnection) -> None:
    first, last = small_db.execute("SELECT min(paid_at), max(paid_at) FROM orders").fetchone()
    assert (first.year, last.date().isoformat()) == (2024, "2026-11-22")
    by_year = dict(small_db.execute("SELECT year(paid_at), count(*) FROM orders GROUP BY 1").fetchall())
    assert by_year[2025] > by_year[2024]  # the market grows: YoY is positive


def test_refunds_never_exceed_what_was_paid(small_db: duckdb.DuckDBPyConnection) -> None:
    over, refunded, full, orders = small_db.execute(
        """SELECT count(*) FILTER (refund_amount > paid_amount), count(*) FILTER (refund_amount > 0),
                  count(*) FILTER (refund_amount = paid_amount AND paid_amount > 0), count(*) FROM orders"""
    ).fetchone()
    assert over == 0
    assert 0.02 < refunded / orders < 0.1
    assert 0 < full < refunded  # partial and full refunds


def test_amounts_are_exact_decimals(small_db: duckdb.DuckDBPyConnection) -> None:
    types = dict(small_db.execute("SELECT column_name, column_type FROM (DESCRIBE orders)").fetchall())
    assert types["paid_amount"] == types["refund_amount"] == "DECIMAL(18,2)"
    assert types["seller_region"] == "VARCHAR"


@pytest.mark.parametrize(
    ("speciality", "homes"),
    [
        ("五常大米", {"230184"}),
        ("哈尔滨红肠", {"230102", "230103", "230110"}),
        ("饶河椴树蜂蜜", {"230524"}),
    ],
)
def test_specialities_are_sold_mainly_from_home(small_db: duckdb.DuckDBPyConnection, speciality: str, homes: set[str]) -> None:
    home, total = small_db.execute(
        f"SELECT count(*) FILTER (seller_region IN {tuple(homes) + ('',)}), count(*) FROM orders WHERE product_name LIKE ?",
        [f"%{speciality}%"],
    ).fetchone()
    assert total > 0 and home / total > 0.4


def test_russian_imports_ship_from_the_ports(small_db: duckdb.DuckDBPyConnection) -> None:
    rows = small_db.execute("SELECT cross_border, ship_from_region, count(*) FROM orders WHERE cross_border <> '' GROUP BY ALL").fetchall()
    assert {(kind, origin) for kind, origin, _n in rows} <= {(k, p) for k in ("import", "export") for p in ("231102", "231081")}
    assert {kind for kind, _origin, _n in rows} == {"import", "export"}


def test_live_orders_point_to_generated_sessions(small_db: duckdb.DuckDBPyConnection) -> None:
    dangling, mismatched, outside = small_db.execute(
        """SELECT count(*) FILTER (s.session_id IS NULL),
                  count(*) FILTER (s.streamer_id <> o.streamer_id OR s.shop_id <> o.shop_id),
                  count(*) FILTER (o.paid_at NOT BETWEEN s.started_at AND s.ended_at)
           FROM orders o LEFT JOIN live_sessions s ON s.platform = o.platform AND s.session_id = o.live_session_id
           WHERE o.channel = 'live'"""
    ).fetchone()
    assert (dangling, mismatched, outside) == (0, 0, 0)
    assert small_db.execute("SELECT count(*) FROM orders WHERE channel <> 'live' AND live_session_id IS NOT NULL").fetchone() == (0,)


def test_session_figures_add_up_to_their_orders(small_db: duckdb.DuckDBPyConnection) -> None:
    """The CSV platform's orders are not in the Parquet view, so its sessions are left out."""
    wrong = small_db.execute(
        """WITH o AS (SELECT platform, live_session_id, count(*) AS n, sum(paid_amount) AS gmv FROM orders
                      WHERE channel = 'live' GROUP BY ALL)
           SELECT count(*) FROM live_sessions s
           LEFT JOIN o ON o.platform = s.platform AND o.live_session_id = s.session_id
           WHERE s.platform <> 'kuaishou' AND (s.orders <> coalesce(o.n, 0) OR s.gmv <> coalesce(o.gmv, 0))
        """
    ).fetchone()
    assert wrong == (0,)


def test_most_physical_orders_have_a_parcel_from_where_they_ship(small_db: duckdb.DuckDBPyConnection) -> None:
    with_parcel, physical, same_origin = small_db.execute(
        """SELECT count(p.order_id), count(*), count(*) FILTER (p.origin_region = o.ship_from_region)
           FROM orders o LEFT JOIN parcels p ON p.platform = o.platform AND p.order_id = o.order_id
           WHERE o.physical"""
    ).fetchone()
    assert 0.8 < with_parcel / physical < 0.98
    assert same_origin == with_parcel


def test_natural_keys_are_unique(small: Path, small_db: duckdb.DuckDBPyConnection) -> None:
    assert small_db.execute("SELECT count(*) - count(DISTINCT (platform, order_id)) FROM orders").fetchone() == (0,)
    assert small_db.execute("SELECT count(*) - count(DISTINCT (platform, session_id)) FROM live_sessions").fetchone() == (0,)
    for feed, key in (("shops", ("平台", "店铺ID")), ("streamers", ("平台", "主播ID")), ("entities", ("统一社会信用代码",))):
        rows = _rows(small / f"{feed}.csv")
        assert len({tuple(row[k] for k in key) for row in rows}) == len(rows), feed


def test_parcel_weights_are_parcel_sized(small_db: duckdb.DuckDBPyConnection) -> None:
    lightest, heaviest = small_db.execute("SELECT min(weight_kg), max(weight_kg) FROM parcels").fetchone()
    assert 0.1 <= lightest and heaviest <= 100


def test_parcels_keys_are_unique_and_destinations_are_codes(small_db: duckdb.DuckDBPyConnection) -> None:
    duplicates, bad_dest = small_db.execute(
        """SELECT count(*) - count(DISTINCT (carrier, waybill_no)),
                  count(*) FILTER (dest_region IS NOT NULL AND NOT regexp_full_match(dest_region, '[0-9]{6}'))
           FROM parcels"""
    ).fetchone()
    assert (duplicates, bad_dest) == (0, 0)
