"""While `python -m livecommerce ingest orders` loads 2,000,000 rows in another process, statistics answer through the
service and the API within a second (p95), with the figures of the data committed before it; afterwards they show
the new batch (docs/operations.md: Reads during ingest)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.orders_file import write_orders
from fastapi.testclient import TestClient

from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.demo.generator import generate
from livecommerce.demo.loader import load
from livecommerce.demo.scales import get_scale
from livecommerce.stats.query import open_and_run
from livecommerce.stats.question import Query
from tests.web.conftest import PASSWORD, add_user, submit_login

ROWS = 2_000_000
API = "/api/stats/query?indicator=online_retail&by=city&period=2025"


def _service_rows() -> list[dict[str, object]]:
    from livecommerce.stats.params import build_query

    query: Query = build_query("online_retail", "city", None, None, "2025", None, None, False, None, "seller")
    rows: list[dict[str, object]] = open_and_run(query, SystemActor()).to_json()["rows"]
    return rows


def p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20)[-1] if len(seconds) >= 2 else seconds[0]


@pytest.mark.slow
def test_statistics_answer_during_a_two_million_row_ingest(home: Settings, tmp_path: Path) -> None:
    demo = tmp_path / "tiny"
    generate(get_scale("tiny"), 1, demo)
    load(demo)
    add_user("analyst", "province_analyst")
    before = _service_rows()
    big = write_orders(tmp_path / "big.csv", ROWS)
    from livecommerce.web.app import create_app

    with TestClient(create_app()) as client:
        assert submit_login(client, "analyst", PASSWORD).status_code == 303
        assert client.get(API).json()["rows"] == json.loads(json.dumps(before, default=str))
        ingest = subprocess.Popen(
            [sys.executable, "-m", "livecommerce", "ingest", "orders", str(big), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "LIVECOMMERCE_HOME": str(home.home)},
        )
        timings: list[float] = []
        answers: list[object] = []
        try:
            while ingest.poll() is None:
                for ask in (_service_rows, lambda: client.get(API).json()["rows"]):
                    started = time.perf_counter()
                    answers.append(ask())
                    timings.append(time.perf_counter() - started)
        finally:
            out, err = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, err
        assert json.loads(out)["accepted"] == ROWS
        after = _service_rows()
    assert after != before  # the batch was published when its writer closed
    during = [json.loads(json.dumps(a, default=str)) for a in answers]
    expected = [json.loads(json.dumps(x, default=str)) for x in (before, after)]
    assert all(answer in expected for answer in during)  # the committed state, never a half-written one
    assert sum(answer == expected[0] for answer in during) >= 10, f"only {len(during)} answers during the ingest"
    assert p95(timings) < 1.0, f"p95 {p95(timings):.3f} s over {len(timings)} reads during the ingest"
