"""The registry service (主体库): the only module, with upsert.py, that reads or writes the registry tables.

Every list, count and get goes through ``core.scope.restrict(query, actor, "registry.read")``; a row outside the
actor's scope is reported as NotFound, so its existence is not revealed. Every write checks
``core.scope.ensure(actor, "registry.write", ...)`` on the row before and after the change, and writes an audit line
(before and after, personal data masked) in the caller's transaction. The caller commits.

The bulk entry point of ingest, ``upsert_rows``, lives in upsert.py and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.scope import Actor, ensure, restrict
from livecommerce.core.timeutil import now
from livecommerce.entities.models import Entity, LiveBase, Shop, Streamer
from livecommerce.entities.records import TABLES, snapshot, values_of
from livecommerce.entities.schemas import (
    MAX_PAGE_SIZE,
    BasePublic,
    BaseQuery,
    EntityCreate,
    EntityDetail,
    EntityFilter,
    EntityPublic,
    EntityQuery,
    EntityUpdate,
    Page,
    ShopPublic,
    ShopQuery,
    StreamerPublic,
    StreamerQuery,
)
from livecommerce.entities.upsert import UpsertCounts, upsert_rows
from livecommerce.reference.regions import regions

__all__ = [
    "UpsertCounts",
    "upsert_rows",
    "list_entities",
    "export_entities",
    "get_entity",
    "entity_detail",
    "create_entity",
    "update_entity",
    "list_shops",
    "get_shop",
    "list_streamers",
    "get_streamer",
    "list_bases",
    "get_base",
]

READ = "registry.read"
WRITE = "registry.write"
S = TypeVar("S", bound=BaseModel)

ENTITY_SORTS: dict[str, Any] = {
    "uscc": Entity.uscc,
    "name": Entity.name,
    "kind": Entity.kind,
    "region": Entity.region_code,
    "founded_on": Entity.founded_on,
}


# --- shared helpers ------------------------------------------------------------------------------------------------


def _in_region(column: InstrumentedAttribute[str], code: str) -> ColumnElement[bool]:
    """The region and every division below it (a city's filter keeps its counties' rows)."""
    return column.in_(sorted(regions().descendants(code)))


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _page(session: Session, query: Select[Any], schema: type[S], page: int, page_size: int) -> Page[S]:
    """One page of an already restricted query, with the count of the whole list."""
    rows = session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    items = [schema.model_validate(row) for row in rows]
    return Page[schema](items=items, total=_count(session, query), page=page, page_size=page_size)  # type: ignore[valid-type]


def _one(session: Session, actor: Actor, query: Select[Any], what: str) -> Any:
    """The single row of a restricted query; NotFound whether it is missing or outside the actor's scope."""
    row = session.scalars(restrict(query, actor, READ)).one_or_none()
    if row is None:
        raise NotFound(f"{what} not found")
    return row


# --- entities --------------------------------------------------------------------------------------------------------


def _entity_select(actor: Actor, filters: EntityFilter, sort: str = "uscc") -> Select[Any]:
    """Entities inside the actor's scope that pass the filters, sorted (ties broken by USCC)."""
    query = restrict(select(Entity), actor, READ)
    if filters.region:
        query = query.where(_in_region(Entity.region_code, filters.region))
    if filters.kind:
        query = query.where(Entity.kind == filters.kind)
    if filters.above_quota is not None:
        query = query.where(Entity.above_quota.is_(filters.above_quota))
    if filters.local_producer is not None:
        query = query.where(Entity.local_producer.is_(filters.local_producer))
    if filters.name:
        query = query.where(Entity.name.icontains(filters.name, autoescape=True))
    column = ENTITY_SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    return query.order_by(order.nulls_last(), Entity.uscc)


def list_entities(session: Session, actor: Actor, query: EntityQuery) -> Page[EntityPublic]:
    """One page of the entities the actor may see, filtered and sorted."""
    return _page(session, _entity_select(actor, query, query.sort), EntityPublic, query.page, query.page_size)


