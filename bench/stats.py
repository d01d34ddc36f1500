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


def dashboard(settings: Any, today: date, repeat: int) -> None:
    from livecommerce.stats import dashboard as board
    from livecommerce.stats.rank import RankQuery, run_rank

    actor = SystemActor(name="bench")
    period = board.last_complete_month(today)
    questions = board.dashboard_queries(period, None, actor).all()
    snap = snapshot(settings)
    print(f"\n1. 总览 dashboard for {period.label}: {len(questions)} queries, each {repeat}× on the page's one connection")
    print(f"{'query':<58} {'plan':<26} {'p50 ms':>8} {'p95 ms':>8}")
    every: list[float] = []
    with open_duckdb(settings) as engine:
        for question in questions:
            if isinstance(question, RankQuery):
                work = lambda q=question: run_rank(engine, q, actor, snap)  # noqa: E731
                label = f"rank {question.indicator} of {question.of} top {question.top}"
            else:
                work = lambda q=question: run(engine, q, actor, snap)  # noqa: E731
                label = f"{question.indicator} by {','.join(question.by) or '-'} {question.compare or ''}"
            times, result = _timed(work, repeat)
            every += times
            print(f"{label[:57]:<58} {result.plan:<26} {statistics.median(times):>8.1f} {_p(times, 0.95):>8.1f}")
    print(f"{'every dashboard query':<85} {statistics.median(every):>8.1f} {_p(every, 0.95):>8.1f}")
    print(f"target p95 < 300 ms: {'met' if _p(every, 0.95) < 300 else 'NOT met'}")
    whole, _ = _timed(lambda: board.build_dashboard(period, None, actor, settings=settings), max(3, repeat // 4))
    print(
        f"the whole page's figures (connection, registry snapshot, {len(questions)} queries): "
        f"median {statistics.median(whole):.0f} ms, worst {max(whole):.0f} ms"
    )


def full_year(settings: Any, year: int, repeat: int) -> None:
    import pandas as pd

    period = Range(date(year, 1, 1), date(year, 12, 31))
    query = Query("online_retail", period, by=("county", "category"))
    actor = SystemActor(name="bench")
    snap = snapshot(settings)
    print(f"\n2. 网络零售额 {year} by county × category from order detail ({repeat}× each, best and median)")
    with open_duckdb(settings) as engine:
        count = engine.backend.con.execute(
            f"SELECT count(*) FROM orders WHERE paid_at >= '{year}-01-01' AND paid_at < '{year + 1}-01-01'"
        ).fetchall()[0][0]
        print(f"orders paid in {year}: {count:,}")
        params = {"start": date(year, 1, 1), "end": date(year, 12, 31), "end_next": date(year + 1, 1, 1)}
        con = engine.backend.con
        ours_t, hand_t = [], []
        for _ in range(repeat):  # alternated, so that a busy moment of the machine falls on both
            times, ours = _timed(lambda: run(engine, query, actor, snap, use_rollups=False), 1)
            ours_t += times
            times, hand = _timed(lambda: con.execute(HAND_SQL, params).fetchall(), 1)
            hand_t += times
        rollup_t, from_rollup = _timed(lambda: run(engine, query, actor, snap), repeat)
    with connect(settings) as con:
        started = time.perf_counter()
        frame = con.execute(
            "SELECT seller_region AS region, category, paid_amount - refund_amount AS net FROM orders "
            "WHERE paid_at >= $start AND paid_at < $end_next UNION ALL "
            "SELECT seller_region, category, gmv - refunds FROM shop_daily_uncovered WHERE date BETWEEN $start AND $end",
            params,
        ).df()
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
    print(
        f"{'pandas groupby (frame in memory)':<40} best {min(pandas_t):>9.1f} ms  median {statistics.median(pandas_t):>9.1f} ms"
        f"  (+ {load_s * 1000:,.0f} ms to load {len(frame):,} rows into pandas)"
    )
    print(
        f"{'ours from the rollups (the planner)':<40} best {min(rollup_t):>9.1f} ms  median {statistics.median(rollup_t):>9.1f} ms"
        f"  plan {from_rollup.plan}"
    )
    ratio = med / statistics.median(hand_t)
    print(f"overhead ours / hand SQL (median): {ratio:.2f}  (target ≤ 1.2: {'met' if ratio <= 1.2 else 'NOT met'})")
    print(
        f"ours / pandas groupby (median): {med / statistics.median(pandas_t):.2f}; "
        f"ours / (pandas load + groupby): {med / (load_s * 1000 + statistics.median(pandas_t)):.2f}"
    )
    del pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--today", default="2026-11-23", help="the dashboard shows the month before (demo: 2026-10)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = ensure_home()
    with connect(settings) as con:
        orders = con.execute("SELECT count(*) FROM orders").fetchall()[0][0]
    print(f"warehouse {settings.warehouse_file}: {orders:,} orders")
    if orders < 50_000_000:
        print("note: fewer than 50 million orders — build the province: livecommerce demo --scale province")
    dashboard(settings, date.fromisoformat(args.today), args.repeat)
    full_year(settings, args.year, max(5, args.repeat // 2))


if __name__ == "__main__":
    main()
