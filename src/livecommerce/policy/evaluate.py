"""Evaluate entities against every clause in force for a performance year, decide exclusivity, explain.

``evaluate`` is the contract of `livecommerce policy evaluate` and `POST /api/policy/evaluate` (docs/policies.md,
Facts and Output): a payload in, the eligible, granted, excluded and not-eligible awards of each entity out, every
amount a decimal string and every eligible award with its trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from livecommerce.policy.clauses import COMPUTED
from livecommerce.policy.documents import DOCUMENTS
from livecommerce.policy.exclusivity import Decision, decide
from livecommerce.policy.facts import Entity, read_payload
from livecommerce.policy.parameters import Resolved, resolve
from livecommerce.policy.trace import Finding, money, without_gc, yuan


@dataclass
class EntityResult:
    """What one entity is entitled to in one year, and why."""

    entity: Entity
    eligible: list[Finding]
    decision: Decision
    not_eligible: list[tuple[str, str]]
    review: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.decision.granted), Decimal("0.00"))

    def explanation(self) -> str:
        """The decision in one sentence, e.g. 'E03 符合 LIVE20/1a 2,000,000.00元、LIVE20/1b 600,000.00元; …予 LIVE20/1a'."""
        from livecommerce.policy.clauses import BY_ID

        e = self.entity
        if not self.eligible:
            return f"{e.id} 无符合条件的条款"
        listed = "、".join(f"{BY_ID[f.clause].short} {yuan(f.amount)}" for f in self.eligible)
        granted = "、".join(BY_ID[f.clause].short for f in self.decision.granted)
        if self.decision.excluded:
            return f"{e.id} 符合 {listed}; 按“从优、就高、不重复”予 {granted}; 合计 {yuan(self.total)}"
        return f"{e.id} 符合 {listed}; 均予支持; 合计 {yuan(self.total)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.entity.id,
            "name": self.entity.name,
            "kind": self.entity.kind,
            "region": self.entity.region,
            "eligible": [{"clause": f.clause, "amount": money(f.amount), "trace": f.trace} for f in self.eligible],
            "granted": [{"clause": f.clause, "amount": money(f.amount)} for f in self.decision.granted],
            "excluded": [{"clause": f.clause, "amount": money(f.amount), "reason": why} for f, why in self.decision.excluded],
            "not_eligible": [{"clause": c, "reason": why} for c, why in self.not_eligible],
            "explanation": self.explanation(),
            "review": self.review,
            "total": money(self.total),
        }


def expired(year: int, ec20_years: tuple[int, ...] | None = None) -> dict[str, str]:
    """The documents not in force for ``year``, each with the reason in words."""
    out = {}
    for doc in DOCUMENTS.values():
        if not doc.in_force(year, ec20_years):
            years = ec20_years if (ec20_years is not None and doc.short == "EC20") else doc.years()
            out[doc.id] = f"{doc.short} 适用于 {'、'.join(map(str, years))} 年度, 不适用于 {year} 年度 ({doc.validity})"
    return out


def evaluate_entity(
    entity: Entity, year: int, params: Resolved, ec20_years: tuple[int, ...] | None = None, out_of_force: dict[str, str] | None = None
) -> EntityResult:
    """Every computed clause whose facts the entity declares, for one year."""
    eligible: list[Finding] = []
    not_eligible: list[tuple[str, str]] = []
    given = entity.given
    if out_of_force is None:
        out_of_force = expired(year, ec20_years)
    for clause in COMPUTED:
        if not clause.facts & given:
            continue
        if clause.document in out_of_force:
            not_eligible.append((clause.id, out_of_force[clause.document]))
            continue
        assert clause.compute is not None
        finding = clause.compute(entity, year, params, clause)
        if finding is None:
            continue
        if finding.eligible:
            eligible.append(finding)
        else:
            not_eligible.append((clause.id, finding.reason))
    return EntityResult(entity, eligible, decide(entity.id, eligible), not_eligible)


def evaluate_entities(
    year: int, entities: list[Entity], *, overrides: dict[str, str] | None = None, ec20_years: tuple[int, ...] | None = None
) -> list[EntityResult]:
    """Evaluate many entities with one set of parameters (resolved once for the year)."""
    params = resolve(year, overrides)
    out_of_force = expired(year, ec20_years)
    with without_gc():
        return [evaluate_entity(entity, year, params, ec20_years, out_of_force) for entity in entities]


def results_json(year: int, results: list[EntityResult]) -> dict[str, Any]:
    """The output contract: {"year", "results": [...], "total"}."""
    total = sum((r.total for r in results), Decimal("0.00"))
    return {"year": year, "results": [r.to_json() for r in results], "total": money(total)}


def evaluate(
    payload: Any, *, overrides: dict[str, str] | None = None, ec20_years: tuple[int, ...] | None = None, file: str | None = None
) -> dict[str, Any]:
    """`livecommerce policy evaluate`: check the payload whole, then evaluate every entity."""
    year, entities = read_payload(payload, file)
    return results_json(year, evaluate_entities(year, entities, overrides=overrides, ec20_years=ec20_years))
