"""A rollup and the order detail always agree: every indicator, cut every way, read from the rollups the planner
picks and from the detail alone, on the tiny synthetic province after corrections that move orders between months."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.stats.engine import open_duckdb
from livecommerce.stats.indicators import INDICATORS
from livecommerce.stats.periods import Range
from livecommerce.stats.query import Query, run
from livecommerce.stats.registry import snapshot
from livecommerce.warehouse.measures import MEASURES, SESSIONS

YEAR = Range(date(2025, 1, 1), date(2025, 12, 31))
DAYS = Range(date(2025, 3, 3), date(2025, 3, 16))
CUTS = [
    (),
    ("city",),
    ("county", "category"),
    ("month", "platform"),
    ("channel",),
    ("local",),
    ("quarter", "cross_border"),
    ("entity_kind",),
]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    from livecommerce.core import db
    from livecommerce.core.settings import get_settings
    from livecommerce.demo.generator import generate
    from livecommerce.demo.loader import load
    from livecommerce.demo.scales import get_scale
    from livecommerce.ingest.service import ingest_records
    from tests.conftest import _use_home

    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _use_home(tmp_path_factory.mktemp("tiny") / "home", None, monkeypatch)
        directory = settings.home / "demo" / "tiny"
        generate(get_scale("tiny"), 1, directory)
        list(load(directory))
        # corrections: one order moves from its month to 2025-12-31, another is half refunded
        with duckdb.connect(str(settings.warehouse_file), read_only=True) as con:
            cursor = con.execute("SELECT * FROM orders WHERE paid_at BETWEEN '2025-03-01' AND '2025-03-31' ORDER BY order_id LIMIT 2")
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        for row in rows:
            row.pop("batch_id")
        rows[0]["paid_at"] = "2025-12-31 23:59:59"
        rows[1]["refund_amount"] = str((rows[1]["paid_amount"] / 2).quantize(rows[1]["paid_amount"]))
        records = [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in r.items()} for r in rows]
        result = ingest_records("orders", records, SystemActor(), source_name="corrections")
        assert result.replaced == 2, result
        yield settings
        db.dispose_engines()
    get_settings.cache_clear()


def _rows(result: Any) -> dict[tuple[str, ...], Any]:
    return {tuple(r.keys.values()): r.value for r in result.rows}


@pytest.mark.parametrize("indicator", [i for i in INDICATORS if INDICATORS[i].source != SESSIONS])
def test_rollups_and_detail_agree(demo_home: Settings, indicator: str) -> None:
    snap = snapshot(demo_home)
    with open_duckdb(demo_home) as engine:
        for by in CUTS:
            try:
                query = Query(indicator, YEAR, by=by)
            except Exception:
                continue  # a cut this indicator's source does not carry
            fast = run(engine, query, SystemActor(), snap)
            slow = run(engine, query, SystemActor(), snap, use_rollups=False)
            assert slow.plan == "detail"
            sums = all(MEASURES[m].kind == "sum" for m in INDICATORS[indicator].measures)
            if sums and "entity_kind" not in by and INDICATORS[indicator].source == "sales":
                assert fast.plan.startswith("rollup_"), (indicator, by, fast.plan)
            assert _rows(fast) == _rows(slow), (indicator, by, fast.plan)
            assert _rows(fast), (indicator, by)
        days = Query(indicator, DAYS, by=("day",))
        fast, slow = run(engine, days, SystemActor(), snap), run(engine, days, SystemActor(), snap, use_rollups=False)
        assert _rows(fast) == _rows(slow)


def test_the_corrected_order_moved_month_in_the_rollup(demo_home: Settings) -> None:
    with duckdb.connect(str(demo_home.warehouse_file), read_only=True) as con:
        detail = con.execute(
            "SELECT sum(paid_amount - refund_amount) FROM orders WHERE paid_at >= '2025-12-31' AND paid_at < '2026-01-01'"
        ).fetchone()[0]
        shops = con.execute("SELECT coalesce(sum(gmv - refunds), 0) FROM shop_daily_uncovered WHERE date = '2025-12-31'").fetchone()[0]
        daily = con.execute("SELECT sum(net) FROM rollup_sales_daily WHERE day = '2025-12-31'").fetchone()[0]
    assert daily == detail + shops


def test_rebuild_gives_the_same_rollups(demo_home: Settings) -> None:
    from livecommerce.warehouse.engine import connect
    from livecommerce.warehouse.rollups import ROLLUPS, rebuild

    with connect(demo_home) as con:
        before = {r.name: con.execute(f"SELECT * FROM {r.name} ORDER BY ALL").fetchall() for r in ROLLUPS}
        con.execute("BEGIN TRANSACTION")
        rebuild(con)
        con.execute("COMMIT")
        after = {r.name: con.execute(f"SELECT * FROM {r.name} ORDER BY ALL").fetchall() for r in ROLLUPS}
    assert before == after


def test_spark_agrees_with_duckdb_on_every_indicator_of_the_tiny_province(demo_home: Settings, tmp_path: Any) -> None:
    """The scale-out engine answers as the embedded one: every indicator by city over 2025, from the detail and from
    the rollups, on Spark local[2] over the Parquet export."""
    pytest.importorskip("pyspark")
    from livecommerce.stats.engine import SparkEngine, export_parquet, spark_session

    export_parquet(tmp_path / "parquet", demo_home)
    spark = SparkEngine(spark_session(), tmp_path / "parquet")
    snap = snapshot(demo_home)
    with open_duckdb(demo_home) as duck:
        for indicator in INDICATORS:
            query = Query(indicator, YEAR, by=("city",))
            expected = _rows(run(duck, query, SystemActor(), snap))
            assert _rows(run(spark, query, SystemActor(), snap)) == expected, indicator
            assert expected, indicator
