"""Pydantic schemas of the ingest API, one per purpose (docs/ingest.md): a platform's push in, a batch's figures out,
and a batch as listed. They describe the JSON the routes have always answered, field for field and in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class BatchOut(BaseModel):
    """The figures of one batch, as the CLI's --format json prints them."""

    batch: str
    feed: str
    read: int
    accepted: int
    rejected: int
    replaced: int
    unchanged: int
    status: str
    message: str
    problems: list[str]
    ignored_columns: list[str]
    notes: list[str] = Field(default_factory=list, description="Retired region codes or names stored as their successor's.")


class PushIn(BaseModel):
    """Rows pushed by a platform: canonical or Chinese column names, values as text or numbers."""

    source: str = Field("api", min_length=1, max_length=200, description="Name recorded as the batch's source.")
    rows: list[dict[str, Any]] = Field(..., max_length=100_000)
    strict: bool = False


class BatchSummaryOut(BaseModel):
    """One batch as listed (GET /api/ingest/batches): its provenance and figures."""

    batch: str = Field(description="The batch id, e.g. B20250301-101500-1a2b3c.")
    feed: str = Field(description="The feed: orders, shop_daily, live_sessions, parcels …")
    feed_zh: str = Field(description="The feed's Chinese name.")
    sources: str = Field(description="The name recorded as the batch's source: its files, or a push's source.")
    sha256: str = Field(description="The SHA-256 of what was read.")
    actor: str = Field(description="Who loaded it.")
    started_at: datetime
    finished_at: datetime
    read: int
    accepted: int
    rejected: int
    replaced: int
    unchanged: int
    status: str = Field(description="loaded, partial, rejected (every row), refused (strict, with a rejected row) or failed (unreadable).")
    ignored_columns: str = Field(description="Columns of the files that no field takes, comma-separated.")
    message: str
    notes: list[str] = Field(description="Retired region codes or names stored as their successor's, in order.")
