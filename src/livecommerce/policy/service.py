"""The policy service (政策兑现): the only module that reads or writes policy runs. The CLI, the API and the pages call
it. Reading a run's awards goes through ``core.scope.restrict(query, actor, "policy.read")`` — a city officer sees her
city's awards, an enterprise its own; starting a run needs "policy.run" and writes an audit line."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.scope import Actor, ensure, restrict
from livecommerce.policy import budget as budgets
from livecommerce.policy import runs
from livecommerce.policy.clause_table import clauses_table, parameter_json, show
from livecommerce.policy.clauses import BY_ID, ORDER
from livecommerce.policy.documents import full_clause_id
from livecommerce.policy.evaluate import EntityResult, evaluate_entities, results_json
from livecommerce.policy.facts import read_payload
from livecommerce.policy.models import PolicyAward, PolicyResult, PolicyRun
from livecommerce.policy.parameters import catalogue, lpr_on, resolve
from livecommerce.policy.trace import money
from livecommerce.reference.regions import regions
from livecommerce.stats import service as stats

READ = "policy.read"
RUN = "policy.run"
METHODS = {"pro_rata": "按比例分配", "rank": "按排序分配"}
__all__ = ["clauses_table", "parameter_json"]  # the clause catalogue is read through the service too


def evaluate_payload(
    payload: Any, actor: Actor, *, overrides: dict[str, str] | None = None, check_warehouse: bool = False, file: str | None = None
) -> dict[str, Any]:
    """`policy evaluate`: the facts of a file, evaluated; with ``check_warehouse`` entities carrying a USCC are
    compared with the platform data and flagged for review beyond the tolerance."""
    ensure(actor, READ)
    year, entities = read_payload(payload, file)
    results = evaluate_entities(year, entities, overrides=overrides)
    if check_warehouse:
        _flag_against_warehouse(year, payload, results, actor)
    return results_json(year, results)


def _flag_against_warehouse(year: int, payload: dict[str, Any], results: list[EntityResult], actor: Actor) -> None:
    figures = stats.seller_years(year - 1, year, actor)
    raw = {str(e.get("id")): e for e in payload.get("entities", []) if isinstance(e, dict)}
    for result in results:
        uscc = result.entity.uscc
        if not uscc:
            continue
        years = figures.get(uscc, {})
        warehouse = {name: {str(y): money(v[i]) for y, v in years.items()} for i, name in enumerate(runs.SALES)}
        found = runs.compare_declared(year, warehouse, raw.get(result.entity.id, {}).get("facts") or {}, runs.tolerance())
        if found:
            result.review = found + [runs.parcel_evidence(year, [uscc], actor).get(uscc, {}) | {"fact": "parcels"}]


@dataclass(frozen=True)
class RunSummary:
    """A run as lists show it."""

    id: int
    year: int
    created_at: str
    created_by: str
    source: str
    entities: int
    entitled: str
    paid: str
    budget: str | None
    method: str
    flagged: int
    overrides: dict[str, str]
    note: str

    @classmethod
    def of(cls, run: PolicyRun) -> RunSummary:
        return cls(
            run.id,
            run.year,
            run.created_at.isoformat(timespec="seconds"),
            run.created_by,
            run.source,
            run.entities,
            money(run.entitled),
            money(run.paid),
            money(run.budget) if run.budget is not None else None,
            run.method,
            run.flagged,
            json.loads(run.overrides or "{}"),
            run.note,
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def start_run(
    session: Session,
    actor: Actor,
    year: int,
    *,
    declared: dict[str, Any] | None = None,
    declared_name: str = "",
    overrides: dict[str, str] | None = None,
    budget: Decimal | None = None,
    method: str = "pro_rata",
    note: str = "",
) -> RunSummary:
    """Compute a year's awards for every registered entity (and declared ones), store them, audit the run."""
    ensure(actor, RUN)
    if method not in METHODS:
        raise ValidationFailed(f"allocation method {method!r}: pro_rata or rank")
    if budget is not None and budget < 0:
        raise ValidationFailed(f"budget {budget}: must not be negative")
    if declared is not None:
        declared_year, _ = read_payload(declared, declared_name or None)  # every problem of the file, named
        if declared_year != year:
            raise ValidationFailed(f"{declared_name or 'declarations'}: year {declared_year} is not the run's year {year}")
    registered = runs.registry_payload(session, year, actor)
    payload, differences = runs.merge(year, registered, declared)
    _, entities = read_payload(payload, declared_name or None)
    results = evaluate_entities(year, entities, overrides=overrides)
    flagged = [r.entity.uscc for r in results if r.entity.id in differences and r.entity.uscc]
    evidence = runs.parcel_evidence(year, flagged, actor)
    for result in results:
        if result.entity.id in differences:
            result.review = differences[result.entity.id] + (
                [evidence[result.entity.uscc] | {"fact": "parcels"}] if result.entity.uscc in evidence else []
            )
    source = "平台数据" + (f" + 申报 {declared_name}" if declared is not None else "")
    run = PolicyRun(
        year=year,
        created_by=actor.name,
        source=source,
        overrides=json.dumps(overrides or {}, ensure_ascii=False),
        parameters=json.dumps(_used_parameters(year, overrides), ensure_ascii=False),
        facts=json.dumps(payload, ensure_ascii=False),
        budget=budget,
        method=method,
        note=note,
    )
    session.add(run)
    session.flush()
    _store(session, run, results)
    audit.record(
        session,
        actor.name,
        "policy.run",
        "policy_run",
        str(run.id),
        after={
            "year": year,
            "source": source,
            "overrides": overrides or {},
            "budget": money(budget) if budget is not None else None,
            "method": method,
            "entities": run.entities,
            "entitled": money(run.entitled),
            "paid": money(run.paid),
            "flagged": run.flagged,
        },
    )
    return RunSummary.of(run)


