"""Small hand-checkable order files for the ingest tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

HEADER = [
    "platform",
    "order_id",
    "shop_id",
    "seller_uscc",
    "seller_region",
    "product_id",
    "product_name",
    "category",
    "local_product",
    "physical",
    "channel",
    "paid_at",
    "paid_amount",
    "refund_amount",
]
ZH_HEADER = [
    "平台",
    "订单号",
    "店铺ID",
    "统一社会信用代码",
    "卖家所在地区代码",
    "商品ID",
    "商品名称",
    "品类",
    "是否地产品",
    "是否实物",
    "渠道",
    "支付时间",
    "支付金额",
    "退款金额",
]


def order(key: str, **changes: str) -> dict[str, str]:
    """One valid order of 100.00 yuan of 五常大米 by a shop in 五常市, with any field changed."""
    row = dict(
        platform="douyin",
        order_id=key,
        shop_id="S1",
        seller_uscc="",
        seller_region="230184",
        product_id="P1",
        product_name="五常大米5kg",
        category="crops",
        local_product="true",
        physical="true",
        channel="live",
        paid_at="2025-03-01 10:00:00",
        paid_amount="100.00",
        refund_amount="0",
    )
    row.update(changes)
    return row


def write_csv(
    path: Path, rows: list[dict[str, str]], *, chinese: bool = False, encoding: str = "utf-8", header: list[str] | None = None
) -> Path:
    names = header or (ZH_HEADER if chinese else HEADER)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(key, "") for key in HEADER[: len(names)]])
    return path


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def warehouse_rows(settings, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with duckdb.connect(str(settings.warehouse_file), read_only=True) as con:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        return con.execute(sql).fetchall()
