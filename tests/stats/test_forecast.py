"""forecast_year_end: series built from formulas whose year totals can be worked out by hand.

The seasonal series is value(t) = (100 + 2t) × S[month], t = 0 for 2023-01, with the month factors
S = 1.2 0.9 0.8 0.7 0.7 0.7 0.7 0.8 1.1 1.6 1.7 1.5 (ΣS = 12.4, Σ k·S[k] = 77.4 for k = 0..11). A year whose January
is t = a totals Σ (100 + 2a + 2k)·S[k] = (100 + 2a)·12.4 + 2·77.4:
  2025 (a = 24): 148·12.4 + 154.8 = 1,990.00        2027 (a = 48): 196·12.4 + 154.8 = 2,585.20
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from livecommerce.stats.forecast import METHODS, forecast_year_end

SEASON = [Decimal(s) for s in ("1.2", "0.9", "0.8", "0.7", "0.7", "0.7", "0.7", "0.8", "1.1", "1.6", "1.7", "1.5")]


def month(index: int, start: date = date(2023, 1, 1)) -> date:
    """The first day of the month ``index`` months after ``start``."""
    months = start.year * 12 + start.month - 1 + index
    return date(months // 12, months % 12 + 1, 1)


def seasonal(months: int) -> list[tuple[date, Decimal]]:
    return [(month(t), (100 + 2 * t) * SEASON[t % 12]) for t in range(months)]


def within(value: Decimal, truth: str, share: str) -> bool:
    return abs(value - Decimal(truth)) <= Decimal(truth) * Decimal(share)


def test_seasonal_series_lands_within_half_a_percent_of_the_true_year_total() -> None:
    # 30 months: 2023-01 .. 2025-06; 2025's first half is observed, its second half forecast.
    result = forecast_year_end(seasonal(30), 2025)
    assert result.method in ("holt_winters_multiplicative", "holt_winters_additive")
    assert result.actual_to_date == sum((148 + 2 * k) * SEASON[k] for k in range(6))  # 761.80, exact
    assert result.actual_to_date == Decimal("761.80")
    assert (result.months_of_history, result.months_forecast, result.last_observed) == (30, 6, date(2025, 6, 1))
    assert within(result.year_end, "1990.00", "0.005")
    assert result.year_end == result.actual_to_date + result.forecast_rest


def test_multiplicative_seasonality_is_chosen_for_a_series_that_grows_by_month_factors() -> None:
    assert forecast_year_end(seasonal(30), 2025).method == "holt_winters_multiplicative"


def test_a_multi_year_target_is_projected_month_by_month_to_its_december() -> None:
    result = forecast_year_end(seasonal(30), 2027)
    assert (result.actual_to_date, result.months_forecast) == (Decimal("0.00"), 12)
    assert within(result.year_end, "2585.20", "0.01")


def test_band_surrounds_the_estimate() -> None:
    result = forecast_year_end(seasonal(30), 2025)
    assert result.low is not None and result.high is not None
    assert result.low <= result.year_end <= result.high


def test_a_noisy_seasonal_series_still_lands_within_three_percent() -> None:
    # ±2% alternating noise on top of the formula; truth as above.
    noisy = [(m, v * (Decimal("1.02") if t % 2 else Decimal("0.98"))) for t, (m, v) in enumerate(seasonal(36))]
    truth = sum((172 + 2 * k) * SEASON[k] for k in range(12))  # 2026: 172·12.4 + 154.8 = 2,287.60
    assert truth == Decimal("2287.60")
    result = forecast_year_end(noisy[:30], 2026)  # last observation 2025-06: 18 months ahead
    assert within(result.year_end, "2287.60", "0.03")


def test_year_end_is_rounded_to_the_fen() -> None:
    result = forecast_year_end(seasonal(30), 2025)
    assert result.year_end.as_tuple().exponent == -2
    assert result.forecast_rest.as_tuple().exponent == -2


def test_fewer_than_24_months_use_holt_linear_without_season() -> None:
    # a straight line 100, 110, ... (2024-01 .. 2024-08): Holt follows it; the rest of 2024 is 180+190+200+210.
    line = [(month(t, date(2024, 1, 1)), Decimal(100 + 10 * t)) for t in range(8)]
    result = forecast_year_end(line, 2024)
    assert result.method == "holt_linear"
    assert result.actual_to_date == Decimal("1080.00")  # 100 + 110 + ... + 170
    assert within(result.year_end, "1860.00", "0.005")  # 1080 + 780
    assert "未计季节" in METHODS[result.method]


def test_fewer_than_6_months_carry_the_last_value_forward() -> None:
    short = [(date(2025, m, 1), Decimal(10 * m)) for m in range(1, 5)]  # 10, 20, 30, 40
    result = forecast_year_end(short, 2025)
    assert result.method == "naive"
    assert result.year_end == Decimal("420.00")  # 100 observed + 8 months × 40
    assert (result.low, result.high) == (None, None)


def test_an_observed_year_is_summed_exactly_without_a_model() -> None:
    result = forecast_year_end(seasonal(30), 2024)
    assert result.method == "actual"
    assert result.year_end == sum((124 + 2 * k) * SEASON[k] for k in range(12)) == Decimal("1692.40")
    assert result.months_forecast == 0


def test_months_before_the_series_starts_are_listed_as_missing() -> None:
    series = [(date(2024, m, 1), Decimal(100)) for m in range(3, 13)]  # starts in March
    result = forecast_year_end(series, 2024)
    assert result.missing_months == (date(2024, 1, 1), date(2024, 2, 1))
    assert result.year_end == Decimal("1000.00")  # the ten months observed; January and February are not guessed


def test_a_count_is_forecast_as_its_december_value() -> None:
    # live entities 15,000 + 300 per month from 2025-01; December 2027 is month 35: 15,000 + 300·35 = 25,500.
    counts = [(month(t, date(2025, 1, 1)), Decimal(15000 + 300 * t)) for t in range(10)]
    result = forecast_year_end(counts, 2027, aggregate="last")
    assert result.actual_to_date == Decimal(17700)  # October 2025
    assert within(result.year_end, "25500", "0.005")


@pytest.mark.parametrize(
    ("series", "year", "error", "message"),
    [
        ([], 2025, ValueError, "empty"),
        ([(date(2025, 1, 15), Decimal(1))], 2025, ValueError, "not the first day"),
        ([(date(2025, 1, 1), Decimal(1)), (date(2025, 3, 1), Decimal(1))], 2025, ValueError, "2025-01 is followed by 2025-03"),
        ([(date(2025, 1, 1), Decimal(1)), (date(2025, 1, 1), Decimal(2))], 2025, ValueError, "given twice"),
        ([(date(2025, 1, 1), 1.5)], 2025, TypeError, "float"),
        ([(date(2025, 1, 1), Decimal(1))], 2024, ValueError, "after the year 2024"),
    ],
)
def test_bad_series_are_refused_with_the_reason(series: list, year: int, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        forecast_year_end(series, year)
