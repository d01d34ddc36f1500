"""A hand-checkable province for the indicator tests, and the engines that answer on it (DuckDB and Spark).

The data (every figure below can be added up by hand; 道里区 230102 and 南岗区 230103 are in 哈尔滨 230100,
龙沙区 230202 in 齐齐哈尔 230200):

orders (file 1, loaded twice: the second load changes nothing)
  O1 douyin  S1 230102 crops  local physical live   2025-01-10 10:00 +08   100.00
  O2 douyin  S1 230102 crops  local physical live   2025-01-31T16:30:00Z   50.00  → 2025-02-01 00:30 in Shanghai
  O3 kuaishou K1 230202 liquor local physical shelf 2025-01-15 12:00       200.00, ships from 230102
  O4 douyin  S1 230102 crops  local physical shelf  2024-01-20 09:00       60.00   (last year)
  O5 jd      J1 230103 apparel nonlocal physical shelf export 2025-01-20   40.00, streamer none
  O6 douyin  S2 230103 services nonlocal non-physical short_video 2025-01-22 30.00
orders (file 2, later): O3 again with refund_amount 80.00 → net 120.00
shop_daily
  douyin S1 230102 2025-01-10 gmv 999.00 (S1 has order detail that day: order detail wins, ignored)
  taobao T9 230103 2025-01-12 gmv 300.00 refunds 20.00 live_gmv 100.00 orders 5 (no detail: counted)
live_sessions
  douyin L1 streamer A1 230102 2025-01-10 20:00–22:30 (2.5 h); douyin L2 streamer A1 2025-01-11 20:00–21:00 (1 h)
  kuaishou L3 streamer B1, no region (registry: 230202) 2025-01-12 19:00–19:30 (0.5 h)

January 2025, by seller: 哈尔滨 = O1 100 + O5 40 + O6 30 + T9 280 = 450.00; 齐齐哈尔 = O3 120.00; 全省 570.00.
February 2025: O2 50.00. January 2024: O4 60.00.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings


def _valid_uscc(body: str) -> str:
    """A 统一社会信用代码 with its check character (GB 32100-2015), from 17 characters."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


ENTITY_A = _valid_uscc("91230102MA1AAAAA1")  # 哈尔滨 enterprise selling as douyin S1
ENTITY_Q = _valid_uscc("93230202MA1QQQQQ2")  # 齐齐哈尔 cooperative selling as kuaishou K1


def _order(order_id: str, **fields: str) -> dict[str, str]:
    row = dict(
        platform="douyin",
        order_id=order_id,
        shop_id="S1",
        seller_uscc=ENTITY_A,
        seller_region="230102",
        product_id="P1",
        product_name="五常大米5kg",
        category="crops",
        local_product="true",
        physical="true",
        channel="live",
        paid_at="2025-01-10 10:00:00",
        paid_amount="100.00",
        refund_amount="0",
    )
    row.update(fields)
    return row


