"""What the policy API and pages take in (政策兑现请求), with bounds on every field, and the parsing of the words the
CLI and the forms share: `NAME=VALUE` parameter changes and budgets in yuan (never floats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.money import to_money
from livecommerce.policy.parameters import parse_override

Amount = StrictStr | StrictInt


class RunRequest(BaseModel):
    """POST /api/policy/runs: compute a performance year's awards (政策兑现批次)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    declared: dict[str, Any] | None = None
    declared_name: str = Field("", max_length=200)
    budget: Amount | None = None
    method: Literal["pro_rata", "rank"] = "pro_rata"
    overrides: dict[str, str] = Field(default_factory=dict, max_length=100)
    note: str = Field("", max_length=2000)


class WhatIfRequest(BaseModel):
    """POST /api/policy/runs/{id}/what-if: the run's facts again with changed parameters and budget (测算)."""

    model_config = ConfigDict(extra="forbid")

    overrides: dict[str, str] = Field(default_factory=dict, max_length=100)
    budget: Amount | None = None


def budget_of(value: Any, what: str = "budget") -> Decimal | None:
    """A budget in yuan (`34000000` or `"34000000.00"`; a float or a negative amount is refused); None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = to_money(value)
    except (TypeError, ValueError, ArithmeticError) as exc:  # ArithmeticError: decimal's InvalidOperation (1e400)
        raise ValidationFailed(f"{what} {value!r}: {exc}", [Problem(str(exc), what, str(value))]) from None
    if amount < 0:
        raise ValidationFailed(f"{what} {value!r}: must not be negative", [Problem("must not be negative", what, str(value))])
    return amount


def overrides_of(items: list[str] | None) -> dict[str, str]:
    """`--set LIVE20/1a.cap=1000000` (repeatable) as {name: value}; each name and value is checked against the
    parameter catalogue, so a typo is refused before anything is computed."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValidationFailed(f"--set {item!r} is not NAME=VALUE, e.g. LIVE20/1a.cap=1000000", [Problem("NAME=VALUE", "--set", item)])
        _parsed(name, value)
        out[name] = value
    return out


def check_overrides(overrides: dict[str, str]) -> dict[str, str]:
    """Each name and value of a what-if checked against the catalogue (ValidationFailed naming the first wrong one)."""
    for name, value in overrides.items():
        _parsed(name, value)
    return overrides


def _parsed(name: str, value: str) -> None:
    """parse_override, with a number decimal cannot hold (NaN, 1e999999) refused as a ValidationFailed."""
    try:
        parse_override(name, value)
    except ArithmeticError:
        raise ValidationFailed(f"{name}={value!r}: not a finite number", [Problem("a finite number", name, value)]) from None


def budget_from_wan(text: str | None, what: str = "预算") -> Decimal | None:
    """A budget typed in 万元 on a form ("3400" → 34,000,000.00 yuan); empty means none."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace(",", "")
    try:
        yuan = Decimal(cleaned) * 10000
    except ArithmeticError:
        raise ValidationFailed(f"{what} {text!r}: 应为以万元计的数字，如 3400", [Problem("以万元计的数字", what, text)]) from None
    if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{what} {text!r}: 万元最多六位小数（精确到分）", [Problem("精确到分", what, text)])
    return budget_of(f"{yuan:.2f}", what)


# --- answers: the JSON the routes have always answered, field for field and in order (no bounds: they document) ---


class RunOut(BaseModel):
    """A run (政策兑现批次) as lists show it; amounts are exact decimal strings in yuan."""

    id: int
    year: int = Field(description="The performance year.")
    created_at: str = Field(description="When it was computed, ISO 8601 to the second.")
    created_by: str
    source: str = Field(description="Registered entities, and the declarations file where one was given.")
    entities: int = Field(description="Entities evaluated.")
    entitled: str = Field(description="The sum of the granted awards before the budget.")
    paid: str = Field(description="The sum allocated under the budget.")
    budget: str | None = Field(description="The budget in yuan; null for none.")
    method: str = Field(description="pro_rata or rank: how a budget short of the awards is allocated.")
    flagged: int = Field(description="Awards flagged for review (需复核).")
    overrides: dict[str, str] = Field(description="Parameter changes of the run: NAME → VALUE.")
    note: str


class ClauseTotalOut(BaseModel):
    """Per clause inside the caller's scope: entities eligible and granted, amount granted and allocated."""

    clause: str
    eligible: int
    granted: int
    amount: str
    allocated: str
    title: str
    short: str


class RunDetailOut(RunOut):
    """One run: its summary and, per clause, what the caller's scope holds."""

    scope: str = Field(description="Whose awards the totals count: 全省, 哈尔滨市, 主体 …")
    totals: list[ClauseTotalOut]


class AwardOut(BaseModel):
    """One award of the award list (奖补名单): names in Chinese, amounts exact decimal strings in yuan."""

    entity_id: str
    name: str
    uscc: str | None
    kind: str
    kind_name: str
    region_code: str | None
    region_name: str
    clause: str
    short: str
    title: str
    amount: str = Field(description="The award by the clause.")
    allocated: str = Field(description="What the budget allocates to it.")
    granted: bool = Field(description="false: excluded (exclusivity, a cap, not eligible by a later rule).")
    review: bool = Field(description="Flagged for review (需复核): declared figures differ from the platform's.")
    note: str


class ParameterValueOut(BaseModel):
    """One dated value of a parameter: from which day, the value (text, or a list for a table), whether it was checked
    against the document (false: 建议, our reading)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    value: Any
    checked: bool


class ParameterOut(BaseModel):
    """A parameter of a clause with its document, clause and quote, its value in the year asked and every dated value."""

    name: str
    description: str
    document: str
    clause: str
    quote: str
    value: Any
    values: list[ParameterValueOut]


class ClauseOut(BaseModel):
    """A clause (条款): citation, quoted sentence, who it is for, exclusivity group and basis, years in force."""

    id: str
    short: str
    document: str
    document_title: str
    title: str
    citation: str
    quote: str
    who: str
    rule: str
    group: str | None
    basis: str | None
    once: bool
    case_by_case: bool
    years: list[int]
    in_force: bool | None = Field(description="Whether in force in the year asked; null without ?year=.")
    parameters: list[ParameterOut]
