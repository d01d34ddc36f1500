"""Tables of 直播监测预警: what the live monitor saw, kept in the registry database for the alert centre and the review.

- ``monitor_sessions``: one row per live session (直播场次) with its latest figures, keyed (platform, session_id).
- ``monitor_minutes``: one row per session and minute (the curves of the 复盘), keyed (platform, session_id, minute).
- ``monitor_hits``: compliance hits (违规用语) in transcript, chat and product titles.
- ``monitor_alerts``: one row per episode of an alert (预警): from its first pending/firing/nodata transition to its
  resolution; the same fingerprint firing again later is a new row. Acknowledgement (认领) is kept on the row.
- ``monitor_alert_history``: every transition, unique by (fingerprint, state, at): recording twice changes nothing.
- ``monitor_alert_acks``: every acknowledgement with who did it, the assignee and the note.
- ``monitor_silences``: time-boxed silences (静默) by label matchers.

Times are stored as UTC instants. Sessions, alerts and silences name their region (and entity) columns in
``__scope__`` so that ``core.scope.restrict`` narrows them: a city bureau sees its own city's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livecommerce.core import db
from livecommerce.core.timeutil import now

AMOUNT = Numeric(18, 2, asdecimal=True)


class MonitorSession(db.Base):
    """A live session (直播场次) as the monitor last saw it: who, where, its status and its totals."""

    __tablename__ = "monitor_sessions"
    __table_args__ = (UniqueConstraint("platform", "session_id"),)
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    shop: Mapped[str | None] = mapped_column(String(64), nullable=True)
    streamer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_event: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    online: Mapped[int] = mapped_column(Integer, default=0)
    peak_online: Mapped[int] = mapped_column(Integer, default=0)
    total_viewers: Mapped[int] = mapped_column(Integer, default=0)
    gmv: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    refunds: Mapped[int] = mapped_column(Integer, default=0)
    refunded: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    chat_lines: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    products: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{product_id, title, first_price, price, orders, gmv}]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class MonitorMinute(db.Base):
    """One minute of a session (the review's curves); a later row for the same minute replaces the earlier one."""

    __tablename__ = "monitor_minutes"
    __table_args__ = (UniqueConstraint("platform", "session_id", "minute"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    minute: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    online: Mapped[int] = mapped_column(Integer, default=0)
    peak_online: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    gmv: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    refunds: Mapped[int] = mapped_column(Integer, default=0)
    chat: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)


class MonitorHit(db.Base):
    """A compliance hit (违规用语) in a live session: where (transcript, chat, product title), what, which law."""

    __tablename__ = "monitor_hits"
    __table_args__ = (UniqueConstraint("platform", "session_id", "at", "source", "rule", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    law: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(String(200))
    context: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")


class MonitorAlert(db.Base):
    """One episode of an alert (预警): rule + labels (its fingerprint), from its first transition to its resolution,
    with its latest state and summary and who acknowledged it, assigned to whom, with which note."""

    __tablename__ = "monitor_alerts"
    __table_args__ = (UniqueConstraint("fingerprint", "started_at"),)
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    rule: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    labels: Mapped[str] = mapped_column(Text)  # JSON {name: value}
    platform: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    muted: Mapped[str | None] = mapped_column(String(300), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MonitorAlertHistory(db.Base):
    """One transition of an alert (pending, firing, resolved, nodata) at its event time; unique, so idempotent."""

    __tablename__ = "monitor_alert_history"
    __table_args__ = (UniqueConstraint("fingerprint", "state", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitor_alerts.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    severity: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    muted: Mapped[str | None] = mapped_column(String(300), nullable=True)


class MonitorAlertAck(db.Base):
    """One acknowledgement (认领) of an alert: by whom, assigned to whom, the note, when."""

    __tablename__ = "monitor_alert_acks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitor_alerts.id", ondelete="CASCADE"), index=True)
    by: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MonitorSilence(db.Base):
    """A time-boxed silence (静默): alerts whose labels match every matcher between starts and ends notify nobody.
    ``region_code`` is the narrowest region holding every region the matchers can reach (230000 without a region
    matcher): a city bureau silences, sees and expires its own city's."""

    __tablename__ = "monitor_silences"
    __scope__ = {"region": "region_code"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matchers: Mapped[str] = mapped_column(Text)  # JSON {label: value or glob}
    starts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    comment: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expired_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