def _used_parameters(year: int, overrides: dict[str, str] | None) -> dict[str, Any]:
    values = {name: show(v) for name, v in resolve(year, overrides).items()}
    fixing = lpr_on(min(date(year, 12, 31), catalogue()["lpr_1y"].dates[-1]))
    values["lpr_1y (latest)"] = f"{fixing.rate} ({fixing.day.isoformat()})"
    return values


def _store(session: Session, run: PolicyRun, results: list[EntityResult]) -> None:
    """Results, awards and the budget allocation of a run."""
    awards: list[PolicyAward] = []
    for result in results:
        e = result.entity
        city = regions().get(e.region).city_code if e.region else None
        session.add(
            PolicyResult(
                run_id=run.id,
                entity_id=e.id,
                uscc=e.uscc,
                name=e.name,
                kind=e.kind,
                region_code=e.region,
                total=result.total,
                review=bool(result.review),
                result=json.dumps(result.to_json(), ensure_ascii=False),
            )
        )
        excluded = {f.clause: why for f, why in result.decision.excluded}
        for finding in result.eligible:
            awards.append(
                PolicyAward(
                    run_id=run.id,
                    entity_id=e.id,
                    uscc=e.uscc,
                    name=e.name,
                    kind=e.kind,
                    region_code=e.region,
                    city_code=city,
                    clause=finding.clause,
                    amount=finding.amount,
                    granted=finding.clause not in excluded,
                    allocated=Decimal("0.00"),
                    reason=excluded.get(finding.clause, ""),
                    review=bool(result.review),
                )
            )
    granted = [a for a in awards if a.granted]
    entitled = sum((a.amount for a in granted), Decimal("0.00"))
    paid = _allocate(granted, run.budget, run.method)
    session.add_all(awards)
    run.entities, run.entitled, run.paid = len(results), entitled, paid
    run.flagged = sum(1 for r in results if r.review)


def _allocate(granted: list[PolicyAward], budget: Decimal | None, method: str) -> Decimal:
    if budget is None:
        for award in granted:
            award.allocated = award.amount
        return sum((a.amount for a in granted), Decimal("0.00"))
    allocation = budgets.allocate([(_key(a), a.amount) for a in granted], budget, method)
    for award in granted:
        award.allocated = allocation.paid[_key(award)]
    return sum((a.allocated for a in granted), Decimal("0.00"))


def _key(award: PolicyAward) -> str:
    return f"{award.entity_id}|{award.clause}"


def list_runs(session: Session, actor: Actor, limit: int = 100) -> list[RunSummary]:
    """The latest runs, newest first, each summed over what the actor may see (see ``summary``)."""
    ensure(actor, READ)
    runs_ = session.execute(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(limit)).scalars()
    return [summary(session, actor, r) for r in runs_]


def summary(session: Session, actor: Actor, run: PolicyRun) -> RunSummary:
    """A run's figures as the actor may see them: the province's totals for province staff; for a city officer or an
    enterprise the entities, amounts and review flags inside its scope only (an aggregate is data too)."""
    grant = ensure(actor, READ)
    whole = RunSummary.of(run)
    if grant.everything:
        return whole
    awards_q = restrict(select(PolicyAward).where(PolicyAward.run_id == run.id, PolicyAward.granted), actor, READ)
    granted = list(session.execute(awards_q).scalars())
    results_q = restrict(select(PolicyResult).where(PolicyResult.run_id == run.id), actor, READ)
    results = list(session.execute(results_q).scalars())
    return replace(
        whole,
        entities=len(results),
        entitled=money(sum((a.amount for a in granted), Decimal("0.00"))),
        paid=money(sum((a.allocated for a in granted), Decimal("0.00"))),
        flagged=sum(1 for r in results if r.review),
    )


def get_run(session: Session, actor: Actor, run_id: int) -> PolicyRun:
    ensure(actor, READ)
    run = session.get(PolicyRun, run_id)
    if run is None:
        raise NotFound(f"no policy run {run_id}")
    return run


