"""Forecasts (预测) of a year's value from a monthly series, for the progress of targets (stats/targets.py).

A forecast is an estimate, not a statistic: the model works in float and its output is converted to Decimal (rounded
half-up to the fen) at the boundary, while the months already observed are summed exactly in Decimal. Which model
is used depends on how much history there is, and the result names it:

- 24 months or more: Holt-Winters exponential smoothing (statsmodels ``ExponentialSmoothing``) with an additive
  trend and a seasonality of 12 months, additive or multiplicative (multiplicative only when every value is
  positive), whichever fits better by AICc;
- 6 to 23 months: Holt's linear trend, without seasonality (a year of history cannot separate season from trend);
- fewer than 6 months: the last value carried forward.

The band is the 5th to 95th percentile of 1,000 paths simulated from the fitted model (fixed seed, so the same
series gives the same band); the naive method has none. Forecast months are never below zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np

from livecommerce.core.money import FEN

Aggregate = Literal["sum", "last"]

SEASONAL_HISTORY = 24  # months needed before seasonality is modelled
TREND_HISTORY = 6  # months needed before a trend is modelled
SIMULATIONS = 1000
BAND = (5.0, 95.0)  # percentiles of the simulated year-end values: a 90% band

METHODS = {
    "actual": "实际值(该年各月均已有数据，无需预测)",
    "holt_winters_multiplicative": "Holt-Winters指数平滑(加法趋势、乘法季节，周期12个月)",
    "holt_winters_additive": "Holt-Winters指数平滑(加法趋势、加法季节，周期12个月)",
    "holt_linear": "Holt线性趋势指数平滑(历史不足24个月，未计季节)",
    "naive": "末值外推(历史不足6个月)",
}


@dataclass(frozen=True)
class Forecast:
    """The estimate of one year's value: the months observed (exact) plus the months forecast (an estimate).

    For ``aggregate="sum"`` (an amount such as 网络零售额) the year's value is the sum of its twelve months; for
    ``"last"`` (a count such as 企业数量) it is the value of December."""

    year: int
    aggregate: Aggregate
    actual_to_date: Decimal  # sum of the year's observed months ("sum"), or the latest observed value ("last")
    forecast_rest: Decimal  # the forecast of the year's remaining months ("sum"), or December's forecast ("last")
    year_end: Decimal  # the estimate of the year's value, rounded half-up to the fen
    low: Decimal | None  # 90% band of year_end from simulated paths; None when the method has none
    high: Decimal | None
    months_of_history: int  # observed months the model was fitted on
    months_forecast: int  # months of ``year`` that are forecast rather than observed
    last_observed: date  # first day of the latest observed month
    method: str  # a key of METHODS
    missing_months: tuple[date, ...] = ()  # months of ``year`` before the series starts: neither observed nor counted

    @property
    def method_label(self) -> str:
        """The method in Chinese, for statements and pages."""
        return METHODS[self.method]


def forecast_year_end(monthly: Sequence[tuple[date, Decimal]], year: int, *, aggregate: Aggregate = "sum") -> Forecast:
    """Estimate the value of ``year`` from a monthly series (first day of month → value).

    The series may start at any month (missing leading months); it must have no gap after its start. When ``year``
    lies beyond the series (a target due at the end of 2027), the model projects month by month to its December."""
    series = _checked(monthly)
    first, last = series[0][0], series[-1][0]
    months = [date(year, month, 1) for month in range(1, 13)]
    if months[-1] < first:
        raise ValueError(f"the monthly series starts in {first:%Y-%m}, after the year {year}: nothing to estimate")
    observed = [(month, value) for month, value in series if month.year == year]
    missing = tuple(month for month in months if month < first)
    horizon = max(0, _months_between(last, months[-1]))
    ahead = min(horizon, 12)  # months of ``year`` that lie after the last observation
    if aggregate == "sum":
        actual = sum((value for _, value in observed), Decimal("0.00"))
    else:
        actual = next(value for month, value in reversed(series) if month <= months[-1])
    if horizon == 0:
        return Forecast(year, aggregate, actual, Decimal("0.00"), _money(actual), None, None, len(series), 0, last, "actual", missing)
    values = np.array([float(value) for _, value in series])
    scale = float(np.abs(values).mean()) or 1.0  # the optimiser's tolerances are absolute: fit on a unit scale
    method, path, simulated = _fit_and_project(values / scale, horizon)
    path = path * scale
    simulated = simulated * scale if simulated is not None else None
    rest = path[-ahead:].sum() if aggregate == "sum" else path[-1]
    year_end = _money(actual + _money(rest)) if aggregate == "sum" else _money(rest)
    low = high = None
    if simulated is not None:
        ends = simulated[-ahead:].sum(axis=0) if aggregate == "sum" else simulated[-1]
        base = float(actual) if aggregate == "sum" else 0.0
        low_value, high_value = np.percentile(base + ends, BAND)
        low, high = _money(low_value), _money(high_value)
    return Forecast(year, aggregate, actual, _money(rest), year_end, low, high, len(series), ahead, last, method, missing)


def _checked(monthly: Sequence[tuple[date, Decimal]]) -> list[tuple[date, Decimal]]:
    """The series sorted by month; ValueError for an empty series, a date that is not a first of month, a float,
    a month given twice or a gap (a missing month is not guessed)."""
    if not monthly:
        raise ValueError("an empty monthly series cannot be forecast")
    series = sorted(monthly, key=lambda item: item[0])
    for index, (month, value) in enumerate(series):
        if month.day != 1:
            raise ValueError(f"monthly series: {month} is not the first day of a month")
        if isinstance(value, float):
            raise TypeError(f"monthly series: the value of {month:%Y-%m} is a float; pass a Decimal")
        if index and _months_between(series[index - 1][0], month) != 1:
            previous = series[index - 1][0]
            problem = "is given twice" if previous == month else f"is followed by {month:%Y-%m} (a gap)"
            raise ValueError(f"monthly series: {previous:%Y-%m} {problem}")
    return [(month, Decimal(value)) for month, value in series]


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _money(value: Any) -> Decimal:
    """A float or Decimal as yuan, rounded half-up to the fen (the boundary between the model and exact money)."""
    return Decimal(value if isinstance(value, Decimal) else float(value)).quantize(FEN, rounding=ROUND_HALF_UP)


def _fit_and_project(values: np.ndarray, horizon: int) -> tuple[str, np.ndarray, np.ndarray | None]:
    """The method chosen for this much history, its point path over ``horizon`` months and simulated paths
    (horizon × SIMULATIONS, or None for the naive method); every month clipped at zero."""
    if len(values) < TREND_HISTORY:
        return "naive", np.full(horizon, max(values[-1], 0.0)), None
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    candidates: list[tuple[str, str | None]] = [("holt_linear", None)]
    if len(values) >= SEASONAL_HISTORY:
        candidates = [("holt_winters_additive", "add")]
        if (values > 0).all():
            candidates.append(("holt_winters_multiplicative", "mul"))
    best: tuple[float, str, Any, str] | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser; the fit is still the best found
        for method, seasonal in candidates:
            model = ExponentialSmoothing(
                values, trend="add", seasonal=seasonal, seasonal_periods=12 if seasonal else None, initialization_method="estimated"
            )
            fitted = model.fit()
            score = _score(fitted)
            if best is None or score < best[0]:
                best = (score, method, fitted, seasonal or "add")
        assert best is not None
        _, method, fitted, error = best
        path = np.clip(np.asarray(fitted.forecast(horizon), dtype=float), 0.0, None)
        simulated = fitted.simulate(horizon, anchor="end", repetitions=SIMULATIONS, error=error, rng=np.random.default_rng(0))
    simulated = np.clip(np.asarray(simulated, dtype=float).reshape(horizon, SIMULATIONS), 0.0, None)
    return method, path, simulated


def _score(fitted: Any) -> float:
    """AICc where it is finite, else AIC: lower is better."""
    for value in (fitted.aicc, fitted.aic):
        if value is not None and np.isfinite(value):
            return float(value)
    return float("inf")
