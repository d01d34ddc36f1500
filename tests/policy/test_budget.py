"""Budgets (预算): places of a unit subsidy budget and the two allocations, on figures small enough to check by hand."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.policy import budget
from livecommerce.policy.parameters import catalogue

D = Decimal
SMALL = [("a", D("100.00")), ("b", D("200.00")), ("c", D("300.00"))]


def test_places_of_the_fund_budget() -> None:
    # 001 第六条 方向(一): 3400万元 at 2.27万元 an object = 1497.79… → 1497 places (not the 1500 of the text).
    assert budget.places(D("34000000.00"), D("22700.00")) == 1497
    assert catalogue()["FUND/accept.budget"].values[-1] == D("34000000.00")


@pytest.mark.parametrize(
    ("cash", "unit", "expected"), [("22700.00", "22700.00", 1), ("22699.99", "22700.00", 0), ("0", "22700.00", 0), ("100.00", "0.03", 3333)]
)
def test_places_is_the_floor(cash: str, unit: str, expected: int) -> None:
    assert budget.places(D(cash), D(unit)) == expected


@pytest.mark.parametrize(("cash", "unit"), [("100", "0"), ("-1", "10"), ("100", "0.001")])
def test_places_refuses_bad_figures(cash: str, unit: str) -> None:
    with pytest.raises(ValidationFailed):
        budget.places(D(cash), D(unit))


def test_pro_rata_halves_everyone() -> None:
    allocation = budget.allocate(SMALL, D("300.00"), "pro_rata")
    assert allocation.paid == {"a": D("50.00"), "b": D("100.00"), "c": D("150.00")}
    summary = allocation.summary()
    assert summary | {"largest_cut": None} == {
        "method": "pro_rata",
        "label": "按比例分配",
        "budget": "300.00",
        "entitled": "600.00",
        "paid": "300.00",
        "shortfall": "300.00",
        "unused": "0.00",
        "count": 3,
        "fully_paid": 0,
        "cut": 3,
        "unpaid": 0,
        "largest_cut": None,
    }
    assert summary["largest_cut"] == {"id": "c", "amount": "150.00"}


def test_rank_pays_the_largest_first() -> None:
    allocation = budget.allocate(SMALL, D("300.00"), "rank")
    assert allocation.paid == {"a": D("0.00"), "b": D("0.00"), "c": D("300.00")}
    summary = allocation.summary()
    assert (summary["fully_paid"], summary["cut"], summary["unpaid"]) == (1, 0, 2)
    assert summary["largest_cut"] == {"id": "b", "amount": "200.00"}


def test_rank_gives_the_first_that_does_not_fit_the_rest_and_later_ones_nothing() -> None:
    # 350: c 300 in full, b gets the 50 left, a (100) gets 0 although 0 < 100.
    allocation = budget.allocate(SMALL, D("350.00"), "rank")
    assert allocation.paid == {"a": D("0.00"), "b": D("50.00"), "c": D("300.00")}
    assert allocation.summary()["cut"] == 1 and allocation.summary()["unpaid"] == 1


def test_leftover_fen_go_to_the_largest_remainders_then_by_id() -> None:
    # 100.00 among three equal claims of 100.00: 33.33 each, one fen left, to "a" (equal remainders, smallest id).
    paid = budget.allocate([("c", D("100")), ("a", D("100")), ("b", D("100"))], D("100.00"), "pro_rata").paid
    assert paid == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    # 5.00 among 1.00 / 2.00 / 4.00 (total 7.00): exact shares 0.714…, 1.428…, 2.857… → 0.71, 1.42, 2.85 (4.98);
    # remainders 3/7 fen (a), 6/7 (b), 5/7 (c): the two fen left go to b and c.
    paid = budget.allocate([("a", D("1")), ("b", D("2")), ("c", D("4"))], D("5.00"), "pro_rata").paid
    assert paid == {"a": D("0.71"), "b": D("1.43"), "c": D("2.86")}
    assert sum(paid.values()) == D("5.00")


def test_everyone_is_paid_in_full_when_the_budget_suffices() -> None:
    for method in budget.METHODS:
        allocation = budget.allocate(SMALL, D("1000.00"), method)
        assert allocation.paid == dict(SMALL)
        summary = allocation.summary()
        assert (summary["fully_paid"], summary["shortfall"], summary["unused"], summary["largest_cut"]) == (3, "0.00", "400.00", None)


def test_rank_ties_are_broken_by_id() -> None:
    paid = budget.allocate([("z", D("100")), ("m", D("100")), ("a", D("100"))], D("150.00"), "rank").paid
    assert paid == {"a": D("100.00"), "m": D("50.00"), "z": D("0.00")}


def test_the_result_does_not_depend_on_input_order() -> None:
    rng = random.Random(7)
    claims = [(f"E{i:03d}", D(rng.randrange(1, 10_000_000)) / 100) for i in range(200)]
    cash = sum((a for _, a in claims), D(0)) * D("0.37")
    cash = cash.quantize(D("0.01"))
    for method in budget.METHODS:
        expected = budget.allocate(claims, cash, method)
        assert sum(expected.paid.values()) == cash
        shuffled = claims[:]
        rng.shuffle(shuffled)
        assert budget.allocate(shuffled, cash, method).paid == expected.paid


def test_compare_shows_both_methods_side_by_side() -> None:
    out = budget.compare(SMALL, D("300.00"))
    assert out["budget"] == "300.00" and out["entitled"] == "600.00" and out["fits"] is False
    assert set(out["methods"]) == {"pro_rata", "rank"}
    assert out["methods"]["rank"]["unpaid"] == 2 and out["methods"]["pro_rata"]["cut"] == 3
    assert out["rows"] == [
        {"id": "a", "entitled": "100.00", "pro_rata": "50.00", "rank": "0.00"},
        {"id": "b", "entitled": "200.00", "pro_rata": "100.00", "rank": "0.00"},
        {"id": "c", "entitled": "300.00", "pro_rata": "150.00", "rank": "300.00"},
    ]


@pytest.mark.parametrize(
    ("claims", "cash", "method"),
    [
        ([("a", D("1")), ("a", D("2"))], D("1"), "pro_rata"),  # duplicate id
        ([("a", D("-1"))], D("1"), "pro_rata"),  # negative
        ([("a", D("0.001"))], D("1"), "rank"),  # below the fen
        ([("a", 1.5)], D("1"), "rank"),  # a float
        ([("a", D("1"))], D("-1"), "rank"),  # negative budget
        ([("a", D("1"))], D("1"), "lottery"),  # unknown method
    ],
)
def test_bad_input_is_refused(claims: list, cash: Decimal, method: str) -> None:
    with pytest.raises(ValidationFailed):
        budget.allocate(claims, cash, method)


def test_zero_entitlements_and_no_entitlements() -> None:
    allocation = budget.allocate([("a", D("0")), ("b", D("10"))], D("5"), "pro_rata")
    assert allocation.paid == {"a": D("0.00"), "b": D("5.00")}
    empty = budget.allocate([], D("5"), "rank").summary()
    assert (empty["count"], empty["paid"], empty["largest_cut"]) == (0, "0.00", None)
