"""The catalogue of targets (目标): what a target may measure and the seeds' targets, read from ``data/targets.yaml``
beside this module — each dated, with its document, clause and the sentence it is read from (docs/targets.md).

The rules of a target's fields live here too: the catalogue's entries and an administrator's edits (stats.targets)
are held to the same ones. An entry that breaks a rule is refused with the file, the entry, the field and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.money import to_money
from livecommerce.reference.regions import regions
from livecommerce.stats.models import COMPARISONS

CATALOGUE = "data/targets.yaml"
KINDS = ("amount", "growth", "count")
FIELDS = (
    "code",
    "title",
    "indicator",
    "region_code",
    "target_value",
    "unit",
    "comparison",
    "period_start",
    "due_date",
    "document",
    "clause",
    "quote",
    "note",
)
REQUIRED = frozenset(FIELDS) - {"note"}
LENGTHS = {"code": 64, "title": 200, "indicator": 64, "unit": 16, "document": 100, "clause": 100}
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Indicator:
    """What a target measures: its Chinese name and how its value at the due date is formed — "amount" (the due
    year's total, summed from months), "growth" (a year's increase over the year before) or "count" (the latest
    value, e.g. the number of enterprises at the time)."""

    name: str
    kind: str


@dataclass(frozen=True)
class SeedTarget:
    """One target as the seed states it (the rows migration 0003 inserts)."""

    code: str
    title: str
    indicator: str
    region_code: str
    target_value: Decimal
    unit: str
    comparison: str
    period_start: date
    due_date: date
    document: str
    clause: str
    quote: str
    note: str = ""


# --- the rules of a target's fields ----------------------------------------------------------------------------------

Breach = tuple[str, str]  # (field, rule broken)


def _clean_money(value: Any) -> tuple[Any, list[Breach]]:
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        return None, [("target_value", str(exc))]
    return amount, [("target_value", "must not be negative")] if amount < 0 else []


def _clean_text(name: str, value: Any) -> tuple[Any, list[Breach]]:
    if not isinstance(value, str) or (not value.strip() and name != "note"):
        return None, [(name, f"must be text{'' if name == 'note' else ' and not empty'}")]
    if len(value.strip()) > LENGTHS.get(name, 10_000):
        return None, [(name, f"at most {LENGTHS.get(name)} characters")]
    return value.strip(), []


def _clean_value(name: str, value: Any) -> tuple[Any, list[Breach]]:
    """One field's clean value (None when it has none) and the rules it breaks."""
    if name not in FIELDS:
        return None, [(name, "not a field of a target")]
    if name == "target_value":
        return _clean_money(value)
    if name in ("period_start", "due_date"):
        return value, [] if isinstance(value, date) else [(name, f"{value!r} is not a date")]
    return _clean_text(name, value)


def _code_breaches(text: Mapping[str, str], indicators: Mapping[str, Indicator]) -> list[Breach]:
    """The rules of the fields that name something: a slug, a known indicator, comparison and region."""
    breaches: list[Breach] = []
    if "code" in text and not CODE.fullmatch(text["code"]):
        breaches.append(("code", f"{text['code']!r} is not a slug of a-z, 0-9 and '-'"))
    if "indicator" in text and text["indicator"] not in indicators:
        breaches.append(("indicator", f"{text['indicator']!r} is not one of {', '.join(indicators)}"))
    if "comparison" in text and text["comparison"] not in COMPARISONS:
        breaches.append(("comparison", f"{text['comparison']!r} is not over (超过) or at_least (以上/达到)"))
    if "region_code" in text and text["region_code"] not in regions().by_code:
        breaches.append(("region_code", f"{text['region_code']!r} is not a region of Heilongjiang"))
    return breaches


def check_fields(changes: Mapping[str, Any], indicators: Mapping[str, Indicator] | None = None) -> tuple[dict[str, Any], list[Breach]]:
    """The clean values of the given fields and every (field, rule) they break, in the order of the fields."""
    breaches: list[Breach] = []
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        cleaned, broken = _clean_value(name, value)
        breaches += broken
        if name in FIELDS and (cleaned is not None or name in ("period_start", "due_date")):
            clean[name] = cleaned
    text = {name: value for name, value in clean.items() if isinstance(value, str)}
    return clean, breaches + _code_breaches(text, TARGET_INDICATORS if indicators is None else indicators)


