"""Tables of the registry. Columns follow the feeds ENTITIES, SHOPS, STREAMERS and BASES of warehouse/feeds.py
(the feed's ``region`` is ``region_code`` here). Each table names its region and entity columns in ``__scope__``
so that ``core.scope.restrict`` can narrow it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livecommerce.core import db
from livecommerce.core.timeutil import now


class Entity(db.Base):
    """A market entity (市场主体): an enterprise, individual business, cooperative, MCN, streamer team, base operator,
    government body or association, identified by its 统一社会信用代码."""

    __tablename__ = "entities"
    __scope__ = {"region": "region_code", "entity": "uscc"}

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    above_quota: Mapped[bool] = mapped_column(Boolean, default=False)
    local_producer: Mapped[bool] = mapped_column(Boolean, default=False)
    founded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class Shop(db.Base):
    """An online shop (网店) on one platform, run by a registered entity when its USCC is known."""

    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("platform", "shop_id"),)
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    shop_id: Mapped[str] = mapped_column(String(64))
    shop_name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(ForeignKey("entities.uscc"), nullable=True, index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    opened_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class Streamer(db.Base):
    """A streamer (主播) account on one platform, signed to an entity (its own team or an MCN) when known.
    ``real_name`` and ``phone`` are personal data: masked in every response, export and audit line."""

    __tablename__ = "streamers"
    __table_args__ = (UniqueConstraint("platform", "streamer_id"),)
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    streamer_id: Mapped[str] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(ForeignKey("entities.uscc"), nullable=True, index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    real_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    followers: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class LiveBase(db.Base):
    """A live-streaming base or park (直播基地/园区), run by an operator entity when known.

    Named LiveBase, not Base, so that it never shadows the declarative ``core.db.Base``."""

    __tablename__ = "bases"
    __scope__ = {"region": "region_code", "entity": "operator_uscc"}

    base_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    operator_uscc: Mapped[str | None] = mapped_column(ForeignKey("entities.uscc"), nullable=True, index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)
