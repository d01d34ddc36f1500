"""The store of 直播监测预警: what the live monitor saw (sessions, minutes, compliance hits, alert transitions) kept in the
registry database, and what people do with alerts (acknowledge and assign: 认领、指派) and silences (静默, whose
functions live in silences.py and are offered here with the others).

What the monitor saw is written by recording.record, through the monitor's drain (drain.py: the hub, a Redis consumer
with --record, `monitor replay --record`): idempotent, so recording the same things twice changes nothing — a
transition is unique by fingerprint + state + event time, a minute by session + minute, a hit by session + time +
source + rule + text, a session by (platform, session_id) (the latest figures win).
Every read is narrowed by ``core.scope``: a session's and an alert's region is the ``region`` label (else the region
of the shop in the registry), its entity the USCC of its shop in the registry, so a city bureau gets its own city's
alerts (routing by region) and an enterprise its own shops'. Acknowledgements and silences are audited.
Times in the dicts are ISO 8601 in Asia/Shanghai; money is a string of a Decimal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, Unpack

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, Problem, ValidationFailed
from livecommerce.core.scope import Actor, ensure, restrict
from livecommerce.core.timeutil import as_shanghai, now
from livecommerce.monitor.access import READ, TITLES, checked_text, iso_or_none, may_write, region_name
from livecommerce.monitor.alerts import FIRING, NODATA, PENDING, RESOLVED
from livecommerce.monitor.models import (
    MonitorAlert,
    MonitorAlertAck,
    MonitorAlertHistory,
    MonitorHit,
    MonitorMinute,
    MonitorSession,
)
from livecommerce.monitor.recording import chunks
from livecommerce.monitor.silences import active_silences as active_silences
from livecommerce.monitor.silences import create_silence as create_silence
from livecommerce.monitor.silences import expire_silence as expire_silence
from livecommerce.monitor.silences import list_silences as list_silences
from livecommerce.reference.regions import regions

STATES = (PENDING, FIRING, RESOLVED, NODATA)
STATUSES = ("live", "paused", "ended")


# -- helpers -----------------------------------------------------------------------------------------------------------


def _city(text: str) -> frozenset[str]:
    """The codes a 市(地) filter covers (code or name); an unknown city is a bad filter."""
    try:
        region = regions().find(text)
    except NotFound as exc:
        raise ValidationFailed(
            f"city {text!r}: not a 市(地) of Heilongjiang (code or name, e.g. 230100 or 哈尔滨)",
            [Problem("not a 市(地) of Heilongjiang", "city", text)],
        ) from exc
    return regions().descendants(region.city_code or region.code)


def _choice(name: str, value: str | None, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise ValidationFailed(f"{name} {value!r}: one of {', '.join(allowed)}", [Problem(f"one of {', '.join(allowed)}", name, value)])


# -- sessions ----------------------------------------------------------------------------------------------------------


def _session_dict(row: MonitorSession, firing: int) -> dict[str, Any]:
    return {
        "platform": row.platform,
        "session_id": row.session_id,
        "shop": row.shop,
        "streamer": row.streamer,
        "region": row.region_code,
        "region_name": region_name(row.region_code),
        "status": row.status,
        "started": iso_or_none(row.started),
        "ended": iso_or_none(row.ended),
        "last_event": iso_or_none(row.last_event),
        "peak_online": row.peak_online,
        "total_viewers": row.total_viewers,
        "online": row.online,
        "gmv": str(row.gmv),
        "orders": row.orders,
        "refunds": row.refunds,
        "refunded": str(row.refunded),
        "chat_lines": row.chat_lines,
        "likes": row.likes,
        "complaints": row.complaints,
        "alerts_firing": firing,
    }


def list_sessions(
    session: Session, actor: Actor, *, city: str | None = None, platform: str | None = None, status: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The live sessions the monitor has seen, inside the actor's scope, the latest started first."""
    ensure(actor, READ)
    _choice("status", status, STATUSES)
    if not 1 <= limit <= 5000:
        raise ValidationFailed(f"limit {limit}: from 1 to 5000", [Problem("from 1 to 5000", "limit", str(limit))])
    query = restrict(select(MonitorSession), actor, READ)
    if city:
        query = query.where(MonitorSession.region_code.in_(sorted(_city(city))))
    if platform:
        query = query.where(MonitorSession.platform == platform)
    if status:
        query = query.where(MonitorSession.status == status)
    rows = list(session.scalars(query.order_by(MonitorSession.started.desc(), MonitorSession.id.desc()).limit(limit)))
    firing: dict[tuple[str, str], int] = {}
    for ids in chunks(row.session_id for row in rows):
        for platform_code, session_id, count in session.execute(
            select(MonitorAlert.platform, MonitorAlert.session_id, func.count())
            .where(MonitorAlert.state == FIRING, MonitorAlert.session_id.in_(ids))
            .group_by(MonitorAlert.platform, MonitorAlert.session_id)
        ):
            firing[(platform_code, session_id)] = count
    return [_session_dict(row, firing.get((row.platform, row.session_id), 0)) for row in rows]


