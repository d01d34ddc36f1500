"""Periods: both ends included, ISO weeks, YoY and MoM ranges, leap days, keys and Chinese names."""

from __future__ import annotations

from datetime import date

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.stats import periods
from livecommerce.stats.periods import Range


def test_parse_period_forms() -> None:
    assert periods.parse_period("2025") == (Range(date(2025, 1, 1), date(2025, 12, 31)), "year")
    assert periods.parse_period("2025-Q1") == (Range(date(2025, 1, 1), date(2025, 3, 31)), "quarter")
    assert periods.parse_period("2024-02") == (Range(date(2024, 2, 1), date(2024, 2, 29)), "month")
    assert periods.parse_period("2025-W01") == (Range(date(2024, 12, 30), date(2025, 1, 5)), "week")
    assert periods.parse_period("2025-02-01") == (Range(date(2025, 2, 1), date(2025, 2, 1)), "day")
    for bad in ("2025-13", "2025-W54", "25", "2025-Q5"):
        with pytest.raises(ValidationFailed):
            periods.parse_period(bad)


def test_a_range_includes_both_days_and_refuses_a_reversed_one() -> None:
    assert Range(date(2025, 1, 1), date(2025, 1, 31)).days == 31
    with pytest.raises(ValidationFailed, match="before"):
        Range(date(2025, 2, 1), date(2025, 1, 1))


def test_yoy_range_keeps_month_ends_and_leap_days() -> None:
    assert periods.year_before(Range(date(2024, 2, 1), date(2024, 2, 29))) == Range(date(2023, 2, 1), date(2023, 2, 28))
    assert periods.year_before(Range(date(2025, 2, 1), date(2025, 2, 28))) == Range(date(2024, 2, 1), date(2024, 2, 29))
    assert periods.year_before(Range(date(2025, 3, 5), date(2025, 3, 9))) == Range(date(2024, 3, 5), date(2024, 3, 9))


def test_mom_range_is_the_period_just_before() -> None:
    assert periods.period_before(Range(date(2025, 3, 1), date(2025, 3, 31))) == Range(date(2025, 2, 1), date(2025, 2, 28))
    assert periods.period_before(Range(date(2025, 4, 1), date(2025, 6, 30))) == Range(date(2025, 1, 1), date(2025, 3, 31))
    assert periods.period_before(Range(date(2025, 3, 10), date(2025, 3, 16))) == Range(date(2025, 3, 3), date(2025, 3, 9))


def test_keys_names_and_shifts() -> None:
    assert periods.bucket_key(periods.bucket_start(date(2025, 1, 1), "week"), "week") == "2025-W01"
    assert periods.bucket_key(date(2025, 4, 1), "quarter") == "2025-Q2"
    assert periods.bucket_name("2025-02", "month") == "2025年2月"
    assert periods.bucket_name("2025-Q1", "quarter") == "2025年第1季度"
    assert periods.bucket_name("2025-W05", "week") == "2025年第5周"
    assert periods.shift_key("2025-01", "month", -12) == "2024-01"
    assert periods.shift_key("2025-Q1", "quarter", -3) == "2024-Q4"
    assert periods.shift_key("2026-W53", "week", -12) == "2025-W52"  # 2025 has 52 ISO weeks
    assert periods.periods_in(Range(date(2025, 1, 15), date(2025, 3, 1)), "month") == ["2025-01", "2025-02", "2025-03"]
