"""Periods (统计期): date ranges that include both ends, the period keys of each time grain, and the shifted ranges
of 同比 (YoY: one year earlier) and 环比 (MoM: the period just before).

Keys: day 2025-02-01 · week 2025-W05 (ISO 8601) · month 2025-02 · quarter 2025-Q1 · year 2025. Names shown in the
console: 2025年2月1日 · 2025年第5周 · 2025年2月 · 2025年第1季度 · 2025年.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from livecommerce.core.errors import ValidationFailed


@dataclass(frozen=True)
class Range:
    """A date range, both days included (DESIGN.md: Time)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(f"结束日期 {self.end} 早于开始日期 {self.start} (--to is before --from)")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole_months(self) -> bool:
        """Whether the range starts on a month's first day and ends on a month's last day."""
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier), clamped to the month's end: 2024-02-29 − 12 → 2023-02-28."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift(period: Range, months: int) -> Range:
    """The range ``months`` earlier/later; a range that ends on a month's last day keeps ending on one."""
    start = add_months(period.start, months)
    end = add_months(period.end, months)
    if period.end == month_end(period.end):
        end = month_end(end)
    return Range(start, end)


def year_before(period: Range) -> Range:
    """同比: the same range one year earlier."""
    return shift(period, -12)


def period_before(period: Range, grain: str | None = None) -> Range:
    """环比: the period just before. Whole months step back by their number of months (a quarter by a quarter);
    a cut by day or week steps back by the range's length in days, as does any other range."""
    if period.whole_months and grain not in ("day", "week"):
        return shift(period, -period.months)
    return Range(period.start - timedelta(days=period.days), period.start - timedelta(days=1))


def parse_day(text: str, option: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValidationFailed(f"日期 {text!r} 应为 YYYY-MM-DD ({option} {text!r} is not a date YYYY-MM-DD)") from None


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|Q([1-4])|W(\d{1,2})|(\d{1,2})-(\d{1,2})))?$", re.IGNORECASE)


def parse_period(text: str) -> tuple[Range, str]:
    """`2025` · `2025-Q1` · `2025-02` · `2025-W05` · `2025-02-01` → (range, grain)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValidationFailed(
            f"统计期 {text!r} 应为 2025、2025-Q1、2025-02、2025-W05 或 2025-02-01 "
            f"(period {text!r} is not one of 2025, 2025-Q1, 2025-02, 2025-W05, 2025-02-01)"
        )
    year = int(match[1])
    if match[2]:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise ValidationFailed(f"period {text!r}: no month {month}")
        start = date(year, month, 1)
        return Range(start, month_end(start)), "month"
    if match[3]:
        quarter = int(match[3])
        start = date(year, 3 * quarter - 2, 1)
        return Range(start, month_end(date(year, 3 * quarter, 1))), "quarter"
    if match[4]:
        week = int(match[4])
        try:
            start = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationFailed(f"period {text!r}: {year} has no ISO week {week}") from None
        return Range(start, start + timedelta(days=6)), "week"
    if match[5]:
        day = parse_day(f"{year}-{int(match[5]):02d}-{int(match[6]):02d}", "period")
        return Range(day, day), "day"
    return Range(date(year, 1, 1), date(year, 12, 31)), "year"


def bucket_start(day: date, grain: str) -> date:
    """The first day of the period of this grain that holds ``day``."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "year":
        return date(day.year, 1, 1)
    raise ValueError(grain)


def bucket_key(start: date, grain: str) -> str:
    """The key of the period starting on ``start``."""
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    raise ValueError(grain)


def bucket_name(key: str, grain: str) -> str:
    """The Chinese name of a period key: 2025-02 → 2025年2月."""
    if grain == "day":
        d = date.fromisoformat(key)
        return f"{d.year}年{d.month}月{d.day}日"
    if grain == "week":
        year, week = key.split("-W")
        return f"{year}年第{int(week)}周"
    if grain == "month":
        year, month = key.split("-")
        return f"{year}年{int(month)}月"
    if grain == "quarter":
        year, quarter = key.split("-Q")
        return f"{year}年第{quarter}季度"
    return f"{key}年"


def key_start(key: str, grain: str) -> date:
    """The first day of the period with this key (the inverse of bucket_key)."""
    if grain == "day":
        return date.fromisoformat(key)
    if grain == "week":
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    if grain == "month":
        year, month = key.split("-")
        return date(int(year), int(month), 1)
    if grain == "quarter":
        year, quarter = key.split("-Q")
        return date(int(year), 3 * int(quarter) - 2, 1)
    return date(int(key), 1, 1)


def shift_key(key: str, grain: str, months: int = 0, days: int = 0) -> str:
    """The key of the period ``months``/``days`` later: used to line last year's rows up with this year's.

    A week shifted by a year is the week of the same ISO number (2025-W05 ← 2024-W05), as weekly reports compare."""
    if grain == "week" and months and months % 12 == 0:
        year, week = key.split("-W")
        target_year = int(year) + months // 12
        weeks_in_year = date(target_year, 12, 28).isocalendar()[1]
        return f"{target_year}-W{min(int(week), weeks_in_year):02d}"
    start = key_start(key, grain)
    moved = add_months(start, months) + timedelta(days=days)
    return bucket_key(bucket_start(moved, grain), grain)


def periods_in(period: Range, grain: str) -> list[str]:
    """Every period key of this grain that the range touches, in order (so empty periods still show as 0)."""
    keys: list[str] = []
    day = bucket_start(period.start, grain)
    while day <= period.end:
        keys.append(bucket_key(day, grain))
        if grain == "day":
            day += timedelta(days=1)
        elif grain == "week":
            day += timedelta(days=7)
        else:
            day = add_months(day, {"month": 1, "quarter": 3, "year": 12}[grain])
    return keys
