"""The trace of one clause for one entity (计算过程): inputs, each threshold comparison in words, the raw amount, the cap
and the amount. A ``Check`` records as the clause runs; ``Finding`` is what it leaves behind."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")


def yuan(amount: Decimal) -> str:
    """12345.6 → '12,345.60元'."""
    return f"{amount:,.2f}元"


def money(amount: Decimal) -> str:
    """The JSON form of an amount: a decimal string with two decimals."""
    return f"{amount.quantize(FEN, rounding=ROUND_HALF_UP)}"


def percent(rate: Decimal) -> str:
    """0.02 → '2%', 0.002 → '2‰', 0.0345 → '3.45%'."""
    if rate != 0 and (rate * 100) != (rate * 100).to_integral_value() and rate * 1000 == (rate * 1000).to_integral_value():
        return f"{(rate * 1000).normalize():f}‰"
    return f"{(rate * 100).normalize():f}%"


@dataclass
class Finding:
    """What one clause concluded for one entity: eligible with an amount, or not and why."""

    clause: str
    eligible: bool
    amount: Decimal
    trace: dict[str, Any]
    reason: str = ""


class Check:
    """Records one clause's reasoning for one entity as it runs."""

    __slots__ = ("clause", "inputs", "steps", "failed", "notes")

    def __init__(self, clause: Any) -> None:
        self.clause = clause
        self.inputs: dict[str, str] = {}
        self.steps: list[str] = []
        self.failed: str = ""
        self.notes: list[str] = []

    def input(self, label: str, value: Any) -> None:
        self.inputs[label] = (
            yuan(value)
            if isinstance(value, Decimal) and value == value.quantize(FEN) and "人" not in label and "率" not in label
            else str(value)
        )

    def note(self, text: str) -> None:
        self.notes.append(text)

    def info(self, text: str) -> None:
        """Record a step of the computation that is not a condition."""
        self.steps.append(text)

    def test(self, passed: bool, text: str) -> bool:
        """Record one condition; the first that fails is the reason the clause does not apply."""
        self.steps.append(f"{text}: {'满足' if passed else '不满足'}")
        if not passed and not self.failed:
            self.failed = text
        return passed

    def at_least(self, label: str, value: Decimal, threshold: Decimal, unit: str = "元") -> bool:
        """以上 (≥, 含本数): 《民法典》第1259条."""

        def shown(v: Decimal) -> str:
            return yuan(v) if unit == "元" else f"{v}{unit}"

        sign = "≥" if value >= threshold else "<"
        return self.test(value >= threshold, f"{label} {shown(value)} {sign} {shown(threshold)} (以上, 含本数)")

    def over(self, label: str, value: Decimal, threshold: Decimal) -> bool:
        """超过 (>, 不含本数): 《民法典》第1259条."""
        sign = ">" if value > threshold else "≤"
        return self.test(value > threshold, f"{label} {yuan(value)} {sign} {yuan(threshold)} (超过, 不含本数)")

    def not_found(self, reason: str) -> Finding:
        return Finding(self.clause.id, False, Decimal("0.00"), self._trace(None, None, None), reason)

    def fail(self) -> Finding:
        return self.not_found(self.failed or "条件不满足")

    def grant(self, raw: Decimal, cap: Decimal | None, formula: str) -> Finding:
        """Eligible: the raw amount (rounded half-up to the fen), the cap, and the amount."""
        raw = raw.quantize(FEN, rounding=ROUND_HALF_UP)
        amount = raw if cap is None else min(raw, cap)
        if cap is not None:
            self.steps.append(f"上限 {yuan(cap)}: {'已封顶, 取上限' if raw > cap else '未超上限'}")
        return Finding(self.clause.id, True, amount, self._trace(raw, cap, formula))

    def _trace(self, raw: Decimal | None, cap: Decimal | None, formula: str | None) -> dict[str, Any]:
        c = self.clause
        out: dict[str, Any] = {
            "clause": c.id,
            "title": c.title,
            "document": c.document,
            "citation": c.citation,
            "quote": c.quote,
            "inputs": self.inputs,
            "tests": self.steps,
        }
        if formula is not None:
            out["formula"] = formula
            out["raw"] = money(raw) if raw is not None else None
            out["cap"] = money(cap) if cap is not None else None
            out["amount"] = money(raw if cap is None else min(raw, cap)) if raw is not None else None
        if self.notes:
            out["notes"] = self.notes
        return out


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small, acyclic objects are made (traces): it would otherwise
    scan them again and again, a third of the time of a 22,000-entity run (bench/policy.py)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
