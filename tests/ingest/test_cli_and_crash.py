"""The command as an operator runs it: JSON figures, exit codes, and a process killed in the middle of a batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from livecommerce.accounts.actors import UserActor
from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import order, warehouse_rows, write_csv


def run_cli(home, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    environment = {**os.environ, "LIVECOMMERCE_HOME": str(home.home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "livecommerce", *args], capture_output=True, text=True, env=environment, timeout=120)


def test_json_output_and_exit_codes(home, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [order("A1"), order("A2")])
    mixed = write_csv(tmp_path / "mixed.csv", [order("A2", refund_amount="10.00"), order("A3", paid_at="soon")])
    ok = run_cli(home, "ingest", "orders", str(good), "--format", "json")
    assert ok.returncode == 0, ok.stderr
    figures = json.loads(ok.stdout)
    assert {k: figures[k] for k in ("read", "accepted", "rejected", "replaced")} == {"read": 2, "accepted": 2, "rejected": 0, "replaced": 0}
    assert figures["batch"].startswith("B")
    partial = run_cli(home, "ingest", "orders", str(mixed), "--format", "json")
    assert partial.returncode == 3
    assert {k: json.loads(partial.stdout)[k] for k in ("read", "accepted", "rejected", "replaced")} == {
        "read": 2,
        "accepted": 1,
        "rejected": 1,
        "replaced": 1,
    }
    strict = run_cli(home, "ingest", "orders", str(mixed), "--strict", "--format", "json")
    assert strict.returncode == 2
    missing = run_cli(home, "ingest", "orders", str(tmp_path / "nowhere.csv"), "--format", "json")
    assert missing.returncode == 2 and "nowhere.csv" in json.loads(missing.stdout)["message"]


def test_text_output_summarises_in_chinese(home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", [order("A1"), order("A2", paid_amount="x")])
    result = run_cli(home, "ingest", "orders", str(path))
    assert result.returncode == 3
    assert "部分入库" in result.stdout and "row 3, column paid_amount" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_batch_killed_before_commit_leaves_the_warehouse_as_it_was(home, tmp_path: Path, fmt: str) -> None:
    ingest("orders", [write_csv(tmp_path / "first.csv", [order("A1")])], SystemActor())
    if fmt == "csv":
        second = write_csv(tmp_path / "second.csv", [order("A1", refund_amount="40.00"), order("A2"), order("A3", paid_at="x")])
        expected = (2, 1, 1)
    else:  # a clean Parquet batch takes the straight path
        plain = write_csv(tmp_path / "plain.csv", [order("B1"), order("B2")])
        second = tmp_path / "second.parquet"
        with duckdb.connect() as con:
            con.execute(f"COPY (SELECT * FROM read_csv('{plain}', all_varchar=true)) TO '{second}' (FORMAT parquet)")
        expected = (2, 0, 0)
    marker = tmp_path / "paused"
    environment = {
        **os.environ,
        "LIVECOMMERCE_HOME": str(home.home),
        "LIVECOMMERCE_PAUSE_AT": "ingest.before_commit",
        "LIVECOMMERCE_PAUSE_FILE": str(marker),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "livecommerce", "ingest", "orders", str(second)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the ingest never reached its commit"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert warehouse_rows(home, "SELECT order_id, refund_amount FROM orders") == [("A1", Decimal("0.00"))]
    assert warehouse_rows(home, "SELECT count(*) FROM batches") == [(1,)]
    assert warehouse_rows(home, "SELECT count(*) FROM quarantine") == [(0,)]
    again = ingest("orders", [second], SystemActor())
    assert (again.accepted, again.rejected, again.replaced) == expected


def test_an_officer_cannot_load_rows_of_another_city(home, tmp_path: Path) -> None:
    harbin = UserActor(user_id=1, name="harbin", role="city_officer", scope_region="230100")
    rows = [order("A1", seller_region="230184"), order("A2", seller_region="230202")]  # 五常 in 哈尔滨; 齐齐哈尔
    result = ingest("orders", [write_csv(tmp_path / "o.csv", rows)], harbin)
    assert (result.accepted, result.rejected) == (1, 1)
    assert "column seller_region, value '230202': lies outside your data scope" in result.problems[0]
