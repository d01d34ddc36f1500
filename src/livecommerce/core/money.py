"""Money is exact: Decimal yuan with two decimals; 万元/亿元 with half-up rounding at display only (DESIGN.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
WAN = Decimal("10000")
YI = Decimal("100000000")


def to_money(value: object) -> Decimal:
    """Parse a yuan amount exactly (str, int or Decimal; never float), keeping at most two decimals."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a string or Decimal")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if amount != amount.quantize(FEN):
        raise ValueError(f"more than two decimals: {value!r}")
    return amount.quantize(FEN)


def format_wan(amount: Decimal) -> str:
    """Yuan shown in 万元 with two decimals, half-up: 12345.67 → '1.23'."""
    return f"{(amount / WAN).quantize(FEN, rounding=ROUND_HALF_UP):,}"


def format_yi(amount: Decimal) -> str:
    """Yuan shown in 亿元 with two decimals, half-up."""
    return f"{(amount / YI).quantize(FEN, rounding=ROUND_HALF_UP):,}"
