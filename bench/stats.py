"""Benchmark of statistics (issue 3, "Speed") on the province-scale demo (≥ 50 million orders):

1. the dashboard's queries (stats/dashboard.py: exactly what the 总览 page asks), each run --repeat times the way the
   console runs it (a DuckDB connection opened per request): p50 / p95 per query and over all; target p95 < 300 ms;
2. 网络零售额 over a full year of order detail cut by county and category (use_rollups=False): ours (Ibis, the whole
   query path) against the same figure by hand-written DuckDB SQL (target ratio ≤ 1.2) and by pandas (ratio reported;
   pandas's load from the warehouse reported apart); target under 5 s. The three answers are checked equal to the fen.

    LIVECOMMERCE_HOME=/path/to/province-home python -m bench.stats [--year 2025] [--repeat 20]

Build the home once with `LIVECOMMERCE_HOME=/path livecommerce demo --scale province` (docs/operations.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from livecommerce.core.db import ensure_home
from livecommerce.core.scope import SystemActor
from livecommerce.stats.engine import open_duckdb
from livecommerce.stats.periods import Range
from livecommerce.stats.query import Query, run
from livecommerce.stats.registry import snapshot
from livecommerce.warehouse.engine import connect

HAND_SQL = """
SELECT region, category, sum(net) AS value FROM (
    SELECT seller_region AS region, category, paid_amount - refund_amount AS net
    FROM orders WHERE paid_at >= $start AND paid_at < $end_next
    UNION ALL
    SELECT seller_region, category, gmv - refunds FROM shop_daily_uncovered WHERE date BETWEEN $start AND $end
) GROUP BY region, category
"""


def _timed(work: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = work()
        times.append((time.perf_counter() - started) * 1000)
    return times, answer


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def dashboard(settings: Any, year: int, repeat: int) -> None:
    from livecommerce.stats import dashboard as board

    actor = SystemActor(name="bench")
    questions = board.dashboard_queries(board.default_period(date(year, 12, 31)), None, actor)
    print(f"\n1. 总览 dashboard: {len(questions)} queries, each {repeat}×, a connection per query (as the console)")
    print(f"{'query':<64} {'plan':<26} {'p50 ms':>8} {'p95 ms':>8}")
    every: list[float] = []
    for question in questions:
        times, result = _timed(lambda q=question: board.answer(q, actor, settings), repeat)
        every += times
        label = board.describe(question)[:62]
        print(f"{label:<64} {getattr(result, 'plan', ''):<26} {statistics.median(times):>8.1f} {_p(times, 0.95):>8.1f}")
    print(f"{'all dashboard queries':<91} {statistics.median(every):>8.1f} {_p(every, 0.95):>8.1f}")
    print(f"target p95 < 300 ms: {'met' if _p(every, 0.95) < 300 else 'NOT met'}")


def full_year(settings: Any, year: int, repeat: int) -> None:
    import pandas as pd

    period = Range(date(year, 1, 1), date(year, 12, 31))
    query = Query("online_retail", period, by=("county", "category"))
    actor = SystemActor(name="bench")
    snap = snapshot(settings)
    print(f"\n2. 网络零售额 {year} by county × category from order detail ({repeat}× each, best and median)")
    with open_duckdb(settings) as engine:
        count = engine.backend.con.execute(
            f"SELECT count(*) FROM orders WHERE paid_at >= '{year}-01-01' AND paid_at < '{year + 1}-01-01'").fetchone()[0]
        print(f"orders paid in {year}: {count:,}")
        ours_t, ours = _timed(lambda: run(engine, query, actor, snap, use_rollups=False), repeat)
        rollup_t, from_rollup = _timed(lambda: run(engine, query, actor, snap), repeat)
    params = {"start": date(year, 1, 1), "end": date(year, 12, 31), "end_next": date(year + 1, 1, 1)}
    with connect(settings) as con:
        hand_t, hand = _timed(lambda: con.execute(HAND_SQL, params).fetchall(), repeat)
        started = time.perf_counter()
        frame = con.execute(
            "SELECT seller_region AS region, category, paid_amount - refund_amount AS net FROM orders "
            "WHERE paid_at >= $start AND paid_at < $end_next UNION ALL "
            "SELECT seller_region, category, gmv - refunds FROM shop_daily_uncovered WHERE date BETWEEN $start AND $end",
            params).df()
        load_s = time.perf_counter() - started
    pandas_t, grouped = _timed(lambda: frame.groupby(["region", "category"], sort=False)["net"].sum(), repeat)
    ours_map = {(r.keys["county"], r.keys["category"]): r.value for r in ours.rows}
    hand_map = {(r, c): Decimal(v) for r, c, v in hand}
    assert ours_map == hand_map, "ours and the hand-written SQL disagree"
    assert {(r.keys["county"], r.keys["category"]): r.value for r in from_rollup.rows} == ours_map
    pandas_total = sum(Decimal(str(v)) for v in grouped.values) if grouped.dtype == object else Decimal(str(grouped.sum()))
    print(f"groups: {len(ours_map):,}; total {sum(ours_map.values()):,} 元 (pandas: {pandas_total:,})")
    best, med = min(ours_t), statistics.median(ours_t)
    print(f"{'ours (Ibis → DuckDB, detail)':<40} best {best:>9.1f} ms  median {med:>9.1f} ms  (target < 5000 ms)")
    print(f"{'hand-written DuckDB SQL':<40} best {min(hand_t):>9.1f} ms  median {statistics.median(hand_t):>9.1f} ms")
    print(f"{'pandas groupby (frame in memory)':<40} best {min(pandas_t):>9.1f} ms  median {statistics.median(pandas_t):>9.1f} ms"
          f"  (+ {load_s * 1000:,.0f} ms to load {len(frame):,} rows into pandas)")
    print(f"{'ours from the rollups (the planner)':<40} best {min(rollup_t):>9.1f} ms  median {statistics.median(rollup_t):>9.1f} ms"
          f"  plan {from_rollup.plan}")
    ratio = med / statistics.median(hand_t)
    print(f"overhead ours / hand SQL (median): {ratio:.2f}  (target ≤ 1.2: {'met' if ratio <= 1.2 else 'NOT met'})")
    print(f"ours / pandas groupby (median): {med / statistics.median(pandas_t):.2f}; "
          f"ours / (pandas load + groupby): {med / (load_s * 1000 + statistics.median(pandas_t)):.2f}")
    del pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = ensure_home()
    with connect(settings) as con:
        orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]  # type: ignore[index]
    print(f"warehouse {settings.warehouse_file}: {orders:,} orders")
    if orders < 50_000_000:
        print("note: fewer than 50 million orders — build the province: livecommerce demo --scale province")
    dashboard(settings, args.year, args.repeat)
    full_year(settings, args.year, max(3, args.repeat // 4))


if __name__ == "__main__":
    main()