ORDERS_1 = [
    _order("O1"),
    _order("O2", paid_at="2025-01-31T16:30:00Z", paid_amount="50.00"),
    _order(
        "O3",
        platform="kuaishou",
        shop_id="K1",
        seller_uscc=ENTITY_Q,
        seller_region="230202",
        product_id="P3",
        product_name="北大仓白酒",
        category="liquor",
        channel="shelf",
        paid_at="2025-01-15 12:00:00",
        paid_amount="200.00",
        ship_from_region="230102",
    ),
    _order("O4", channel="shelf", paid_at="2024-01-20 09:00:00", paid_amount="60.00"),
    _order(
        "O5",
        platform="jd",
        shop_id="J1",
        seller_uscc="",
        seller_region="230103",
        product_id="P5",
        product_name="羽绒服",
        category="apparel",
        local_product="false",
        channel="shelf",
        cross_border="export",
        paid_at="2025-01-20 10:00:00",
        paid_amount="40.00",
    ),
    _order(
        "O6",
        shop_id="S2",
        seller_uscc="",
        seller_region="230103",
        product_id="P6",
        product_name="冰雪大世界门票",
        category="services",
        local_product="false",
        physical="false",
        channel="short_video",
        paid_at="2025-01-22 10:00:00",
        paid_amount="30.00",
        streamer_id="A1",
    ),
]
ORDERS_2 = [ORDERS_1[2] | {"refund_amount": "80.00"}]
SHOP_DAILY = [
    dict(
        platform="douyin",
        shop_id="S1",
        date="2025-01-10",
        seller_uscc=ENTITY_A,
        seller_region="230102",
        gmv="999.00",
        refunds="0",
        orders="9",
        live_gmv="0",
        category="crops",
        local_product="true",
    ),
    dict(
        platform="taobao",
        shop_id="T9",
        date="2025-01-12",
        seller_uscc="",
        seller_region="230103",
        gmv="300.00",
        refunds="20.00",
        orders="5",
        live_gmv="100.00",
        category="forest",
        local_product="true",
        physical="true",
    ),
]
SESSIONS = [
    dict(
        platform="douyin",
        session_id="L1",
        streamer_id="A1",
        shop_id="S1",
        started_at="2025-01-10 20:00:00",
        ended_at="2025-01-10 22:30:00",
        seller_region="230102",
        gmv="100.00",
        orders="1",
    ),
    dict(
        platform="douyin",
        session_id="L2",
        streamer_id="A1",
        shop_id="S1",
        started_at="2025-01-11 20:00:00",
        ended_at="2025-01-11 21:00:00",
        seller_region="230102",
    ),
    dict(platform="kuaishou", session_id="L3", streamer_id="B1", started_at="2025-01-12 19:00:00", ended_at="2025-01-12 19:30:00"),
]
ENTITIES = [
    dict(uscc=ENTITY_A, name="哈尔滨黑土优品农业有限公司", kind="enterprise", region="230102"),
    dict(uscc=ENTITY_Q, name="龙沙区北大仓酒业合作社", kind="cooperative", region="230202"),
]
STREAMERS = [
    dict(platform="douyin", streamer_id="A1", nickname="黑土地小王", region="230102"),
    dict(platform="kuaishou", streamer_id="B1", nickname="鹤城老李", region="230202"),
]


def load_hand_province(actor: Any = None) -> None:
    from livecommerce.ingest.service import ingest_records

    actor = actor or SystemActor()
    for feed, rows, name in (
        ("entities", ENTITIES, "entities"),
        ("streamers", STREAMERS, "streamers"),
        ("orders", ORDERS_1, "orders-1"),
        ("orders", ORDERS_1, "orders-1 again"),
        ("orders", ORDERS_2, "orders-2 refund"),
        ("shop_daily", SHOP_DAILY, "shop_daily"),
        ("live_sessions", SESSIONS, "sessions"),
    ):
        result = ingest_records(feed, rows, actor, source_name=name)
        assert result.rejected == 0, (feed, result.problems)


@pytest.fixture(scope="module")
def hand_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """One home with the hand-checkable province, shared by a module's tests (they only read it)."""
    from livecommerce.core import db
    from livecommerce.core.settings import get_settings
    from tests.conftest import _use_home

    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _use_home(tmp_path_factory.mktemp("hand") / "home", None, monkeypatch)
        load_hand_province()
        yield settings
        db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from livecommerce.stats.engine import spark_session

    return spark_session()


@pytest.fixture(params=["duckdb", "spark"])
def engine(request: pytest.FixtureRequest, hand_home: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same questions answered by DuckDB on the warehouse file and by Spark (local[2]) on its Parquet export."""
    from livecommerce.stats.engine import SparkEngine, export_parquet, open_duckdb

    if request.param == "duckdb":
        with open_duckdb(hand_home) as duck:
            yield duck
        return
    session = request.getfixturevalue("spark")
    directory = Path(tmp_path_factory.mktemp("parquet"))
    export_parquet(directory, hand_home)
    yield SparkEngine(session, directory)
