"""Benchmark of issue 13 point 9, "Reads keep answering during an ingest": the p95 of a statistics query on the demo
province while idle, and while `python -m livecommerce ingest orders` loads a large file in another process, in the
same run; plus the cost of publishing the read snapshot (docs/operations.md: Reads during ingest).

    python -m bench.reads_during_ingest [--rows 2000000] [--scale tiny|small] [--idle 40]

Target: p95 under 1 s during the ingest on the small demo.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.orders_file import write_orders


def _query_seconds() -> float:
    from livecommerce.core.scope import SystemActor
    from livecommerce.stats.params import build_query
    from livecommerce.stats.query import open_and_run

    started = time.perf_counter()
    open_and_run(build_query("online_retail", "city", period="2025"), SystemActor())
    return time.perf_counter() - started


def p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20)[-1] if len(seconds) >= 2 else seconds[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--scale", default="tiny")
    parser.add_argument("--idle", type=int, default=40, help="queries measured while idle")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    os.environ["LIVECOMMERCE_HOME"] = str(work / "home")
    from livecommerce.core.db import ensure_home
    from livecommerce.demo.generator import generate
    from livecommerce.demo.loader import load
    from livecommerce.demo.scales import get_scale
    from livecommerce.warehouse.engine import connect

    settings = ensure_home()
    generate(get_scale(args.scale), 1, work / "demo")
    load(work / "demo")
    idle = [_query_seconds() for _ in range(args.idle)]
    big = write_orders(work / "big.csv", args.rows)
    started = time.perf_counter()
    ingest = subprocess.Popen(
        [sys.executable, "-m", "livecommerce", "ingest", "orders", str(big), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    during: list[float] = []
    while ingest.poll() is None:
        during.append(_query_seconds())
    ingest_seconds = time.perf_counter() - started
    size = settings.warehouse_file.stat().st_size
    publish_started = time.perf_counter()
    with connect(settings) as con:  # a write of one row, then the publication of the whole file
        con.execute("UPDATE warehouse_meta SET value = value WHERE key = 'schema_version'")
    publish_seconds = time.perf_counter() - publish_started
    print(f"cores {os.cpu_count()}, demo {args.scale}, ingest of {args.rows:,} rows in {ingest_seconds:.1f} s (exit {ingest.returncode})")
    print(f"idle:   p95 {p95(idle):.3f} s over {len(idle)} queries (median {statistics.median(idle):.3f} s)")
    print(f"during: p95 {p95(during):.3f} s over {len(during)} queries (median {statistics.median(during):.3f} s)")
    print(f"ratio during/idle p95: {p95(during) / p95(idle):.2f}")
    print(f"publish of a {size / 1e6:.0f} MB warehouse: {publish_seconds:.2f} s ({size / 1e6 / publish_seconds:.0f} MB/s)")


if __name__ == "__main__":
    main()
