"""The same two orders read from every format and encoding the feeds accept (DESIGN.md: Feeds)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import HEADER, ZH_HEADER, order, warehouse_rows, write_csv, write_jsonl

ACTOR = SystemActor(name="tester")
ROWS = [order("A1", paid_amount="100.00", refund_amount="20.00"), order("A2", paid_amount="35.50", platform="快手")]
EXPECTED = [("douyin", "A1", Decimal("100.00"), Decimal("20.00")), ("kuaishou", "A2", Decimal("35.50"), Decimal("0.00"))]


def _stored(home):  # type: ignore[no-untyped-def]
    return warehouse_rows(home, "SELECT platform, order_id, paid_amount, refund_amount FROM orders ORDER BY order_id")


def _xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(ZH_HEADER)
    for row in ROWS:
        values: list[object] = [row[key] for key in HEADER]
        values[HEADER.index("paid_amount")] = float(row["paid_amount"])  # Excel keeps numbers as numbers
        values[HEADER.index("seller_region")] = int(row["seller_region"])
        sheet.append(values)
    workbook.save(path)
    return path


def _parquet(path: Path, tmp: Path) -> Path:
    csv_path = write_csv(tmp / "for-parquet.csv", ROWS)
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT * REPLACE (CAST(paid_amount AS DECIMAL(18,2)) AS paid_amount,
                                               CAST(local_product AS BOOLEAN) AS local_product)
                              FROM read_csv('{csv_path}', all_varchar=true)) TO '{path}' (FORMAT parquet)""")
    return path


@pytest.mark.parametrize("kind", ["utf8", "utf8-bom", "gb18030", "chinese-headers", "xlsx", "parquet", "jsonl"])
def test_every_format_loads_the_same_rows(home, tmp_path: Path, kind: str) -> None:
    if kind == "utf8":
        path = write_csv(tmp_path / "o.csv", ROWS)
    elif kind == "utf8-bom":
        path = write_csv(tmp_path / "o.csv", ROWS, chinese=True, encoding="utf-8-sig")
    elif kind == "gb18030":
        path = write_csv(tmp_path / "o.csv", ROWS, chinese=True, encoding="gb18030")
    elif kind == "chinese-headers":
        path = write_csv(tmp_path / "o.csv", ROWS, chinese=True)
    elif kind == "xlsx":
        path = _xlsx(tmp_path / "o.xlsx")
    elif kind == "parquet":
        path = _parquet(tmp_path / "o.parquet", tmp_path)
    else:
        path = write_jsonl(tmp_path / "o.jsonl", ROWS)
    result = ingest("orders", [path], ACTOR)
    assert (result.read, result.accepted, result.rejected) == (2, 2, 0), result.problems
    assert _stored(home) == EXPECTED


def test_gb18030_file_keeps_its_chinese(home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [order("A1", product_name="椴树蜂蜜")], chinese=True, encoding="gb18030")
    ingest("orders", [path], ACTOR)
    assert warehouse_rows(home, "SELECT product_name FROM orders") == [("椴树蜂蜜",)]


