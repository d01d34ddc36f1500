"""Bulk upsert of the registry feeds (entities, shops, streamers, bases) by natural key: what ingest calls.

Rows arrive validated and typed, with the canonical column names of warehouse/feeds.py (the region column is
``region``). Rows are taken in order: a row whose key is new is inserted, a later row with the same key replaces the
earlier one (in the database or earlier in the same batch), and a row identical to the current one is unchanged.
Each inserted or replaced row gets an audit line with before and after (personal data masked); unchanged rows write
nothing, so importing the same rows twice changes nothing.

Owner check: a shop's or streamer's ``uscc`` (a base's ``operator_uscc``) must name an entity already in the
registry. Rows naming an unknown entity are not imported with the USCC dropped, nor kept with a dangling one:
the whole batch is refused with ValidationFailed listing each such row (its key and the USCC), so ingest can
quarantine them and they can be re-imported once the entity is registered. An empty owner is fine.

Existing rows are loaded for the batch's keys with one query per chunk of CHUNK keys, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import PermissionDenied, Problem, ValidationFailed
from livecommerce.core.scope import Actor, Grant, ensure
from livecommerce.core.timeutil import now
from livecommerce.entities.models import Entity
from livecommerce.entities.records import Key, Table, from_feed, snapshot, table_of

CHUNK = 2_000
SHOWN = 20


@dataclass(frozen=True)
class UpsertCounts:
    """How many rows of a batch were inserted, replaced an earlier row, or were identical to it."""

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0


@dataclass
class _Existing:
    """The stored version of a key: its primary key values and its feed columns."""

    pk: dict[str, Any]
    values: dict[str, Any]


@dataclass
class _Plan:
    """What a batch does: the audit events in row order and the final version of every key it changed."""

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    events: list[tuple[str, Key, dict[str, Any] | None, dict[str, Any]]] = field(default_factory=list)
    final: dict[Key, dict[str, Any]] = field(default_factory=dict)


def upsert_rows(session: Session, feed: str, rows: list[dict[str, Any]], actor: Actor) -> UpsertCounts:
    """Insert or replace a registry feed's typed rows by natural key in the caller's transaction, audited."""
    table = table_of(feed)
    grant = ensure(actor, "registry.write")
    incoming = [from_feed(table, row) for row in rows]
    _check_owners(session, table, incoming)
    existing = _load_existing(session, table, {table.key_of(values) for values in incoming})
    _check_scope(grant, actor, table, incoming, existing)
    plan = _plan(table, incoming, existing)
    _write(session, table, plan, existing)
    for action, key, before, after in plan.events:
        audit.record(
            session, actor.name, f"{table.target_type}.{action}", table.target_type, table.label(key), snapshot(before), snapshot(after)
        )
    return UpsertCounts(plan.inserted, plan.replaced, plan.unchanged)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _check_owners(session: Session, table: Table, incoming: list[dict[str, Any]]) -> None:
    """Refuse the batch when a row names an owner entity that is not registered (see the module docstring)."""
    if table.model is Entity:
        return
    wanted = sorted({values[table.owner] for values in incoming if values[table.owner]})
    known: set[str] = set()
    for chunk in _chunks(wanted):
        known.update(session.scalars(select(Entity.uscc).where(Entity.uscc.in_(chunk))))
    problems = [_unknown_owner(table, values) for values in incoming if values[table.owner] and values[table.owner] not in known]
    if problems:
        shown = "; ".join(str(problem) for problem in problems[:SHOWN])
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        message = f"{len(problems)} {table.feed} rows name an unregistered entity: {shown}{more}"
        raise ValidationFailed(message, problems)


def _unknown_owner(table: Table, values: Mapping[str, Any]) -> Problem:
    label = f"{table.target_type} {table.label(table.key_of(values))}"
    rule = f"{label}: entity not in the registry (主体库中无此统一社会信用代码); import the entity first"
    return Problem(rule, table.owner, values[table.owner])


def _load_existing(session: Session, table: Table, keys: set[Key]) -> dict[Key, _Existing]:
    """The stored rows of these keys, one query per chunk of keys."""
    model = table.model
    key_columns = [getattr(model, column) for column in table.key]
    pk_columns = table.primary_key
    wanted = sorted(keys)
    found: dict[Key, _Existing] = {}
    columns = [getattr(model, column) for column in dict.fromkeys((*pk_columns, *table.columns))]
    for chunk in _chunks(wanted):
        if len(key_columns) == 1:
            condition = key_columns[0].in_([key[0] for key in chunk])
        else:
            condition = tuple_(*key_columns).in_(chunk)
        for row in session.execute(select(*columns).where(condition)).mappings():
            values = {column: row[column] for column in table.columns}
            found[table.key_of(values)] = _Existing({column: row[column] for column in pk_columns}, values)
    return found


def _check_scope(grant: Grant, actor: Actor, table: Table, incoming: list[dict[str, Any]], existing: Mapping[Key, _Existing]) -> None:
    """Every row, and every stored row it replaces, must lie inside the actor's write grant."""
    denied: list[str] = []
    for values in incoming:
        key = table.key_of(values)
        versions = [values] + ([existing[key].values] if key in existing else [])
        if not all(grant.allows(v["region_code"], v[table.owner]) for v in versions):
            denied.append(table.label(key))
    if denied:
        shown = ", ".join(denied[:SHOWN]) + (f" (and {len(denied) - SHOWN} more)" if len(denied) > SHOWN else "")
        raise PermissionDenied(f"{actor.name} may not write {len(denied)} {table.feed} rows outside its scope ({grant.reason}): {shown}")


def _plan(table: Table, incoming: list[dict[str, Any]], existing: Mapping[Key, _Existing]) -> _Plan:
    """Classify each row in order against the current version of its key (stored, or earlier in the batch)."""
    plan = _Plan()
    current: dict[Key, dict[str, Any]] = {key: stored.values for key, stored in existing.items()}
    for values in incoming:
        key = table.key_of(values)
        before = current.get(key)
        if before == values:
            plan.unchanged += 1
            continue
        if before is None:
            plan.inserted += 1
            plan.events.append(("import", key, None, values))
        else:
            plan.replaced += 1
            plan.events.append(("replace", key, before, values))
        current[key] = plan.final[key] = values
    return plan


def _write(session: Session, table: Table, plan: _Plan, existing: Mapping[Key, _Existing]) -> None:
    """Insert the new keys and update the replaced ones, each in one executemany statement."""
    stamp = now()
    inserts = [{**values, "created_at": stamp, "updated_at": stamp} for key, values in plan.final.items() if key not in existing]
    updates = [
        {**values, **existing[key].pk, "updated_at": stamp}
        for key, values in plan.final.items()
        if key in existing and values != existing[key].values
    ]
    if inserts:
        session.execute(insert(table.model), inserts)
    if updates:
        session.execute(update(table.model), updates)
