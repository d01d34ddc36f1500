"""Scopes: one function, ``restrict``, narrows every list, count, get and export by what the actor may see.

Default deny: an actor with no grant for an action gets nothing, and each grant carries the reason it was given
(the habit of datasette's actions_sql.py). Tables say which of their columns carry the region and the entity
through the class attribute ``__scope__`` (e.g. ``{"region": "region_code", "entity": "uscc"}``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, true

from livecommerce.core.errors import PermissionDenied


@dataclass(frozen=True)
class Grant:
    """What an actor may touch for one action: everything, some regions, some entities, or nothing."""

    everything: bool = False
    regions: frozenset[str] = field(default_factory=frozenset)
    entities: frozenset[str] = field(default_factory=frozenset)
    reason: str = "no grant"

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.regions or self.entities)

    def allows(self, region: str | None = None, entity: str | None = None) -> bool:
        """Whether one row with this region and entity is inside the grant."""
        if self.everything:
            return True
        return (region is not None and region in self.regions) or (entity is not None and entity in self.entities)


DENY = Grant(reason="no grant")


class Actor(Protocol):
    """Whoever acts: a person logged in, a platform's token, or the system itself."""

    @property
    def name(self) -> str: ...

    def grant(self, action: str) -> Grant: ...


@dataclass(frozen=True)
class SystemActor:
    """The platform itself (CLI run by the operator on the server, demo loader): may do everything."""

    name: str = "system"

    def grant(self, action: str) -> Grant:
        return Grant(everything=True, reason="system")


Q = TypeVar("Q", bound=Select[Any])


def scope_condition(grant: Grant, region_column: Any = None, entity_column: Any = None) -> ColumnElement[bool]:
    """The WHERE condition that keeps only rows inside the grant (false when nothing is granted)."""
    if grant.everything:
        return true()
    parts: list[ColumnElement[bool]] = []
    if grant.regions and region_column is not None:
        parts.append(region_column.in_(sorted(grant.regions)))
    if grant.entities and entity_column is not None:
        parts.append(entity_column.in_(sorted(grant.entities)))
    return or_(*parts) if parts else false()


def _scoped_columns(query: Select[Any]) -> tuple[Any, Any]:
    model = query.column_descriptions[0].get("entity")
    spec = getattr(model, "__scope__", None)
    if model is None or spec is None:
        raise TypeError(f"restrict() needs a table with __scope__; got {model!r}")
    region = getattr(model, spec["region"]) if spec.get("region") else None
    entity = getattr(model, spec["entity"]) if spec.get("entity") else None
    return region, entity


def restrict(query: Q, actor: Actor, action: str) -> Q:
    """Narrow a SELECT over a scoped table to the rows the actor may see for this action."""
    region, entity = _scoped_columns(query)
    return query.where(scope_condition(actor.grant(action), region, entity))


def restrict_sql(actor: Actor, action: str, region_column: str | None, entity_column: str | None = None) -> str:
    """The same narrowing for warehouse SQL: a boolean SQL expression over the named columns (codes are quoted)."""
    grant = actor.grant(action)
    if grant.everything:
        return "TRUE"
    parts = []
    if grant.regions and region_column:
        parts.append(f"{region_column} IN ({_sql_list(grant.regions)})")
    if grant.entities and entity_column:
        parts.append(f"{entity_column} IN ({_sql_list(grant.entities)})")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _sql_list(values: Iterable[str]) -> str:
    quoted = []
    for value in sorted(values):
        if not value.replace("-", "").isalnum():
            raise ValueError(f"not a code: {value!r}")
        quoted.append(f"'{value}'")
    return ", ".join(quoted)


def ensure(actor: Actor, action: str, *, region: str | None = None, entity: str | None = None) -> Grant:
    """Raise PermissionDenied unless the actor may do this action on this region or entity (or at all)."""
    grant = actor.grant(action)
    if grant.nothing:
        raise PermissionDenied(f"{actor.name} may not {action}: {grant.reason}")
    if (region is not None or entity is not None) and not grant.allows(region, entity):
        raise PermissionDenied(f"{actor.name} may not {action} outside its scope ({grant.reason})")
    return grant
