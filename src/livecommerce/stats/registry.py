"""What statistics need of the registry (主体库): an entity's kind and name, a shop's and a streamer's name, a
streamer's region. Read once and kept until the registry changes (its row counts and last update), so that a
dashboard request does not read 22,000 entities each time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings


@dataclass(frozen=True)
class Snapshot:
    entity_kind: dict[str, str] = field(default_factory=dict)
    entity_name: dict[str, str] = field(default_factory=dict)
    shop_name: dict[tuple[str, str], str] = field(default_factory=dict)
    streamer_name: dict[tuple[str, str], str] = field(default_factory=dict)
    streamer_region: dict[tuple[str, str], str] = field(default_factory=dict)

    def kinds_table(self) -> pa.Table:
        return pa.table({"uscc": list(self.entity_kind), "kind": list(self.entity_kind.values())})

    def streamer_regions_table(self) -> pa.Table:
        keys = list(self.streamer_region)
        return pa.table(
            {"platform": [k[0] for k in keys], "streamer_id": [k[1] for k in keys], "region": list(self.streamer_region.values())}
        )


_CACHE: dict[str, tuple[Any, Snapshot]] = {}
_LOCK = threading.Lock()


def snapshot(settings: Settings) -> Snapshot:
    """The registry as statistics see it, re-read only when it has changed."""
    from livecommerce.entities.models import Entity, Shop, Streamer

    with session_scope(settings) as session:
        version = tuple(session.execute(select(func.count(), func.max(model.updated_at))).one() for model in (Entity, Shop, Streamer))
        key = str(settings.registry_url)
        with _LOCK:
            cached = _CACHE.get(key)
            if cached and cached[0] == version:
                return cached[1]
        entities = session.execute(select(Entity.uscc, Entity.kind, Entity.name)).all()
        shops = session.execute(select(Shop.platform, Shop.shop_id, Shop.shop_name)).all()
        streamers = session.execute(select(Streamer.platform, Streamer.streamer_id, Streamer.nickname, Streamer.region_code)).all()
    snap = Snapshot(
        entity_kind={u: k for u, k, _ in entities},
        entity_name={u: n for u, _, n in entities},
        shop_name={(p, s): n for p, s, n in shops},
        streamer_name={(p, s): n for p, s, n, _ in streamers},
        streamer_region={(p, s): r for p, s, _, r in streamers},
    )
    with _LOCK:
        _CACHE[key] = (version, snap)
    return snap
