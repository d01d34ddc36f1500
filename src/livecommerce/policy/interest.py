"""Interest subsidies (贴息) of EC20 1、2、5、8: "按照同期中国人民银行一年期贷款市场报价利率(LPR)据实贴息,贴息期限不超过36个月".

Reading (docs/policies.md, Interest subsidies): the rate is the lower of the contract rate and the 1-year LPR in force
on the drawdown day (据实: never more than the interest actually paid); the window runs from the drawdown day
(counted) to the earlier of the repayment day (not counted) and drawdown + 36 months (算头不算尾); a performance
year's subsidy is principal × rate × days / 360 over the window's days inside that year, half-up to the fen per loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from livecommerce.policy.facts import Loan
from livecommerce.policy.parameters import Fixing, lpr_on
from livecommerce.policy.trace import FEN, percent, yuan


@dataclass(frozen=True)
class LoanYear:
    """One loan's subsidy in one performance year, with the figures it was computed from."""

    loan: Loan
    fixing: Fixing
    rate: Decimal
    start: date
    end: date  # exclusive
    days: int
    amount: Decimal

    def describe(self, day_basis: Decimal) -> str:
        """The computation in words, e.g. '贷款1: 1,000,000.00元 × 3% × 306天 / 360 = 25,500.00元'."""
        rate_note = (
            f"合同利率 {percent(self.loan.contract_rate)} 与放款日 LPR {percent(self.fixing.rate)} "
            f"({self.fixing.day.isoformat()} 报价{'' if self.fixing.checked else ', 未核实'}) 取低 {percent(self.rate)}"
        )
        return (
            f"{self.loan.label} ({self.loan.drawn_on.isoformat()} 放款, 项目总投资 {yuan(self.loan.project_total_investment)}): "
            f"{rate_note}; 计息 {self.start.isoformat()} 至 {self.end.isoformat()} (不含) {self.days}天; "
            f"{yuan(self.loan.principal)} × {percent(self.rate)} × {self.days} / {day_basis} = {yuan(self.amount)}"
        )


def window(loan: Loan, months: int) -> tuple[date, date]:
    """The subsidised days of a loan: [drawn_on, min(repaid_on, drawn_on + months)) — 算头不算尾."""
    end = loan.drawn_on + relativedelta(months=months)
    if loan.repaid_on is not None:
        end = min(end, loan.repaid_on)
    return loan.drawn_on, end


def loan_year(loan: Loan, year: int, months: int, day_basis: Decimal) -> LoanYear:
    """The subsidy of one loan for the days of its window inside ``year``."""
    fixing = lpr_on(loan.drawn_on)
    rate = min(loan.contract_rate, fixing.rate)
    first, end = window(loan, months)
    start, stop = max(first, date(year, 1, 1)), min(end, date(year + 1, 1, 1))
    days = max((stop - start).days, 0)
    amount = (loan.principal * rate * days / day_basis).quantize(FEN, rounding=ROUND_HALF_UP)
    return LoanYear(loan, fixing, rate, start, max(start, stop), days, amount)
