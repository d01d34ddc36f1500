"""Roles of DESIGN.md (Users) and what each may do. An action is "<noun>.<verb>", e.g. "registry.read".

Every grant is computed here, from the user's role and scope, and nowhere else; ``core.scope.restrict`` applies it.
"""

from __future__ import annotations

from livecommerce.core.scope import DENY, Actor, Grant
from livecommerce.reference.regions import PROVINCE, regions

ROLES = {
    "province_admin": "省商务厅系统管理员",
    "province_analyst": "省商务厅业务人员",
    "city_officer": "市(地)商务局",
    "county_officer": "县(市、区)商务局",
    "enterprise": "经营主体",
    "inspector": "第三方机构",
    "platform": "平台数据接口",
    "auditor": "审计监督",
}

READ = {"registry.read", "warehouse.read", "ingest.read", "stats.read", "policy.read", "monitor.read"}
WRITE = {"registry.write", "ingest.write", "monitor.write"}  # monitor.write: acknowledge alerts, silences

# role → (actions it may take, how far: "province" | "region" | "entity" | "own")
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    "province_admin": (
        frozenset(READ | WRITE | {"users.manage", "audit.read", "personal.view", "targets.write", "policy.run", "monitor.ingest"}),
        "province",
    ),
    "province_analyst": (frozenset(READ | WRITE | {"policy.run"}), "province"),
    "city_officer": (frozenset(READ | WRITE), "region"),
    "county_officer": (frozenset(READ | WRITE), "region"),
    "enterprise": (frozenset(READ | {"ingest.write"}), "entity"),  # its own data; the registry is kept by bureaus
    "inspector": (frozenset(), "own"),
    "platform": (frozenset({"ingest.write", "ingest.read", "monitor.ingest"}), "province"),  # monitor.ingest: live events
    "auditor": (frozenset({"audit.read"}), "province"),
}


def grant_for(role: str, scope_region: str | None, scope_entity: str | None, action: str) -> Grant:
    """The grant of one role and scope for one action; DENY with its reason when there is none."""
    actions, reach = PERMISSIONS.get(role, (frozenset(), "own"))
    if action not in actions:
        return Grant(reason=f"role {role} has no {action}")
    if reach == "province":
        return Grant(everything=True, reason=f"{role}: 全省")
    if reach == "region":
        if not scope_region or scope_region == PROVINCE:
            return Grant(reason=f"{role} without a region scope") if not scope_region else Grant(everything=True, reason=f"{role}: 全省")
        return Grant(regions=regions().descendants(scope_region), reason=f"{role}: {regions().full_name(scope_region)}")
    if reach == "entity":
        if not scope_entity:
            return Grant(reason=f"{role} without an entity scope")
        return Grant(entities=frozenset({scope_entity}), reason=f"{role}: 主体 {scope_entity}")
    return DENY


def scope_label(actor: Actor | None) -> str:
    """Whose data a page shows: 全省, a region's full name, or the entity of an enterprise user."""
    if actor is None:
        return ""
    region = getattr(actor, "scope_region", None)
    entity = getattr(actor, "scope_entity", None)
    if region and region != PROVINCE:
        return regions().full_name(region)
    if entity:
        return f"本主体（{entity}）"
    return "受托事项" if getattr(actor, "role", None) == "inspector" else "全省"
