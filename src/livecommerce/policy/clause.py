"""A clause (条款) as code and data: its id, citation, quoted sentence, who it is for, the facts that make it worth
considering, its exclusivity group and basis, and the function that computes it from the facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from livecommerce.policy.facts import KINDS, Entity
from livecommerce.policy.parameters import Resolved
from livecommerce.policy.trace import Check, Finding, yuan

Compute = Callable[[Entity, int, Resolved, "Clause"], Finding | None]


@dataclass(frozen=True)
class Clause:
    """One rule of a document that states an amount, e.g. HLJ-2025-LIVE20/1a, or one decided case by case."""

    id: str
    document: str
    title: str
    citation: str
    quote: str
    who: str
    rule: str
    facts: frozenset[str] = field(default_factory=frozenset)
    group: str | None = None
    basis: str | None = None
    once: bool = False
    compute: Compute | None = None
    case_by_case: bool = False

    @property
    def number(self) -> str:
        return self.id.partition("/")[2]

    @property
    def short(self) -> str:
        return self.id.replace("HLJ-2025-", "").replace("HLJ-2026-", "").replace("HLJ-2023-", "")

    def considered(self, entity: Entity) -> bool:
        """Whether the entity declares a fact this clause reads (otherwise the clause is silent about it)."""
        return bool(self.facts & entity.given)


@lru_cache(maxsize=256)
def _kind_names(kinds: tuple[str, ...]) -> str:
    return "、".join(KINDS.get(k, k) for k in kinds)


def kinds_allowed(check: Check, entity: Entity, kinds: tuple[str, ...], who: str) -> bool:
    """The clause is for these kinds of entity only."""
    ok = entity.kind in kinds
    return check.test(ok, f"主体类型 {KINDS.get(entity.kind, entity.kind)} {'属于' if ok else '不属于'}{who} ({_kind_names(kinds)})")


def in_province(check: Check, entity: Entity) -> bool:
    return check.test(entity.in_province, "省内主体" if entity.in_province else "非省内主体")


def recognized_in(check: Check, entity: Entity, fact: str, year: int, label: str) -> bool:
    """新认定 / 新获评 / 获评: the recognition falls in the performance year."""
    when = entity.years.get(fact)
    check.input(label, when if when is not None else "未申报")
    return check.test(when == year, f"{label} {when if when is not None else '无'} 为 {year} 年度")


def not_received(check: Check, entity: Entity, clause: Clause, year: int) -> bool:
    """一次性 / 限制支持一次: not granted again to an entity that has already received it."""
    before = [y for y in entity.received(clause.id) if y != year]
    return check.test(
        not before, "此前未获本条一次性奖补" if not before else f"已于 {'、'.join(str(y) for y in before)} 年获本条一次性奖补 (一次性)"
    )


def year_figure(check: Check, entity: Entity, fact: str, year: int, label: str) -> Decimal:
    """A per-year figure; a year not given counts as 0 and the trace says so."""
    value = entity.in_year(fact, year)
    if value is None:
        check.note(f"{label} {year} 年未申报, 按 0 计")
        value = Decimal("0.00")
    check.input(f"{label} {year}", value)
    return value


def new_figure(check: Check, entity: Entity, fact: str, year: int, label: str) -> Decimal:
    """新增: this year minus last year."""
    return year_figure(check, entity, fact, year, label) - year_figure(check, entity, fact, year - 1, label)


def fixed_award(fact: str, label: str, kinds: str | None = None, who: str = "") -> Compute:
    """A fixed one-time amount (parameter ``<clause>.amount``) for a recognition in the performance year: LIVE20 (二)、
    (五), EC20 6、19."""

    def compute(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
        ch = Check(c)
        if kinds and not kinds_allowed(ch, e, p.kinds(kinds), who):
            return ch.fail()
        if not (recognized_in(ch, e, fact, y, label) and not_received(ch, e, c, y)):
            return ch.fail()
        amount = p.dec(f"{c.short}.amount")
        return ch.grant(amount, None, f"一次性 {yuan(amount)}")

    return compute