def awards(
    session: Session,
    actor: Actor,
    run_id: int,
    *,
    city: str | None = None,
    kind: str | None = None,
    clause: str | None = None,
    granted: bool | None = True,
    review: bool | None = None,
) -> list[PolicyAward]:
    """The award list (奖补名单) of a run, inside the actor's scope, filterable by city, kind, clause and review."""
    get_run(session, actor, run_id)
    q = restrict(select(PolicyAward).where(PolicyAward.run_id == run_id), actor, READ)
    if city:
        q = q.where(PolicyAward.city_code == _city(city))
    if kind:
        q = q.where(PolicyAward.kind == kind)
    if clause:
        q = q.where(PolicyAward.clause == full_clause_id(clause))
    if granted is not None:
        q = q.where(PolicyAward.granted == granted)
    if review is not None:
        q = q.where(PolicyAward.review == review)
    rows = list(session.execute(q).scalars())
    rows.sort(key=lambda a: (-a.amount, a.entity_id, ORDER.get(a.clause, 0)))
    return rows


def _city(text: str) -> str:
    """A 市(地) filter given by code or name; an unknown one is a bad filter (400), not a missing thing."""
    try:
        region = regions().find(text)
    except NotFound as exc:
        raise ValidationFailed(f"city {text!r}: not a 市(地) of Heilongjiang (code or name, e.g. 230100 or 哈尔滨)") from exc
    return region.city_code or region.code


def totals(
    session: Session,
    actor: Actor,
    run_id: int,
    *,
    city: str | None = None,
    kind: str | None = None,
    clause: str | None = None,
    review: bool | None = None,
) -> list[dict[str, Any]]:
    """Per clause inside the actor's scope (and the filters): entities eligible, granted, amount granted, allocated."""
    by: dict[str, dict[str, Any]] = {}
    for award in awards(session, actor, run_id, city=city, kind=kind, clause=clause, granted=None, review=review):
        row = by.setdefault(
            award.clause, {"clause": award.clause, "eligible": 0, "granted": 0, "amount": Decimal("0.00"), "allocated": Decimal("0.00")}
        )
        row["eligible"] += 1
        if award.granted:
            row["granted"] += 1
            row["amount"] += award.amount
            row["allocated"] += award.allocated
    return [by[c] | {"title": BY_ID[c].title, "short": BY_ID[c].short} for c in sorted(by, key=lambda c: ORDER.get(c, 0))]


def entity_result(session: Session, actor: Actor, run_id: int, entity_id: str) -> dict[str, Any]:
    """One entity's explanation in a run (NotFound outside the actor's scope)."""
    get_run(session, actor, run_id)
    q = restrict(select(PolicyResult).where(PolicyResult.run_id == run_id, PolicyResult.entity_id == entity_id), actor, READ)
    row = session.execute(q).scalars().first()
    if row is None:
        raise NotFound(f"no entity {entity_id!r} in policy run {run_id}")
    out: dict[str, Any] = json.loads(row.result)
    allocated = {
        a.clause: money(a.allocated)
        for a in session.execute(select(PolicyAward).where(PolicyAward.run_id == run_id, PolicyAward.entity_id == entity_id)).scalars()
    }
    for item in out["granted"]:
        item["allocated"] = allocated.get(item["clause"], item["amount"])
    return out


def what_if(session: Session, actor: Actor, run_id: int, overrides: dict[str, str], budget: Decimal | None = None) -> dict[str, Any]:
    """Re-evaluate a run's facts with changed parameters (a cap, a rate, a threshold): per clause before and after,
    the total, and what each allocation costs under the budget. Nothing is stored."""
    ensure(actor, RUN)
    run = get_run(session, actor, run_id)
    year, entities = read_payload(json.loads(run.facts))
    before = evaluate_entities(year, entities, overrides=json.loads(run.overrides or "{}"))
    merged = json.loads(run.overrides or "{}") | overrides
    after = evaluate_entities(year, entities, overrides=merged)
    per_clause: dict[str, dict[str, Any]] = {}
    for label, results in (("before", before), ("after", after)):
        for result in results:
            for finding in result.decision.granted:
                row = per_clause.setdefault(
                    finding.clause,
                    {
                        "clause": finding.clause,
                        "short": BY_ID[finding.clause].short,
                        "title": BY_ID[finding.clause].title,
                        "before_count": 0,
                        "before": Decimal("0.00"),
                        "after_count": 0,
                        "after": Decimal("0.00"),
                    },
                )
                row[f"{label}_count"] += 1
                row[label] += finding.amount
    rows = [per_clause[c] for c in sorted(per_clause, key=lambda c: ORDER[c])]
    total_before = sum((r.total for r in before), Decimal("0.00"))
    total_after = sum((r.total for r in after), Decimal("0.00"))
    budget = budget if budget is not None else run.budget
    entitlements = [(f"{r.entity.id}|{f.clause}", f.amount) for r in after for f in r.decision.granted]
    return {
        "run": run.id,
        "year": year,
        "overrides": merged,
        "clauses": [
            r | {"before": money(r["before"]), "after": money(r["after"]), "change": money(r["after"] - r["before"])} for r in rows
        ],
        "total_before": money(total_before),
        "total_after": money(total_after),
        "change": money(total_after - total_before),
        "budget": money(budget) if budget is not None else None,
        "allocations": budgets.compare(entitlements, budget) if budget is not None else None,
    }
