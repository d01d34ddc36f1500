"""Benchmark of issue 15 point 7, "a small command within 4× the time of `python -c "import duckdb"`": the whole
`python -m livecommerce regions find 五常` on an initialised home, and the baseline, in the same run
(docs/operations.md: Command start-up).

    python -m bench.cli [--repeat 5]

Each is a fresh interpreter (subprocess), timed by the wall clock; one warm-up of each, then the best of --repeat,
the two alternating so that a busy moment of the machine falls on both. `livecommerce --help` is printed beside them
for information (no target).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 4.0
COMMAND = [sys.executable, "-m", "livecommerce", "regions", "find", "五常"]
BASELINE = [sys.executable, "-c", "import duckdb"]
HELP = [sys.executable, "-m", "livecommerce", "--help"]


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[1:])} exited {done.returncode}: {done.stderr.strip()}")
    if argv is COMMAND and "230184" not in done.stdout:
        raise SystemExit(f"unexpected answer: {done.stdout!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-cli-")) / "home"
    env = dict(os.environ, LIVECOMMERCE_HOME=str(home), COLUMNS="100")
    subprocess.run(
        [sys.executable, "-c", "from livecommerce.core.db import ensure_home; ensure_home()"], env=env, check=True
    )  # the home initialised (registry migrated, warehouse created), as a user's would be
    runs: dict[str, list[float]] = {"command": [], "baseline": [], "help": []}
    for round_ in range(args.repeat + 1):
        for name, argv in (("command", COMMAND), ("baseline", BASELINE), ("help", HELP)):
            seconds = _seconds(argv, env)
            if round_:  # round 0 is the warm-up (file cache, .pyc)
                runs[name].append(seconds)
    command, baseline = min(runs["command"]), min(runs["baseline"])
    ratio = command / baseline
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; best of {args.repeat} after one warm-up")
    print(f"livecommerce regions find 五常   {command:.3f} s  (runs {', '.join(f'{s:.3f}' for s in runs['command'])})")
    print(f"python -c 'import duckdb'      {baseline:.3f} s  (runs {', '.join(f'{s:.3f}' for s in runs['baseline'])})")
    print(f"ratio {ratio:.2f}× (target ≤ {TARGET:.0f}×): {'met' if ratio <= TARGET else 'NOT met'}")
    print(f"livecommerce --help            {min(runs['help']):.3f} s  (for information)")


if __name__ == "__main__":
    main()
