"""A synthetic orders file of any size for benchmarks, written by DuckDB straight to disk (deterministic)."""

from __future__ import annotations

from pathlib import Path

import duckdb

REGIONS = [
    "230102",
    "230184",
    "230202",
    "230381",
    "230403",
    "230521",
    "230602",
    "230781",
    "230881",
    "230902",
    "231081",
    "231102",
    "231282",
    "232721",
]


def write_orders(path: Path, rows: int, fmt: str = "csv") -> Path:
    """``rows`` valid orders with every column of the feed; ~2% carry a refund, ~40% a USCC."""
    regions = "[" + ", ".join(f"'{r}'" for r in REGIONS) + "]"
    select = f"""
        SELECT CASE i % 4 WHEN 0 THEN 'douyin' WHEN 1 THEN 'kuaishou' WHEN 2 THEN 'taobao' ELSE 'jd' END AS platform,
               'O' || i AS order_id, 'S' || (i % 5000) AS shop_id,
               CASE WHEN i % 5 < 2 THEN '91230184MA1BXKXE7G' ELSE NULL END AS seller_uscc,
               {regions}[1 + i % {len(REGIONS)}] AS seller_region,
               'P' || (i % 2000) AS product_id, '五常大米 稻花香 5kg 新米' AS product_name,
               CASE i % 3 WHEN 0 THEN 'crops' WHEN 1 THEN 'forest' ELSE 'apparel' END AS category,
               CASE WHEN i % 3 < 2 THEN 'true' ELSE 'false' END AS local_product, 'true' AS physical,
               CASE i % 3 WHEN 0 THEN 'live' WHEN 1 THEN 'shelf' ELSE 'short_video' END AS channel,
               CASE WHEN i % 3 = 0 THEN 'R' || (i % 10000) END AS live_session_id,
               CASE WHEN i % 3 = 0 THEN 'U' || (i % 3000) END AS streamer_id,
               strftime(TIMESTAMP '2025-01-01' + to_seconds(i % 31536000), '%Y-%m-%d %H:%M:%S') AS paid_at,
               CAST((10 + (i * 7919) % 50000) / 100 AS DECIMAL(18,2)) AS paid_amount,
               CASE WHEN i % 50 = 0 THEN CAST(0.10 AS DECIMAL(18,2)) ELSE CAST(0 AS DECIMAL(18,2)) END AS refund_amount,
               1 + i % 3 AS quantity, {regions}[1 + i % {len(REGIONS)}] AS ship_from_region, '' AS cross_border
        FROM range({int(rows)}) t(i)"""
    if fmt == "parquet":  # a platform's Parquet export carries real types
        select = f"""SELECT * REPLACE (CAST(paid_at AS TIMESTAMP) AS paid_at, local_product = 'true' AS local_product,
                                      physical = 'true' AS physical, CAST(quantity AS INTEGER) AS quantity)
                     FROM ({select})"""
    options = "(FORMAT parquet, ROW_GROUP_SIZE 1000000)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
    with duckdb.connect() as con:
        con.execute(f"COPY ({select}) TO '{path.as_posix()}' {options}")
    return path
