"""Progress (进度) of a target: how far it is reached and where the trend leads by its due date (docs/targets.md).

Progress compares a forecast at the due date with the target by the target's own rule: "over" (超过/突破) needs the
forecast strictly above the figure, "at_least" (以上/不低于/达到) reaching it is enough (《民法典》第1259条).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from livecommerce.core.money import YI, format_wan, format_yi
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats.forecast import Forecast, forecast_year_end
from livecommerce.stats.models import Target
from livecommerce.stats.targets_catalogue import TARGET_INDICATORS, SeedTarget

SHARE = Decimal("0.0001")
Series = list[tuple[date, Decimal]]


@dataclass(frozen=True)
class Progress:
    """How far a target is reached and where the trend leads by its due date.

    ``actual`` is the exact figure passed in; ``achieved`` what of it counts towards the target (for a growth target,
    the increase over the same months of the year before); ``forecast`` the estimate at the due date (for growth, the
    year's increase) with its 90% band ``low``-``high`` where the method gives one; ``gap`` = forecast − target;
    ``statement`` says it in one Chinese sentence."""

    code: str
    as_of: date
    actual: Decimal
    achieved: Decimal | None
    share: Decimal | None  # achieved / target, 4 decimals: 0.5123 is 51.23%
    forecast: Decimal
    low: Decimal | None
    high: Decimal | None
    method: str  # a key of forecast.METHODS, or "latest" (no series) or "closed" (due date passed)
    on_track: bool
    gap: Decimal
    statement: str = ""
    detail: Forecast | None = None


def meets(comparison: str, value: Decimal, target: Decimal) -> bool:
    """Whether value meets target: "over" (超过) strictly greater, "at_least" (以上/达到) greater or equal."""
    if comparison == "over":
        return value > target
    if comparison == "at_least":
        return value >= target
    raise ValueError(f"unknown comparison {comparison!r}")


@dataclass(frozen=True)
class _Estimate:
    """What the series says of a target: the model's forecast (if any), what counts so far and the baseline taken
    off (a growth target's year before)."""

    detail: Forecast | None
    achieved: Decimal | None
    baseline: Decimal


def _estimate(target: Target | SeedTarget, actual: Decimal, series: Series, as_of: date, previous: Decimal | None) -> _Estimate:
    kind = TARGET_INDICATORS[target.indicator].kind
    if kind == "growth":
        year = min(as_of.year, target.due_date.year)
        baseline = _previous_year(series, year, previous)
        detail = forecast_year_end(series, year) if series else None
        return _Estimate(detail, _increase_to_date(series, year, actual), baseline)
    if series and as_of <= target.due_date:
        return _Estimate(
            forecast_year_end(series, target.due_date.year, aggregate="sum" if kind == "amount" else "last"), actual, Decimal("0.00")
        )
    return _Estimate(None, actual, Decimal("0.00"))


def _band(estimate: _Estimate, actual: Decimal, whole: bool) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """The forecast and its 90% band, the baseline taken off; a count's rounded to a whole number."""
    detail, baseline = estimate.detail, estimate.baseline
    forecast = (detail.year_end if detail else actual) - baseline
    low = detail.low - baseline if detail and detail.low is not None else None
    high = detail.high - baseline if detail and detail.high is not None else None
    if whole and detail:  # a forecast count is a whole number of enterprises, bases, people
        forecast, low, high = (_whole(value) for value in (forecast, low, high))
    return forecast, low, high


def progress(
    target: Target | SeedTarget,
    actual: Decimal,
    monthly: Series,
    as_of: date,
    *,
    previous_year_actual: Decimal | None = None,
) -> Progress:
    """Progress of a target on ``as_of``.

    ``actual`` is the indicator's exact figure so far: for an amount, the total of the year of ``as_of`` (or of the
    due year once it has passed) to date; for a growth target, the same total (the increase is taken against the year
    before: ``previous_year_actual``, or the series' twelve months of that year); for a count, the latest count.
    ``monthly`` is the indicator's monthly series (first of month → value; counts: the value at each month), may be
    empty: an amount then forecasts its actual, a count its latest value, and the statement says so."""
    goal = Decimal(target.target_value)
    series = [(month, value) for month, value in monthly if month <= as_of]
    estimate = _estimate(target, actual, series, as_of, previous_year_actual)
    forecast, low, high = _band(estimate, actual, TARGET_INDICATORS[target.indicator].kind == "count")
    detail, achieved = estimate.detail, estimate.achieved
    method = detail.method if detail else ("closed" if as_of > target.due_date else "latest")
    share = (achieved / goal).quantize(SHARE, rounding=ROUND_HALF_UP) if achieved is not None and goal else None
    on_track = meets(target.comparison, forecast, goal)
    result = Progress(target.code, as_of, actual, achieved, share, forecast, low, high, method, on_track, forecast - goal, detail=detail)
    return replace(result, statement=statement(target, result))


def _whole(value: Decimal | None) -> Any:
    return None if value is None else value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _previous_year(series: Series, year: int, given: Decimal | None) -> Decimal:
    if given is not None:
        return given
    months = [value for month, value in series if month.year == year - 1]
    if len(months) != 12:
        raise ValueError(
            f"a growth target needs {year - 1}'s total: pass previous_year_actual or a series with its 12 months ({len(months)} given)"
        )
    return sum(months, Decimal("0.00"))


def _increase_to_date(series: Series, year: int, actual: Decimal) -> Decimal | None:
    """This year's total to date minus the same months of the year before, when the series has them."""
    this_year = [month for month, _ in series if month.year == year]
    if not this_year:
        return None
    before = [value for month, value in series if month.year == year - 1 and month.month <= this_year[-1].month]
    if len(before) != this_year[-1].month:
        return None
    return actual - sum(before, Decimal("0.00"))


# --- the statement ---------------------------------------------------------------------------------------------------


def _amount(target: Target | SeedTarget, value: Decimal) -> str:
    """A figure in the target's unit: yuan as 亿元 (targets of 1亿 or more) or 万元, two decimals half-up."""
    if target.unit == "元":
        return f"{format_yi(value)}亿元" if abs(Decimal(target.target_value)) >= YI else f"{format_wan(value)}万元"
    shown = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{shown}{target.unit}"


def _figure(target: Target | SeedTarget, result: Progress) -> str:
    """The forecast as shown: in the target's unit, its band in brackets, and the months missing from an amount."""
    kind = TARGET_INDICATORS[target.indicator].kind
    figure = _amount(target, abs(result.forecast) if kind == "growth" else result.forecast)
    if result.low is not None and result.high is not None:
        figure += f"(90%区间{_amount(target, result.low)}至{_amount(target, result.high)})"
    if result.detail and result.detail.missing_months and kind == "amount":
        first, last = result.detail.missing_months[0], result.detail.missing_months[-1]
        figure += f"(缺{first.year}年{first.month}-{last.month}月数据，未计入)"
    return figure


def _opening(target: Target | SeedTarget, result: Progress) -> str:
    """What is expected: the forecast of the indicator at the due date (or the year's increase, or the actual)."""
    indicator = TARGET_INDICATORS[target.indicator]
    due = target.due_date
    when = f"{due.year}年末" if (due.month, due.day) == (12, 31) else f"{due.year}年{due.month}月{due.day}日"
    place = "全省" if target.region_code == PROVINCE else regions().get(target.region_code).name
    figure = _figure(target, result)
    if indicator.kind == "growth":
        year = result.detail.year if result.detail else min(result.as_of.year, due.year)
        lead = "按已完成值(无月度序列)，" if result.method == "latest" else "按当前趋势，预计"
        change = "增加" if result.forecast >= 0 else "减少"
        return f"{lead}{year}年{place}{indicator.name}较上年{change}{figure}"
    if result.method == "closed":
        return f"目标期已结束，{when}{place}{indicator.name}实际{figure}"
    if result.method == "latest":
        return f"按最新值(无月度序列，以最新值作为预测)，预计{when}{place}{indicator.name}{figure}"
    return f"按当前趋势，预计{when}{place}{indicator.name}{figure}"


def _comparison(target: Target | SeedTarget, result: Progress) -> str:
    """The forecast against the target, by the target's rule (超过 excludes the figure itself)."""
    goal = _amount(target, Decimal(target.target_value))
    if result.gap > 0:
        return f"高于目标{goal}{_amount(target, result.gap)}"
    if result.gap < 0:
        return f"低于目标{goal}{_amount(target, -result.gap)}"
    if target.comparison == "over":
        return f"恰好等于目标{goal}，但目标要求超过该数，不含本数(《民法典》第1259条)"
    return f"恰好达到目标{goal}"


def statement(target: Target | SeedTarget, result: Progress) -> str:
    """The plain Chinese sentence of a progress: what is expected, against which target, on track or not."""
    if result.method == "closed":
        verdict = "已完成" if result.on_track else "未完成"
    else:
        verdict = "进度正常" if result.on_track else "未达进度"
    return f"{_opening(target, result)}，{_comparison(target, result)}，{verdict}"