def export_entities(session: Session, actor: Actor, filters: EntityFilter, sort: str = "uscc") -> list[EntityPublic]:
    """Every entity the actor may see that passes the filters: what the XLSX export writes."""
    return [EntityPublic.model_validate(row) for row in session.scalars(_entity_select(actor, filters, sort))]


def _load_entity(session: Session, actor: Actor, uscc: str) -> Entity:
    entity: Entity = _one(session, actor, select(Entity).where(Entity.uscc == uscc), f"entity {uscc}")
    return entity


def get_entity(session: Session, actor: Actor, uscc: str) -> EntityPublic:
    """One entity by its 统一社会信用代码; NotFound when missing or outside the actor's scope."""
    return EntityPublic.model_validate(_load_entity(session, actor, uscc))


def entity_detail(session: Session, actor: Actor, uscc: str) -> EntityDetail:
    """An entity with the shops, streamers and bases it runs that the actor may see (first page of each)."""
    entity = get_entity(session, actor, uscc)
    return EntityDetail(
        entity=entity,
        shops=list_shops(session, actor, ShopQuery(uscc=uscc, page_size=MAX_PAGE_SIZE)),
        streamers=list_streamers(session, actor, StreamerQuery(uscc=uscc, page_size=MAX_PAGE_SIZE)),
        bases=list_bases(session, actor, BaseQuery(operator_uscc=uscc, page_size=MAX_PAGE_SIZE)),
    )