def check_dates(period_start: date, due_date: date) -> None:
    """A target's period ends on or after its start."""
    if due_date < period_start:
        raise ValidationFailed(f"due_date {due_date} is before period_start {period_start}")


# --- reading the catalogue -------------------------------------------------------------------------------------------


def _indicators(raw: Any, file: str) -> dict[str, Indicator]:
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed(
            f"{file}: indicators: a mapping of indicator → {{name, kind}}", [Problem("a mapping", "indicators", file=file)]
        )
    out: dict[str, Indicator] = {}
    for code, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or spec.get("kind") not in KINDS:
            rule = f"{{name: 中文名, kind: {' | '.join(KINDS)}}}, not {spec!r}"
            raise ValidationFailed(f"{file}: indicator {code}: {rule}", [Problem(rule, "indicators", str(code), file=file)])
        out[str(code)] = Indicator(spec["name"], spec["kind"])
    return out


def _entry_breaches(entry: Any, indicators: Mapping[str, Indicator], seen: set[str]) -> tuple[dict[str, Any], list[Breach]]:
    """An entry's clean fields and every (field, rule) it breaks: required fields, field rules, dates, a unique code."""
    if not isinstance(entry, dict):
        return {}, [("-", f"an entry is a mapping of {', '.join(FIELDS)}, not {entry!r}")]
    breaches: list[Breach] = [(name, "missing") for name in FIELDS if name in REQUIRED and name not in entry]
    clean, broken = check_fields(entry, indicators)
    breaches += broken
    start, due = clean.get("period_start"), clean.get("due_date")
    if isinstance(start, date) and isinstance(due, date) and due < start:
        breaches.append(("due_date", f"{due} is before period_start {start}"))
    if clean.get("code") in seen:
        breaches.append(("code", f"{clean['code']} appears twice"))
    return clean, breaches


def parse(text: str, file: str = CATALOGUE) -> tuple[dict[str, Indicator], tuple[SeedTarget, ...]]:
    """The indicators and targets of a catalogue's text; ValidationFailed naming the file, the entry, the field and
    the rule of every breach (each also a Problem: file, row = the entry's place from 1, column = the field, value)."""
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the C reader: 0.03 s, not 0.15 s
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise ValidationFailed(f"{file}: a mapping with indicators and a list of targets", [Problem("indicators and targets", file=file)])
    indicators = _indicators(data.get("indicators"), file)
    targets: list[SeedTarget] = []
    lines: list[str] = []
    problems: list[Problem] = []
    for row, entry in enumerate(data["targets"], start=1):
        clean, breaches = _entry_breaches(entry, indicators, {target.code for target in targets})
        fields = entry if isinstance(entry, dict) else {}
        name = str(fields.get("code") or f"#{row}")
        for field, rule in breaches:
            lines.append(f"{file}, entry {name} (#{row}), field {field}: {rule}")
            value = fields.get(field)
            problems.append(Problem(rule, field, None if value is None else str(value)[:200], row, file))
        if not breaches:
            targets.append(SeedTarget(**{"note": "", **clean}))
    if problems:
        raise ValidationFailed("; ".join(lines), problems)
    return indicators, tuple(targets)


def load() -> tuple[dict[str, Indicator], tuple[SeedTarget, ...]]:
    """The catalogue beside this module."""
    text = resources.files("livecommerce.stats").joinpath(CATALOGUE).read_text(encoding="utf-8")
    return parse(text, f"stats/{CATALOGUE}")


_CATALOGUE = load()
TARGET_INDICATORS: dict[str, Indicator] = _CATALOGUE[0]
SEED_TARGETS: tuple[SeedTarget, ...] = _CATALOGUE[1]


def seed_rows() -> list[dict[str, Any]]:
    """SEED_TARGETS as plain rows (what migration 0003 inserts and the tests compare with)."""
    return [asdict(seed) for seed in SEED_TARGETS]
