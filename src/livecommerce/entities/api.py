"""JSON routes of the registry (主体库): /api/entities, /api/shops, /api/streamers, /api/bases.

Thin: parse, call one service function, return its schema. Scope, audit and masking happen in the service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.entities import service
from livecommerce.entities.schemas import (
    BasePublic,
    BaseQuery,
    EntityCreate,
    EntityPublic,
    EntityQuery,
    EntityUpdate,
    Page,
    ShopPublic,
    ShopQuery,
    StreamerPublic,
    StreamerQuery,
)

router = APIRouter(prefix="/api", tags=["registry 主体库"])

UsccPath = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]
PlatformPath = Annotated[str, Path(min_length=1, max_length=32, description="平台代码, e.g. douyin")]
IdPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/entities")
def list_entities(db: DbSession, actor: CurrentActor, query: Annotated[EntityQuery, Query()]) -> Page[EntityPublic]:
    """Market entities in the caller's scope: filter by region (with the divisions below it), kind, flags, name."""
    return service.list_entities(db, actor, query)


@router.post("/entities", status_code=status.HTTP_201_CREATED)
def create_entity(body: EntityCreate, db: DbSession, actor: CurrentActor) -> EntityPublic:
    """Register a market entity (audited)."""
    return service.create_entity(db, actor, body)


@router.get("/entities/{uscc}")
def get_entity(uscc: UsccPath, db: DbSession, actor: CurrentActor) -> EntityPublic:
    """One market entity by its 统一社会信用代码 (404 when outside the caller's scope)."""
    return service.get_entity(db, actor, uscc.upper())


@router.patch("/entities/{uscc}")
def update_entity(uscc: UsccPath, body: EntityUpdate, db: DbSession, actor: CurrentActor) -> EntityPublic:
    """Change the given fields of a market entity (audited with before and after)."""
    return service.update_entity(db, actor, uscc.upper(), body)


@router.get("/shops")
def list_shops(db: DbSession, actor: CurrentActor, query: Annotated[ShopQuery, Query()]) -> Page[ShopPublic]:
    """Online shops (网店) in the caller's scope."""
    return service.list_shops(db, actor, query)


@router.get("/shops/{platform}/{shop_id}")
def get_shop(platform: PlatformPath, shop_id: IdPath, db: DbSession, actor: CurrentActor) -> ShopPublic:
    """One shop by platform and shop ID."""
    return service.get_shop(db, actor, platform, shop_id)


@router.get("/streamers")
def list_streamers(db: DbSession, actor: CurrentActor, query: Annotated[StreamerQuery, Query()]) -> Page[StreamerPublic]:
    """Streamers (主播) in the caller's scope; real names and phones masked."""
    return service.list_streamers(db, actor, query)


@router.get("/streamers/{platform}/{streamer_id}")
def get_streamer(platform: PlatformPath, streamer_id: IdPath, db: DbSession, actor: CurrentActor) -> StreamerPublic:
    """One streamer by platform and streamer ID."""
    return service.get_streamer(db, actor, platform, streamer_id)


@router.get("/bases")
def list_bases(db: DbSession, actor: CurrentActor, query: Annotated[BaseQuery, Query()]) -> Page[BasePublic]:
    """Live-streaming bases (直播基地/园区) in the caller's scope."""
    return service.list_bases(db, actor, query)


@router.get("/bases/{base_id}")
def get_base(base_id: IdPath, db: DbSession, actor: CurrentActor) -> BasePublic:
    """One base by its ID."""
    return service.get_base(db, actor, base_id)