def create_entity(session: Session, actor: Actor, data: EntityCreate) -> EntityPublic:
    """Register a new market entity (audited as entity.create)."""
    ensure(actor, WRITE, region=data.region, entity=data.uscc)
    if session.get(Entity, data.uscc) is not None:
        raise ValidationFailed(f"统一社会信用代码 {data.uscc} is already registered (主体已存在)")
    stamp = now()
    entity = Entity(
        uscc=data.uscc,
        name=data.name,
        kind=data.kind,
        region_code=data.region,
        above_quota=data.above_quota,
        local_producer=data.local_producer,
        founded_on=data.founded_on,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(entity)
    session.flush()
    after = values_of(TABLES["entities"], entity)
    audit.record(session, actor.name, "entity.create", "entity", entity.uscc, None, snapshot(after))
    return EntityPublic.model_validate(entity)


def update_entity(session: Session, actor: Actor, uscc: str, data: EntityUpdate) -> EntityPublic:
    """Change the given fields of an entity (audited as entity.update; a change to nothing writes nothing)."""
    entity = _load_entity(session, actor, uscc)
    ensure(actor, WRITE, region=entity.region_code, entity=entity.uscc)
    table = TABLES["entities"]
    before = values_of(table, entity)
    changes = data.model_dump(exclude_unset=True)
    emptied = sorted(column for column, value in changes.items() if value is None and column != "founded_on")
    if emptied:
        raise ValidationFailed(f"{', '.join(emptied)} may not be emptied (不能为空)")
    if "region" in changes:
        changes["region_code"] = changes.pop("region")
        ensure(actor, WRITE, region=changes["region_code"], entity=entity.uscc)
    for column, value in changes.items():
        setattr(entity, column, value)
    after = values_of(table, entity)
    if after != before:
        entity.updated_at = now()
        session.flush()
        audit.record(session, actor.name, "entity.update", "entity", uscc, snapshot(before), snapshot(after))
    return EntityPublic.model_validate(entity)


# --- shops, streamers, bases -----------------------------------------------------------------------------------------


def list_shops(session: Session, actor: Actor, query: ShopQuery) -> Page[ShopPublic]:
    """One page of the shops (网店) the actor may see, by platform and shop ID."""
    stmt = restrict(select(Shop), actor, READ)
    if query.region:
        stmt = stmt.where(_in_region(Shop.region_code, query.region))
    if query.platform:
        stmt = stmt.where(Shop.platform == query.platform)
    if query.uscc:
        stmt = stmt.where(Shop.uscc == query.uscc)
    if query.name:
        stmt = stmt.where(Shop.shop_name.icontains(query.name, autoescape=True))
    return _page(session, stmt.order_by(Shop.platform, Shop.shop_id), ShopPublic, query.page, query.page_size)


def get_shop(session: Session, actor: Actor, platform: str, shop_id: str) -> ShopPublic:
    """One shop by its natural key (platform, shop_id); NotFound when missing or outside the actor's scope."""
    query = select(Shop).where(Shop.platform == platform, Shop.shop_id == shop_id)
    return ShopPublic.model_validate(_one(session, actor, query, f"shop {platform}/{shop_id}"))


def list_streamers(session: Session, actor: Actor, query: StreamerQuery) -> Page[StreamerPublic]:
    """One page of the streamers (主播) the actor may see; real names and phones masked."""
    stmt = restrict(select(Streamer), actor, READ)
    if query.region:
        stmt = stmt.where(_in_region(Streamer.region_code, query.region))
    if query.platform:
        stmt = stmt.where(Streamer.platform == query.platform)
    if query.uscc:
        stmt = stmt.where(Streamer.uscc == query.uscc)
    if query.name:
        stmt = stmt.where(Streamer.nickname.icontains(query.name, autoescape=True))
    order = (Streamer.platform, Streamer.streamer_id)
    return _page(session, stmt.order_by(*order), StreamerPublic, query.page, query.page_size)


def get_streamer(session: Session, actor: Actor, platform: str, streamer_id: str) -> StreamerPublic:
    """One streamer by (platform, streamer_id); NotFound when missing or outside the actor's scope."""
    query = select(Streamer).where(Streamer.platform == platform, Streamer.streamer_id == streamer_id)
    return StreamerPublic.model_validate(_one(session, actor, query, f"streamer {platform}/{streamer_id}"))


def list_bases(session: Session, actor: Actor, query: BaseQuery) -> Page[BasePublic]:
    """One page of the live-streaming bases (直播基地) the actor may see."""
    stmt = restrict(select(LiveBase), actor, READ)
    if query.region:
        stmt = stmt.where(_in_region(LiveBase.region_code, query.region))
    if query.operator_uscc:
        stmt = stmt.where(LiveBase.operator_uscc == query.operator_uscc)
    if query.level:
        stmt = stmt.where(LiveBase.level == query.level)
    if query.name:
        stmt = stmt.where(LiveBase.name.icontains(query.name, autoescape=True))
    return _page(session, stmt.order_by(LiveBase.base_id), BasePublic, query.page, query.page_size)


def get_base(session: Session, actor: Actor, base_id: str) -> BasePublic:
    """One base by its ID; NotFound when missing or outside the actor's scope."""
    query = select(LiveBase).where(LiveBase.base_id == base_id)
    return BasePublic.model_validate(_one(session, actor, query, f"base {base_id}"))


def registered_usccs(session: Session, usccs: list[str]) -> set[str]:
    """Which of these USCCs name an entity in the registry (ingest checks shops' and streamers' owners with it)."""
    known: set[str] = set()
    wanted = sorted(set(usccs))
    for start in range(0, len(wanted), 2_000):
        known.update(session.scalars(select(Entity.uscc).where(Entity.uscc.in_(wanted[start : start + 2_000]))))
    return known


def shop_places(session: Session, shops: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(region code, owner USCC) of each (platform, shop_id) the registry knows, in a few queries however many are
    asked (the monitor places live sessions by their shop with it). A system lookup: no actor, callers scope results."""
    wanted = {key for key in shops if key[1]}
    found: dict[tuple[str, str], tuple[str, str | None]] = {}
    ids = sorted({shop_id for _, shop_id in wanted})
    for start in range(0, len(ids), 2_000):
        for platform, shop_id, region, uscc in session.execute(
            select(Shop.platform, Shop.shop_id, Shop.region_code, Shop.uscc).where(Shop.shop_id.in_(ids[start : start + 2_000]))
        ):
            if (platform, shop_id) in wanted:
                found[(platform, shop_id)] = (region, uscc)
    return found