def get_session(session: Session, actor: Actor, platform: str, session_id: str) -> dict[str, Any]:
    """One session with its minutes, compliance hits, alerts and products (NotFound when absent or out of scope)."""
    ensure(actor, READ)
    row = session.scalars(
        restrict(select(MonitorSession), actor, READ).where(MonitorSession.platform == platform, MonitorSession.session_id == session_id)
    ).first()
    if row is None:
        raise NotFound(f"no live session {platform}/{session_id}")
    alerts = list(
        session.scalars(
            restrict(select(MonitorAlert), actor, READ)
            .where(MonitorAlert.platform == platform, MonitorAlert.session_id == session_id)
            .order_by(MonitorAlert.started_at, MonitorAlert.id)
        )
    )
    minutes = session.scalars(
        select(MonitorMinute)
        .where(MonitorMinute.platform == platform, MonitorMinute.session_id == session_id)
        .order_by(MonitorMinute.minute)
    )
    hits = session.scalars(
        select(MonitorHit).where(MonitorHit.platform == platform, MonitorHit.session_id == session_id).order_by(MonitorHit.at)
    )
    return _session_dict(row, sum(1 for a in alerts if a.state == FIRING)) | {
        "minutes": [
            {
                "minute": iso_or_none(m.minute),
                "online": m.online,
                "peak_online": m.peak_online,
                "orders": m.orders,
                "gmv": str(m.gmv),
                "refunds": m.refunds,
                "chat": m.chat,
                "likes": m.likes,
            }
            for m in minutes
        ],
        "hits": [
            {
                "ts": iso_or_none(h.at),
                "source": h.source,
                "rule": h.rule,
                "category": h.category,
                "severity": h.severity,
                "law": h.law,
                "text": h.text,
                "context": h.context,
                "suggestion": h.suggestion,
            }
            for h in hits
        ],
        "alerts": [_alert_dict(a) for a in alerts],
        "products": json.loads(row.products or "[]"),
    }


def review_peers(session: Session, actor: Actor, platform: str, streamer: str | None, started: datetime) -> list[dict[str, Any]]:
    """What a review (复盘) compares its session with, inside the actor's scope and with no cap: every session of the
    platform that started the same day (Asia/Shanghai) as ``started``, and every session of ``streamer``. Only the
    columns the comparison needs: platform, session_id, streamer, started and gmv."""
    ensure(actor, READ)
    first = as_shanghai(started).replace(hour=0, minute=0, second=0, microsecond=0)
    same_day = (
        (MonitorSession.platform == platform)
        & (MonitorSession.started >= first.astimezone(UTC))
        & (MonitorSession.started < (first + timedelta(days=1)).astimezone(UTC))
    )
    query = (
        restrict(select(MonitorSession), actor, READ)
        .where(or_(same_day, MonitorSession.streamer == streamer) if streamer else same_day)
        .with_only_columns(
            MonitorSession.platform, MonitorSession.session_id, MonitorSession.streamer, MonitorSession.started, MonitorSession.gmv
        )
    )
    return [
        {
            "platform": row.platform,
            "session_id": row.session_id,
            "streamer": row.streamer,
            "started": iso_or_none(row.started),
            "gmv": str(row.gmv),
        }
        for row in session.execute(query)
    ]


# -- alerts ------------------------------------------------------------------------------------------------------------


def _alert_dict(row: MonitorAlert) -> dict[str, Any]:
    return {
        "id": row.id,
        "fingerprint": row.fingerprint,
        "rule": row.rule,
        "title": TITLES.get(row.rule, row.rule),
        "state": row.state,
        "severity": row.severity,
        "labels": json.loads(row.labels),
        "platform": row.platform,
        "session_id": row.session_id,
        "region": row.region_code,
        "region_name": region_name(row.region_code),
        "summary": row.summary,
        "value": row.value,
        "started_at": iso_or_none(row.started_at),
        "updated_at": iso_or_none(row.updated_at),
        "resolved_at": iso_or_none(row.resolved_at),
        "muted": row.muted,
        "assignee": row.assignee,
        "note": row.note,
        "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": iso_or_none(row.acknowledged_at),
    }


