"""统计监测分析: indicators (统计口径), queries written once with Ibis (DuckDB by default, PySpark to scale out),
daily rollups kept at ingest, rankings, targets with forecasts, and the dashboard."""
