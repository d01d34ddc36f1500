"""Benchmark of `ingest orders` (issue 2, "Speed"; issue 15 point 7): ours with all validation against DuckDB's own
CREATE TABLE AS SELECT * FROM read_csv(...) / read_parquet(...), on the same file in the same run.

    python -m bench.ingest [--command-rows 1000000] [--repeat 3] [--rows 5000000] [--memory-rows 10000000]

Two measures of ours:
- the whole command (issue 15): `python -m livecommerce ingest orders FILE` in a fresh process on an initialised
  home, start-up, audit line and read-snapshot publication included, against the raw CTAS of the same CSV, the two
  alternating ``--repeat`` times; target ratio raw/ours at least 0.5 (aim 0.8);
- the service (issue 2): ``ingest.service.ingest`` timed inside a child process, CSV and Parquet (``--rows``; 0 skips).
Then the whole command on a ``--memory-rows`` CSV and its peak resident memory: target under 2 GB.
Every figure is printed with the machine's core count (os.cpu_count()).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.orders_file import write_orders


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _duckdb_raw(path: Path, reader: str, work: Path) -> float:
    return _duckdb_raw_cpu(path, reader, work)[0]


def _duckdb_raw_cpu(path: Path, reader: str, work: Path) -> tuple[float, float]:
    """DuckDB's own CREATE TABLE AS SELECT * FROM reader(path): wall and CPU seconds (both threads)."""
    target = work / f"raw-{reader}.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute("SET threads = 2")
        started, cpu = time.perf_counter(), _cpu()
        con.execute(f"CREATE TABLE orders AS SELECT * FROM {reader}('{path.as_posix()}')")
        return time.perf_counter() - started, _cpu() - cpu


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
    figures = json.loads(out.stdout[out.stdout.rindex('{"seconds"') :])  # after any progress bar DuckDB drew
    return float(figures["seconds"]), figures


def _initialised_home(work: Path, name: str) -> dict[str, str]:
    """A new home made ready by a first command (registry migrated, warehouse created), as a user's would be."""
    env = {**os.environ, "LIVECOMMERCE_HOME": str(work / f"home-{name}")}
    subprocess.run([sys.executable, "-m", "livecommerce", "batches", "list"], env=env, check=True, capture_output=True)
    return env


def _command(path: Path, env: dict[str, str]) -> tuple[float, float, float, dict[str, object]]:
    """`livecommerce ingest orders FILE` in a new process: wall and CPU seconds, peak RSS in MB, its JSON figures."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "livecommerce", "ingest", "orders", str(path), "--format", "json"], env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)  # its own peak RSS, not the largest of every child so far
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"ingest exited {child.returncode}: {err.read()[-2000:]}")
        text = out.read()
        figures = json.loads(text[text.rindex('{"batch"') :])  # after any progress bar DuckDB drew
        return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, figures


def whole_command(work: Path, rows: int, repeat: int) -> None:
    """The whole command against the raw CTAS of the same CSV, alternating, ``repeat`` times.

    On a shared machine one run of either may be slowed by others' work: the figure is the best of each (the least
    disturbed), with every run's pair and ratio printed beside it, and CPU seconds (less sensitive to others' load).
    """
    path = write_orders(work / "command.csv", rows)
    raws, ours, raw_cpu, our_cpu, peaks = [], [], [], [], []
    for run in range(repeat):
        wall, cpu = _duckdb_raw_cpu(path, "read_csv", work)
        raws.append(wall)
        raw_cpu.append(cpu)
        seconds, used, peak, figures = _command(path, _initialised_home(work, f"command-{run}"))
        assert figures["accepted"] == rows and figures["rejected"] == 0, figures
        ours.append(seconds)
        our_cpu.append(used)
        peaks.append(peak)
    ratios = [raw / our for raw, our in zip(raws, ours, strict=True)]
    print(
        f"whole command, {rows:,}-row CSV, os.cpu_count() = {os.cpu_count()}: DuckDB CTAS (baseline) {min(raws):.2f} s | "
        f"`livecommerce ingest orders` {min(ours):.2f} s | ratio ours/raw = {min(raws) / min(ours):.2f} "
        f"(target ≥ 0.5, aim 0.8; best of {repeat} each) | peak {max(peaks):.0f} MB"
    )
    print(
        f"  runs (raw, ours, ratio): {'; '.join(f'{r:.2f} {o:.2f} {q:.2f}' for r, o, q in zip(raws, ours, ratios, strict=True))}"
        f" | median ratio {statistics.median(ratios):.2f}, spread {max(ratios) - min(ratios):.2f}"
    )
    print(f"  CPU seconds: raw {min(raw_cpu):.2f}, ours {min(our_cpu):.2f} (ratio {min(raw_cpu) / min(our_cpu):.2f})")
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--command-rows", type=int, default=1_000_000, help="rows of the whole-command run; 0 skips")
    parser.add_argument("--repeat", type=int, default=3, help="whole-command runs, alternating with the raw CTAS")
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows of the service runs; 0 skips them")
    parser.add_argument("--memory-rows", type=int, default=10_000_000, help="0 to skip the memory run")
    args = parser.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        if args.command_rows:
            whole_command(work, args.command_rows, args.repeat)
        if args.rows:
            service(work, args.rows)
        if args.memory_rows:
            big = write_orders(work / "big.csv", args.memory_rows)
            seconds, _, peak, figures = _command(big, _initialised_home(work, "memory"))
            assert figures["accepted"] == args.memory_rows, figures
            print(
                f"memory   {args.memory_rows:,}-row CSV, whole command: peak RSS {peak:.0f} MB "
                f"(target < 2048 MB), {args.memory_rows / seconds:,.0f} rows/s ({seconds:.1f} s)"
            )


def service(work: Path, rows: int) -> None:
    """ingest.service.ingest timed in a child process, CSV and Parquet, against the raw CTAS of the same file."""
    print(f"service, rows per file: {rows:,}, {os.cpu_count()} cores")
    csv_path = write_orders(work / "orders.csv", rows)
    pq_path = write_orders(work / "orders.parquet", rows, "parquet")
    for label, path, reader in (("CSV", csv_path, "read_csv"), ("Parquet", pq_path, "read_parquet")):
        raw = _duckdb_raw(path, reader, work)
        ours, figures = _ours(path, work, label)
        assert figures["accepted"] == rows and figures["rejected"] == 0, figures
        print(
            f"{label:8} DuckDB CTAS {rows / raw:>12,.0f} rows/s ({raw:.2f} s) | "
            f"livecommerce ingest {rows / ours:>12,.0f} rows/s ({ours:.2f} s) | "
            f"ratio ours/raw = {raw / ours:.2f} | peak {figures['peak_mb']:.0f} MB"
        )
    csv_path.unlink()
    pq_path.unlink()


if __name__ == "__main__":
    main()
