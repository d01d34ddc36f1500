"""The interest subsidy's day count (EC20 1、2、5、8): 年利率/360 a day, from the drawdown day (counted) to the earlier of
repayment (not counted) and drawdown + 36 months, at the lower of the contract rate and the LPR of the drawdown day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from livecommerce.policy.facts import Loan
from livecommerce.policy.interest import loan_year, window
from livecommerce.policy.parameters import lpr_on

BASIS = Decimal("360")


def _loan(drawn: str, repaid: str | None = None, rate: str = "0.04", principal: str = "1000000.00") -> Loan:
    return Loan(
        Decimal(principal),
        date.fromisoformat(drawn),
        date.fromisoformat(repaid) if repaid else None,
        Decimal(rate),
        "platform",
        Decimal("5000000.00"),
        "贷款1",
    )


def test_the_lpr_of_a_day_is_the_latest_fixing_on_or_before_it() -> None:
    assert lpr_on(date(2025, 5, 20)).rate == Decimal("0.0300")  # the fixing day itself: the new rate
    assert lpr_on(date(2025, 5, 19)).rate == Decimal("0.0310")  # the day before: the old one
    assert lpr_on(date(2024, 7, 22)).rate == Decimal("0.0335")
    assert lpr_on(date(2023, 8, 20)).rate == Decimal("0.0355")


def test_36_months_end_on_the_same_day_and_a_month_end_stays_a_month_end() -> None:
    assert window(_loan("2024-01-15"), 36) == (date(2024, 1, 15), date(2027, 1, 15))
    assert window(_loan("2024-02-29"), 36) == (date(2024, 2, 29), date(2027, 2, 28))
    assert window(_loan("2024-01-15", repaid="2025-03-01"), 36) == (date(2024, 1, 15), date(2025, 3, 1))


def test_a_year_counts_the_days_of_the_window_inside_it_over_360() -> None:
    # 2026-03-01..2026-12-31 = 306 days at min(4%, LPR 3.00%): 1,000,000 × 0.03 × 306 / 360 = 25,500.00
    item = loan_year(_loan("2026-03-01"), 2026, 36, BASIS)
    assert (item.days, item.rate, item.amount) == (306, Decimal("0.0300"), Decimal("25500.00"))


def test_the_repayment_day_is_not_counted() -> None:
    # 2026-01-01 (drawn) .. 2026-01-31 (repaid, not counted) = 30 days: 1,000,000 × 0.03 × 30 / 360 = 2,500.00
    item = loan_year(_loan("2026-01-01", repaid="2026-01-31"), 2026, 36, BASIS)
    assert (item.days, item.amount) == (30, Decimal("2500.00"))


def test_a_contract_rate_below_the_lpr_is_the_rate_subsidised() -> None:
    # 据实贴息: never more than the interest paid. 2.80% < 3.00%; 2026-01-06..2026-12-31 = 360 days
    # → 1,000,000 × 0.028 × 360 / 360 = 28,000.00
    item = loan_year(_loan("2026-01-06", rate="0.028"), 2026, 36, BASIS)
    assert (item.days, item.rate, item.amount) == (360, Decimal("0.028"), Decimal("28000.00"))


def test_the_third_year_ends_on_the_36th_month() -> None:
    # drawn 2024-01-15 at the LPR of that day (3.45%): in 2027 only 2027-01-01..2027-01-14 = 14 days remain
    # 1,000,000 × 0.0345 × 14 / 360 = 1,341.666… → 1,341.67 (half-up)
    item = loan_year(_loan("2024-01-15"), 2027, 36, BASIS)
    assert (item.days, item.rate, item.amount) == (14, Decimal("0.0345"), Decimal("1341.67"))
    assert loan_year(_loan("2024-01-15"), 2028, 36, BASIS).days == 0
