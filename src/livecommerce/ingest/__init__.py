"""Ingest (数据接入): feeds in — read, validate, quarantine, upsert by natural key; one batch is one transaction."""
