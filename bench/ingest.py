"""Benchmark of `ingest orders` (issue 2, "Speed"): ours with all validation against DuckDB's own
CREATE TABLE AS SELECT * FROM read_csv(...) / read_parquet(...), on the same file in the same run.

    python -m bench.ingest [--rows 5000000] [--memory-rows 10000000]

Targets on the 2-core machine: CSV at least half of DuckDB's raw rate; Parquet at least 1,000,000 rows/s;
peak memory under 2 GB for a 10-million-row CSV (measured in a child process).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.orders_file import write_orders


def _duckdb_raw(path: Path, reader: str, work: Path) -> float:
    target = work / f"raw-{reader}.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute("SET threads = 2")
        started = time.perf_counter()
        con.execute(f"CREATE TABLE orders AS SELECT * FROM {reader}('{path.as_posix()}')")
        return time.perf_counter() - started


def _ours(path: Path, work: Path, name: str) -> tuple[float, dict[str, object]]:
    """One ingest in a fresh home, in a child process (so memory is measured per run)."""
    home = work / f"home-{name}"
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from livecommerce.core.db import ensure_home\n"
        "from livecommerce.core.scope import SystemActor\n"
        "from livecommerce.ingest.service import ingest\n"
        "ensure_home()\n"
        "t = time.perf_counter()\n"
        f"r = ingest('orders', [Path({str(path)!r})], SystemActor(name='bench'))\n"
        "e = time.perf_counter() - t\n"
        "print(json.dumps({'seconds': e, 'accepted': r.accepted, 'rejected': r.rejected,"
        " 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    env = {**os.environ, "LIVECOMMERCE_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    import json

    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return float(figures["seconds"]), figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--memory-rows", type=int, default=10_000_000, help="0 to skip the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        print(f"rows per file: {args.rows:,}")
        csv_path = write_orders(work / "orders.csv", args.rows)
        pq_path = write_orders(work / "orders.parquet", args.rows, "parquet")
        for label, path, reader in (("CSV", csv_path, "read_csv"), ("Parquet", pq_path, "read_parquet")):
            raw = _duckdb_raw(path, reader, work)
            ours, figures = _ours(path, work, label)
            assert figures["accepted"] == args.rows and figures["rejected"] == 0, figures
            print(f"{label:8} DuckDB CTAS {args.rows / raw:>12,.0f} rows/s ({raw:.2f} s) | "
                  f"livecommerce ingest {args.rows / ours:>12,.0f} rows/s ({ours:.2f} s) | "
                  f"ratio ours/raw = {raw / ours:.2f} | peak {figures['peak_mb']:.0f} MB")
        if args.memory_rows:
            big = write_orders(work / "big.csv", args.memory_rows)
            csv_path.unlink()
            seconds, figures = _ours(big, work, "memory")
            print(f"memory   {args.memory_rows:,}-row CSV: peak RSS {figures['peak_mb']:.0f} MB "
                  f"(target < 2048 MB), {args.memory_rows / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
