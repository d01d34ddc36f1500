"""Budgets (预算): how many unit subsidies a budget holds, and how a budget smaller than the entitlements is shared.

Two allocations are offered side by side, because the documents say how much each award is but not what happens when
the money runs short: **pro rata** (按比例分配, everyone cut by the same proportion) and **by rank** (按排序分配, the
largest paid first). All arithmetic is in whole fen (integers), so every result is exact and sums to the budget.
docs/policies.md (Budgets) is the public statement of these rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.money import FEN, to_money

METHODS = {"pro_rata": "按比例分配", "rank": "按排序分配"}
ZERO = Decimal("0.00")


def _fen(amount: Decimal) -> int:
    """An amount in yuan as whole fen."""
    return int(amount * 100)


def _yuan(fen: int) -> Decimal:
    """Whole fen as yuan with two decimals."""
    return (Decimal(fen) / 100).quantize(FEN)


def _show(amount: Decimal) -> str:
    """The JSON form of an amount: a decimal string with two decimals."""
    return f"{amount.quantize(FEN)}"


def _amount(value: object, what: str) -> Decimal:
    """An amount ≥ 0 in yuan with at most two decimals (never a float), or ValidationFailed naming it."""
    try:
        amount = to_money(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        rule = str(exc) if isinstance(exc, (TypeError, ValueError)) else "not a finite amount"
        raise ValidationFailed(f"{what} {value!r}: {rule}", [Problem(rule, what, repr(value))]) from exc
    if amount < 0:
        raise ValidationFailed(f"{what} {value!r}: must not be negative", [Problem("must not be negative", what, repr(value))])
    return amount.quantize(FEN)


def places(budget: Decimal, unit: Decimal) -> int:
    """001 第六条 方向(一): how many objects a unit subsidy budget pays, floor(budget / unit); 3400万 / 2.27万 = 1497."""
    budget, unit = _amount(budget, "budget"), _amount(unit, "unit")
    if unit == 0:
        raise ValidationFailed("unit 0.00: a unit subsidy must be more than 0", [Problem("must be more than 0", "unit", "0.00")])
    return _fen(budget) // _fen(unit)


@dataclass(frozen=True)
class Allocation:
    """What a budget pays each entitlement under one method (分配结果), and the summary of what the method costs."""

    method: str
    budget: Decimal
    entitled: dict[str, Decimal]
    paid: dict[str, Decimal]

    def cut(self, ident: str) -> Decimal:
        """How much of one entitlement is not paid."""
        return self.entitled[ident] - self.paid[ident]

    def summary(self) -> dict[str, Any]:
        """Budget, entitled, paid, shortfall, unused, counts fully paid / cut / unpaid, and the largest cut (JSON-ready)."""
        entitled = sum(self.entitled.values(), ZERO)
        paid = sum(self.paid.values(), ZERO)
        ids = sorted(self.entitled)
        fully = sum(1 for i in ids if self.paid[i] == self.entitled[i])
        unpaid = sum(1 for i in ids if self.paid[i] == 0 < self.entitled[i])
        largest = min(ids, key=lambda i: (-self.cut(i), i)) if ids else None
        return {
            "method": self.method,
            "label": METHODS[self.method],
            "budget": _show(self.budget),
            "entitled": _show(entitled),
            "paid": _show(paid),
            "shortfall": _show(entitled - paid),
            "unused": _show(self.budget - paid),
            "count": len(ids),
            "fully_paid": fully,
            "cut": len(ids) - fully - unpaid,
            "unpaid": unpaid,
            "largest_cut": ({"id": largest, "amount": _show(self.cut(largest))} if largest is not None and self.cut(largest) > 0 else None),
        }

    def rows(self) -> list[dict[str, Any]]:
        """Per entitlement, by id: entitled, paid and cut (JSON-ready)."""
        return [
            {"id": i, "entitled": _show(self.entitled[i]), "paid": _show(self.paid[i]), "cut": _show(self.cut(i))}
            for i in sorted(self.entitled)
        ]

    def to_json(self) -> dict[str, Any]:
        """The summary and the rows (JSON-ready)."""
        return {"summary": self.summary(), "rows": self.rows()}


def _entitlements(entitlements: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The entitlements by id; a repeated id or a bad amount is refused with its position."""
    out: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for row, item in enumerate(entitlements, start=1):
        ident, raw = str(item[0]), item[1]
        if ident in out:
            problems.append(Problem("duplicate id (重复的编号)", "id", ident, row))
            continue
        try:
            out[ident] = _amount(raw, f"entitlement {ident}")
        except ValidationFailed as exc:
            problems.extend(Problem(p.rule, "amount", p.value, row) for p in exc.problems)
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the entitlements; nothing was allocated", problems)
    return out


def _pro_rata(entitled: dict[str, int], budget: int) -> dict[str, int]:
    """Each × budget / total, rounded down to the fen; the fen left over go one each to the largest remainders (ties
    by id ascending). When the total fits the budget everyone is paid in full."""
    total = sum(entitled.values())
    if total <= budget:
        return dict(entitled)
    paid = {i: a * budget // total for i, a in entitled.items()}
    leftover = budget - sum(paid.values())
    for ident in sorted(entitled, key=lambda i: (-(entitled[i] * budget % total), i))[:leftover]:
        paid[ident] += 1
    return paid


def _rank(entitled: dict[str, int], budget: int) -> dict[str, int]:
    """Descending amount (ties by id ascending), paid in full while the budget lasts; the first that does not fit gets
    what is left, every later one 0."""
    paid: dict[str, int] = {}
    left, stopped = budget, False
    for ident in sorted(entitled, key=lambda i: (-entitled[i], i)):
        amount = entitled[ident]
        if not stopped and amount <= left:
            paid[ident], left = amount, left - amount
        elif not stopped:
            paid[ident], left, stopped = left, 0, True
        else:
            paid[ident] = 0
    return paid


def allocate(entitlements: list[tuple[str, Decimal]], budget: Decimal, method: str) -> Allocation:
    """Share ``budget`` among (id, amount) entitlements by ``method`` ("pro_rata" or "rank"); independent of input order."""
    if method not in METHODS:
        raise ValidationFailed(
            f"allocation method {method!r}: pro_rata or rank", [Problem("method is pro_rata or rank", "method", str(method))]
        )
    entitled = _entitlements(entitlements)
    cash = _amount(budget, "budget")
    share = _pro_rata if method == "pro_rata" else _rank
    paid = share({i: _fen(a) for i, a in entitled.items()}, _fen(cash))
    return Allocation(method, cash, entitled, {i: _yuan(f) for i, f in paid.items()})


def compare(entitlements: list[tuple[str, Decimal]], budget: Decimal) -> dict[str, Any]:
    """What each choice costs: both methods' summaries side by side, and per id what each pays (JSON-ready)."""
    both = {method: allocate(entitlements, budget, method) for method in METHODS}
    first = both["pro_rata"]
    return {
        "budget": _show(first.budget),
        "entitled": _show(sum(first.entitled.values(), ZERO)),
        "fits": sum(first.entitled.values(), ZERO) <= first.budget,
        "methods": {method: allocation.summary() for method, allocation in both.items()},
        "rows": [
            {"id": i, "entitled": _show(first.entitled[i]), "pro_rata": _show(first.paid[i]), "rank": _show(both["rank"].paid[i])}
            for i in sorted(first.entitled)
        ],
    }