def test_unknown_columns_are_ignored_and_reported(home, tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(",".join([*HEADER, "备注"]) + "\n" + ",".join([*order("A1").values(), "加急"]) + "\n", encoding="utf-8")
    result = ingest("orders", [path], ACTOR)
    assert result.accepted == 1 and result.ignored_columns == ["备注"]


def test_missing_required_columns_load_nothing_and_name_them(home, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("平台,订单号\ndouyin,A1\n", encoding="utf-8")
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed" and result.exit_code == 2
    assert "file bad.csv: missing required columns" in result.message
    assert "paid_at (支付时间)" in result.message and "seller_region (卖家所在地区代码)" in result.message


def test_a_file_that_is_not_a_workbook_is_unreadable(home, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed" and "broken.xlsx" in result.message
    batches = warehouse_rows(home, "SELECT status, source_name FROM batches")
    assert batches == [("failed", "broken.xlsx")]


def test_several_files_form_one_batch_and_keep_their_row_numbers(home, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "jan.csv", [order("A1"), order("A2")])
    second = write_csv(tmp_path / "feb.csv", [order("B1"), order("B2", paid_amount="-1")])
    result = ingest("orders", [first, second], ACTOR)
    assert (result.read, result.accepted, result.rejected) == (4, 3, 1)
    assert result.problems[0].startswith("file feb.csv, row 3, column paid_amount")
    files = warehouse_rows(home, "SELECT file_name, rows_read FROM batch_files ORDER BY file_index")
    assert files == [("jan.csv", 2), ("feb.csv", 2)]


def test_a_typed_parquet_file_is_checked_on_its_own_types(home, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"""COPY (SELECT * FROM (VALUES
            ('douyin', 'T1', 'S1', '230184', 'P1', '五常大米', 'crops', TRUE, TRUE, 'live',
             TIMESTAMPTZ '2025-01-31 16:30:00+00', CAST(100.5 AS DECIMAL(18,3)), 0.5::DOUBLE, 2::INTEGER),
            ('douyin', 'T2', 'S1', '230184', 'P1', '五常大米', 'crops', TRUE, TRUE, 'live',
             TIMESTAMPTZ '2025-03-01 02:00:00+00', CAST(12.345 AS DECIMAL(18,3)), 0::DOUBLE, 1::INTEGER),
            ('douyin', 'T3', 'S1', '230184', 'P1', '五常大米', 'crops', TRUE, TRUE, 'live',
             TIMESTAMPTZ '2025-03-01 02:00:00+00', CAST(-1 AS DECIMAL(18,3)), 0::DOUBLE, 1::INTEGER))
            t(platform, order_id, shop_id, seller_region, product_id, product_name, category, local_product,
              physical, channel, paid_at, paid_amount, refund_amount, quantity)) TO '{path}' (FORMAT parquet)""")
    result = ingest("orders", [path], ACTOR)
    assert (result.read, result.accepted, result.rejected) == (3, 1, 2)
    assert "row 2, column paid_amount, value '12.345': has more than two decimals" in result.problems[0]
    assert "row 3, column paid_amount, value '-1.000': must be ≥ 0" in result.problems[1]
    stored = warehouse_rows(home, "SELECT paid_at, paid_amount, refund_amount, quantity, local_product FROM orders")
    assert stored == [(datetime(2025, 2, 1, 0, 30), Decimal("100.50"), Decimal("0.50"), 2, True)]


def test_a_file_that_turns_to_gb18030_after_its_first_megabyte_is_still_read(home, tmp_path: Path) -> None:
    ascii_rows = [order(f"A{i}", product_name="rice") for i in range(12_000)]  # more than the 1 MB the encoding sniffer looks at
    path = write_csv(tmp_path / "late.csv", [*ascii_rows, order("Z1", product_name="哈尔滨红肠")], encoding="gb18030")
    result = ingest("orders", [path], ACTOR)
    assert (result.accepted, result.rejected) == (12_001, 0)
    assert warehouse_rows(home, "SELECT product_name FROM orders WHERE order_id = 'Z1'") == [("哈尔滨红肠",)]
    assert warehouse_rows(home, "SELECT encoding FROM batch_files") == [("gb18030",)]


def test_parquet_batches_follow_the_same_rules_for_replacement_and_repeats(home, tmp_path: Path) -> None:
    first = _parquet(tmp_path / "first.parquet", tmp_path)
    assert ingest("orders", [first], ACTOR).status == "loaded"  # clean: inserted straight from the file
    again = ingest("orders", [first], ACTOR)
    assert (again.accepted, again.replaced, again.unchanged) == (2, 0, 2)
    repeat_rows = [order("A1", paid_amount="1.00"), order("A1", paid_amount="2.00")]
    csv_path = write_csv(tmp_path / "repeat.csv", repeat_rows)
    repeated = tmp_path / "repeat.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) TO '{repeated}' (FORMAT parquet)")
    result = ingest("orders", [repeated], ACTOR)
    assert (result.accepted, result.replaced) == (2, 2)  # A1 twice in the file, and A1 stored before
    assert _stored(home)[0] == ("douyin", "A1", Decimal("2.00"), Decimal("0.00"))
