"""Targets (目标) of the policies: reading, adding and correcting them (DESIGN.md: stats). The catalogue of the seeds'
targets is data (stats/data/targets.yaml, read by stats.targets_catalogue); progress towards a target is
stats.targets_progress; docs/targets.md lists them with their quotes.

Who sees which target (action "stats.read"): everything for a province-wide grant; otherwise the province's targets,
the targets of the regions inside the actor's scope and of the regions above it (a 黑河市 officer sees the province's
and 黑河市's targets, not 哈尔滨市's) — the targets a bureau works under. Only "targets.write" (province_admin) edits,
and every write is audited with before and after. The caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.scope import Actor, ensure, scope_condition
from livecommerce.core.timeutil import now
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats.models import Target
from livecommerce.stats.targets_catalogue import FIELDS, REQUIRED, check_dates, check_fields

READ = "stats.read"
WRITE = "targets.write"


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Targets the actor may read: its grant's regions, the regions above them and the province (default deny)."""
    grant = actor.grant(READ)
    if grant.everything:
        return true()
    if grant.nothing:
        return false()
    above = {PROVINCE} | {region.code for code in grant.regions for region in regions().ancestors(code)}
    return or_(scope_condition(grant, Target.region_code), Target.region_code.in_(sorted(above)))


def list_targets(session: Session, actor: Actor) -> list[Target]:
    """The targets the actor may see, by due date, region and code."""
    query = select(Target).where(_visible(actor)).order_by(Target.due_date, Target.region_code, Target.code)
    return list(session.scalars(query))


def get_target(session: Session, actor: Actor, code: str) -> Target:
    """One target by its code; NotFound when missing or outside what the actor may see."""
    target = session.scalars(select(Target).where(Target.code == code, _visible(actor))).one_or_none()
    if target is None:
        raise NotFound(f"target {code} not found")
    return target


def snapshot(target: Target) -> dict[str, Any]:
    """The target's fields as the audit log records them."""
    return {name: getattr(target, name) for name in FIELDS}


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated values of the given fields; ValidationFailed naming every field that breaks its rule."""
    clean, breaches = check_fields(changes)
    if breaches:
        raise ValidationFailed("; ".join(f"{field}: {rule}" for field, rule in breaches))
    return clean


def create_target(session: Session, actor: Actor, **fields: Any) -> Target:
    """Add a target (audited as target.create)."""
    missing = sorted(REQUIRED - fields.keys())
    if missing:
        raise ValidationFailed(f"a target needs {', '.join(missing)}")
    clean = _clean(fields)
    ensure(actor, WRITE, region=clean["region_code"])
    check_dates(clean["period_start"], clean["due_date"])
    if session.scalars(select(Target.id).where(Target.code == clean["code"])).first() is not None:
        raise ValidationFailed(f"code: target {clean['code']} exists already")
    target = Target(**{"note": "", **clean}, updated_at=now(), updated_by=actor.name)
    session.add(target)
    session.flush()
    audit.record(session, actor.name, "target.create", "target", target.code, None, snapshot(target))
    return target


def update_target(session: Session, actor: Actor, code: str, /, **changes: Any) -> Target:
    """Change the given fields of a target (audited as target.update with before and after; no change, no line).
    The code is the target's stable name and cannot change."""
    target = get_target(session, actor, code)
    ensure(actor, WRITE, region=target.region_code)
    if "code" in changes:
        raise ValidationFailed("code: a target's code cannot change")
    clean = _clean(changes)
    if "region_code" in clean:
        ensure(actor, WRITE, region=clean["region_code"])
    check_dates(clean.get("period_start", target.period_start), clean.get("due_date", target.due_date))
    before = snapshot(target)
    for name, value in clean.items():
        setattr(target, name, value)
    after = snapshot(target)
    if after != before:
        target.updated_at, target.updated_by = now(), actor.name
        session.flush()
        audit.record(session, actor.name, "target.update", "target", code, before, after)
    return target
