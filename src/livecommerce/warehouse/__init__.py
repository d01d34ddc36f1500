"""Warehouse (数据仓库): fact tables of the feeds, batches and the quarantine, in one DuckDB file."""
