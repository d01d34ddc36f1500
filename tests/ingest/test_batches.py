"""Batches: natural-key upsert, idempotence, quarantine round trip, strict mode, provenance."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from livecommerce.core.scope import SystemActor
from livecommerce.ingest.batches import list_batches, rejected_rows_csv
from livecommerce.ingest.service import ingest, ingest_records
from tests.ingest.helpers import order, warehouse_rows, write_csv

ACTOR = SystemActor(name="tester")


def totals(home):  # type: ignore[no-untyped-def]
    return warehouse_rows(home, "SELECT count(*), sum(paid_amount - refund_amount) FROM orders")[0]


def test_importing_the_same_file_twice_changes_nothing(home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", [order("A1"), order("A2", paid_amount="50.00")])
    first = ingest("orders", [path], ACTOR)
    before = totals(home)
    second = ingest("orders", [path], ACTOR)
    assert before == totals(home) == (2, Decimal("150.00"))
    assert (second.read, second.accepted, second.replaced, second.unchanged) == (2, 2, 0, 2)
    # unchanged rows keep the batch that brought them
    assert warehouse_rows(home, "SELECT DISTINCT batch_id FROM orders") == [(first.batch,)]


def test_a_refund_recorded_later_replaces_the_order(home, tmp_path: Path) -> None:
    ingest("orders", [write_csv(tmp_path / "jan.csv", [order("A1"), order("A2")])], ACTOR)
    later = ingest("orders", [write_csv(tmp_path / "refund.csv", [order("A1", refund_amount="30.00")])], ACTOR)
    assert (later.accepted, later.replaced, later.unchanged) == (1, 1, 0)
    assert totals(home) == (2, Decimal("170.00"))


def test_within_one_batch_the_later_row_wins(home, tmp_path: Path) -> None:
    rows = [order("A1", paid_amount="10.00"), order("A1", paid_amount="12.00")]
    result = ingest("orders", [write_csv(tmp_path / "dup.csv", rows)], ACTOR)
    assert (result.accepted, result.replaced) == (2, 1)
    assert totals(home) == (1, Decimal("12.00"))


def test_rejected_rows_can_be_exported_corrected_and_reimported(home, tmp_path: Path) -> None:
    rows = [order("A1"), order("A2", seller_region="五常"), order("A3", paid_amount="12.345")]
    first = ingest("orders", [write_csv(tmp_path / "o.csv", rows, chinese=True)], ACTOR)
    assert (first.accepted, first.rejected) == (2, 1)
    exported = rejected_rows_csv(ACTOR, first.batch).decode("utf-8-sig")
    header, line = exported.splitlines()
    assert header.endswith("错误原因,来源文件,行号") and header.startswith("平台,订单号")
    assert "paid_amount=12.345: has more than two decimals" in line and line.endswith(",o.csv,4")
    corrected = tmp_path / "fixed.csv"
    corrected.write_text(exported.replace("12.345", "12.35"), encoding="utf-8")
    again = ingest("orders", [corrected], ACTOR)
    assert (again.read, again.accepted, again.rejected, again.ignored_columns) == (1, 1, 0, [])
    assert totals(home) == (3, Decimal("212.35"))


def test_strict_mode_loads_nothing_but_keeps_the_rejected_rows(home, tmp_path: Path) -> None:
    rows = [order("A1"), order("A2", paid_amount="abc")]
    result = ingest("orders", [write_csv(tmp_path / "o.csv", rows)], ACTOR, strict=True)
    assert (result.status, result.accepted, result.rejected, result.exit_code) == ("refused", 0, 1, 2)
    assert totals(home) == (0, None)
    assert warehouse_rows(home, "SELECT count(*) FROM quarantine") == [(1,)]


def test_the_batch_records_its_provenance(home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", [order("A1"), order("A2", paid_amount="-1")])
    result = ingest("orders", [path], SystemActor(name="张三"))
    [summary] = list_batches(ACTOR)
    assert summary.batch == result.batch and summary.sources == "o.csv" and summary.actor == "张三"
    assert summary.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (summary.read, summary.accepted, summary.rejected, summary.replaced) == (2, 1, 1, 0)
    assert summary.status == "partial"


def test_pushed_records_load_like_a_file(home) -> None:
    records = [order("A1", paid_amount="99.90"), {**order("A2"), "paid_amount": 10.1}]
    result = ingest_records("orders", records, ACTOR, source_name="douyin-push")
    assert (result.accepted, result.rejected) == (2, 0)
    assert totals(home) == (2, Decimal("110.00"))


def test_an_empty_file_is_a_batch_of_nothing(home, tmp_path: Path) -> None:
    result = ingest("orders", [write_csv(tmp_path / "empty.csv", [])], ACTOR)
    assert (result.read, result.accepted, result.rejected, result.exit_code) == (0, 0, 0, 0)