class AlertFilters(TypedDict, total=False):
    """What the alert centre narrows by (every one optional) and the page it shows."""

    state: str | None
    rule: str | None
    city: str | None
    platform: str | None
    session_id: str | None
    acknowledged: bool | None  # True: only acknowledged (已认领) ones; False: only the others
    page: int
    page_size: int


def list_alerts(session: Session, actor: Actor, **filters: Unpack[AlertFilters]) -> tuple[list[dict[str, Any]], int]:
    """The alert centre (预警中心): alerts inside the actor's scope, newest first, one page and the total."""
    ensure(actor, READ)
    _choice("state", filters.get("state"), STATES)
    _choice("rule", filters.get("rule"), TITLES)
    page, page_size = filters.get("page", 1), filters.get("page_size", 50)
    if page < 1 or not 1 <= page_size <= 500:
        raise ValidationFailed(
            f"page {page}, page_size {page_size}: page from 1, page_size from 1 to 500",
            [Problem("from 1 to 500", "page_size", str(page_size))],
        )
    query = _alert_query(actor, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MonitorAlert.started_at.desc(), MonitorAlert.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return [_alert_dict(row) for row in rows], total


def _alert_query(actor: Actor, filters: AlertFilters) -> Select[Any]:
    """The alerts inside the actor's scope that pass ``filters`` (an unknown city is refused)."""
    state, rule, city, acknowledged = filters.get("state"), filters.get("rule"), filters.get("city"), filters.get("acknowledged")
    query: Select[Any] = restrict(select(MonitorAlert), actor, READ)
    for column, value in (
        (MonitorAlert.state, state),
        (MonitorAlert.rule, rule),
        (MonitorAlert.platform, filters.get("platform")),
        (MonitorAlert.session_id, filters.get("session_id")),
    ):
        if value:
            query = query.where(column == value)
    if city:
        query = query.where(MonitorAlert.region_code.in_(sorted(_city(city))))
    if acknowledged is not None:
        ack = MonitorAlert.acknowledged_at
        query = query.where(ack.is_not(None) if acknowledged else ack.is_(None))
    return query


def _alert(session: Session, actor: Actor, alert_id: int) -> MonitorAlert:
    ensure(actor, READ)
    row = session.scalars(restrict(select(MonitorAlert), actor, READ).where(MonitorAlert.id == alert_id)).first()
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return row


def get_alert(session: Session, actor: Actor, alert_id: int) -> dict[str, Any]:
    """One alert with every transition of its history and every acknowledgement."""
    row = _alert(session, actor, alert_id)
    history = session.scalars(
        select(MonitorAlertHistory).where(MonitorAlertHistory.alert_id == row.id).order_by(MonitorAlertHistory.at, MonitorAlertHistory.id)
    )
    acks = session.scalars(
        select(MonitorAlertAck).where(MonitorAlertAck.alert_id == row.id).order_by(MonitorAlertAck.at, MonitorAlertAck.id)
    )
    return _alert_dict(row) | {
        "history": [
            {"state": h.state, "at": iso_or_none(h.at), "summary": h.summary, "muted": h.muted, "severity": h.severity, "value": h.value}
            for h in history
        ],
        "acks": [{"by": a.by, "assignee": a.assignee, "note": a.note, "at": iso_or_none(a.at)} for a in acks],
    }


def acknowledge(session: Session, actor: Actor, alert_id: int, *, assignee: str, note: str) -> dict[str, Any]:
    """Acknowledge an alert (认领) and assign it to someone with a note; each acknowledgement is kept and audited."""
    row = _alert(session, actor, alert_id)
    may_write(actor, row.region_code, row.uscc, "acknowledge this alert")
    assignee = checked_text("assignee", assignee, limit=64, required=True)
    note = checked_text("note", note, limit=2000, required=False)
    before = {"assignee": row.assignee, "note": row.note, "acknowledged_by": row.acknowledged_by}
    moment = now()
    row.assignee, row.note, row.acknowledged_by, row.acknowledged_at = assignee, note, actor.name[:64], moment
    session.add(MonitorAlertAck(alert_id=row.id, by=actor.name[:64], assignee=assignee, note=note, at=moment))
    audit.record(
        session,
        actor.name,
        "monitor.acknowledge",
        "monitor_alert",
        str(row.id),
        before,
        {"assignee": assignee, "note": note, "acknowledged_by": actor.name},
    )
    session.flush()
    return _alert_dict(row)
