"""Time is Asia/Shanghai: naive timestamps are read as Shanghai wall time (DESIGN.md: Time)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, aware, in UTC (what we store for audit and sessions)."""
    return datetime.now(UTC)


def as_shanghai(moment: datetime) -> datetime:
    """An aware datetime in Shanghai; a naive one is taken to be Shanghai wall time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def aware(moment: datetime) -> datetime:
    """Databases such as SQLite hand back naive UTC; make it aware again."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def today() -> date:
    """Today's date in Shanghai."""
    return datetime.now(SHANGHAI).date()
