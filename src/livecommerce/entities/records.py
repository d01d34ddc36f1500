"""How each registry feed maps onto its table, and the snapshots the audit log keeps of a row.

The feeds of warehouse/feeds.py name the region column ``region``; the tables call it ``region_code``. Every other
column has the same name in the feed and in the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.privacy import mask_name, mask_phone
from livecommerce.entities.models import Entity, LiveBase, Shop, Streamer

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """One registry feed's table: natural key, the columns the feed fills, and the column naming the owner entity."""

    feed: str
    model: type[Any]
    target_type: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    owner: str
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The primary key columns (the natural key itself, or the surrogate ``id``)."""
        return tuple(column.key for column in self.model.__table__.primary_key.columns)

    def key_of(self, values: Mapping[str, Any]) -> Key:
        return tuple(values[column] for column in self.key)

    def label(self, key: Key) -> str:
        """A row's natural key as people read it: 'douyin/10086'."""
        return "/".join(str(part) for part in key)


TABLES: dict[str, Table] = {
    "entities": Table(
        "entities",
        Entity,
        "entity",
        ("uscc",),
        ("uscc", "name", "kind", "region_code", "above_quota", "local_producer", "founded_on"),
        "uscc",
        {"above_quota": False, "local_producer": False},
    ),
    "shops": Table(
        "shops",
        Shop,
        "shop",
        ("platform", "shop_id"),
        ("platform", "shop_id", "shop_name", "uscc", "region_code", "opened_on"),
        "uscc",
    ),
    "streamers": Table(
        "streamers",
        Streamer,
        "streamer",
        ("platform", "streamer_id"),
        ("platform", "streamer_id", "nickname", "uscc", "region_code", "real_name", "phone", "followers"),
        "uscc",
        {"followers": 0},
    ),
    "bases": Table(
        "bases",
        LiveBase,
        "base",
        ("base_id",),
        ("base_id", "name", "operator_uscc", "region_code", "level", "address"),
        "operator_uscc",
        {"level": ""},
    ),
}


def table_of(feed: str) -> Table:
    """The table a registry feed fills; ValidationFailed for any other feed."""
    try:
        return TABLES[feed]
    except KeyError:
        raise ValidationFailed(f"{feed!r} is not a registry feed ({', '.join(TABLES)})") from None


def from_feed(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A typed feed row as table values: ``region`` becomes ``region_code``; absent or empty optional columns get
    the table's default (False, 0, '') or NULL."""
    values: dict[str, Any] = {}
    for column in table.columns:
        value = row.get("region" if column == "region_code" else column)
        values[column] = table.defaults.get(column) if value is None else value
    return values


def values_of(table: Table, obj: Any) -> dict[str, Any]:
    """The feed columns of a loaded row."""
    return {column: getattr(obj, column) for column in table.columns}


def snapshot(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the audit log keeps of a row: every feed column, personal data masked."""
    if values is None:
        return None
    kept = dict(values)
    if "phone" in kept:
        kept["phone"] = mask_phone(kept["phone"])
    if "real_name" in kept:
        kept["real_name"] = mask_name(kept["real_name"])
    return kept
