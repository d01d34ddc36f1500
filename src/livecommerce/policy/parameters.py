"""Dated parameters (参数): every threshold, rate, cap and list of a clause, with its document, clause and the quoted
Chinese sentence, in ``parameters/*.yaml`` — the way OpenFisca keeps dated parameters with a reference, but exact
(Decimal). A value takes effect on its date; the value of a performance year is the one in force on its last day.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from livecommerce.core.errors import ValidationFailed

Value = Decimal | str | tuple[str, ...]


@dataclass(frozen=True)
class Parameter:
    """One named value over time: ``LIVE20/1a.cap`` = 3000000.00 from 2025-01-03, quoting 附件2 (一)."""

    name: str
    document: str
    clause: str
    description: str
    quote: str
    dates: tuple[date, ...]
    values: tuple[Value, ...]
    checked: tuple[bool, ...]

    def at(self, day: date) -> Value:
        """The value in force on ``day`` (the latest dated on or before it)."""
        return self.values[self.index_at(day)]

    def index_at(self, day: date) -> int:
        i = bisect.bisect_right(self.dates, day) - 1
        if i < 0:
            raise ValidationFailed(f"parameter {self.name} has no value before {day.isoformat()} (first: {self.dates[0]})")
        return i


def _value(raw: Any, name: str) -> tuple[Value, bool]:
    checked = True
    if isinstance(raw, dict):
        checked = bool(raw.get("checked", True))
        raw = raw["value"]
    if isinstance(raw, list):
        return tuple(str(item) for item in raw), checked
    if isinstance(raw, float):
        raise ValueError(f"parameter {name}: write numbers as quoted strings, not {raw!r}")
    text = str(raw)
    try:
        return Decimal(text), checked
    except InvalidOperation:
        return text, checked


def _load(text: str) -> dict[str, Parameter]:
    data = yaml.safe_load(text)
    document, prefix = (
        data["document"],
        {"HLJ-2025-LIVE20": "LIVE20/", "HLJ-2026-EC20": "EC20/", "HLJ-2023-FUND": "FUND/"}.get(data["document"], ""),
    )
    out = {}
    for key, spec in data["parameters"].items():
        name = prefix + key
        dated = sorted((d if isinstance(d, date) else date.fromisoformat(str(d)), v) for d, v in spec["values"].items())
        pairs = [_value(v, name) for _, v in dated]
        out[name] = Parameter(
            name,
            document,
            str(spec["clause"]),
            spec["description"],
            spec["quote"],
            tuple(d for d, _ in dated),
            tuple(v for v, _ in pairs),
            tuple(c for _, c in pairs),
        )
    return out


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Parameter]:
    """Every parameter of every file, by name."""
    out: dict[str, Parameter] = {}
    for file in sorted(resources.files("livecommerce.policy").joinpath("parameters").iterdir(), key=lambda f: f.name):
        if file.name.endswith(".yaml"):
            out.update(_load(file.read_text(encoding="utf-8")))
    return out


def parse_override(name: str, text: str) -> Value:
    """A what-if value for a parameter, checked against the kind of its current value."""
    params = catalogue()
    if name not in params:
        raise ValidationFailed(f"unknown parameter {name!r}; `livecommerce policy clauses --parameters` lists them")
    current = params[name].values[-1]
    if isinstance(current, Decimal):
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation as exc:
            raise ValidationFailed(f"parameter {name}: {text!r} is not a number") from exc
        if value < 0:
            raise ValidationFailed(f"parameter {name}: {text!r} must not be negative")
        return value
    if isinstance(current, tuple):
        return tuple(part.strip() for part in str(text).split(",") if part.strip())
    return str(text)


class Resolved(dict[str, Value]):
    """The values in force for one performance year, with what-if overrides applied (name → value)."""

    overridden: frozenset[str] = frozenset()

    def dec(self, name: str) -> Decimal:
        value = self[name]
        assert isinstance(value, Decimal), name
        return value

    def kinds(self, name: str) -> tuple[str, ...]:
        value = self[name]
        assert isinstance(value, tuple), name
        return value


def resolve(year: int, overrides: dict[str, str] | None = None) -> Resolved:
    """Every parameter's value on 31 December of ``year``, overrides applied. Parameters without a value yet (a
    document not issued by then) fall back to their first value: whether the document applies is decided elsewhere."""
    day = date(year, 12, 31)
    out = Resolved()
    for name, param in catalogue().items():
        if name == "lpr_1y":
            continue
        out[name] = param.values[max(bisect.bisect_right(param.dates, day) - 1, 0)]
    for name, text in (overrides or {}).items():
        out[name] = parse_override(name, text)
    out.overridden = frozenset(overrides or ())
    return out


@dataclass(frozen=True)
class Fixing:
    """One LPR fixing: its date, the rate as a fraction, and whether the value was checked against the announcement."""

    day: date
    rate: Decimal
    checked: bool


def lpr_on(day: date) -> Fixing:
    """The 1-year LPR in force on ``day``: the latest fixing on or before it."""
    param = catalogue()["lpr_1y"]
    i = param.index_at(day)
    rate = param.values[i]
    assert isinstance(rate, Decimal)
    return Fixing(param.dates[i], rate, param.checked[i])
