"""The store of 直播监测预警: what the live monitor saw (sessions, minutes, compliance hits, alert transitions) kept in the
registry database, and what people do with alerts (acknowledge and assign: 认领、指派) and silences (静默).

``record`` is the system's own write (the hub, or `monitor replay --record`): idempotent, so recording the same things
twice changes nothing — a transition is unique by fingerprint + state + event time, a minute by session + minute, a
hit by session + time + source + rule + text, a session by (platform, session_id) (the latest figures win).
Every read is narrowed by ``core.scope``: a session's and an alert's region is the ``region`` label (else the region
of the shop in the registry), its entity the USCC of its shop in the registry, so a city bureau gets its own city's
alerts (routing by region) and an enterprise its own shops'. Acknowledgements and silences are audited.
Times in the dicts are ISO 8601 in Asia/Shanghai; money is a string of a Decimal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from livecommerce.core.scope import Actor, ensure, restrict, scope_condition
from livecommerce.core.timeutil import as_shanghai, aware, now
from livecommerce.monitor.alerts import FIRING, NODATA, PENDING, RESOLVED, Silence, iso
from livecommerce.monitor.models import (
    MonitorAlert,
    MonitorAlertAck,
    MonitorAlertHistory,
    MonitorHit,
    MonitorMinute,
    MonitorSession,
    MonitorSilence,
)
from livecommerce.monitor.recording import chunks, micros
from livecommerce.monitor.rules import load_rules
from livecommerce.monitor.schemas import check_matchers, silence_region
from livecommerce.reference.regions import PROVINCE, regions

if TYPE_CHECKING:
    pass

READ, WRITE = "monitor.read", "monitor.write"
STATES = (PENDING, FIRING, RESOLVED, NODATA)
STATUSES = ("live", "paused", "ended")
MAX_SILENCE = timedelta(days=30)  # a maintenance window, not a permanent mute: renew it when it is still needed
TITLES: dict[str, str] = {name: str(values.get("title", name)) for name, values in load_rules().rules.items()}


# -- helpers -----------------------------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(aware(moment).timestamp())


def region_name(code: str | None) -> str:
    """Full Chinese name of a region code (哈尔滨市道里区), empty for none or an unknown code."""
    if not code:
        return ""
    try:
        return regions().full_name(code)
    except NotFound:
        return ""


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
        "started": _iso(row.started),
        "ended": _iso(row.ended),
        "last_event": _iso(row.last_event),
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
                "minute": _iso(m.minute),
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
                "ts": _iso(h.at),
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
            "started": _iso(row.started),
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
        "started_at": _iso(row.started_at),
        "updated_at": _iso(row.updated_at),
        "resolved_at": _iso(row.resolved_at),
        "muted": row.muted,
        "assignee": row.assignee,
        "note": row.note,
        "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": _iso(row.acknowledged_at),
    }


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    rule: str | None = None,
    city: str | None = None,
    platform: str | None = None,
    session_id: str | None = None,
    acknowledged: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """The alert centre (预警中心): alerts inside the actor's scope, newest first, one page and the total."""
    ensure(actor, READ)
    _choice("state", state, STATES)
    _choice("rule", rule, TITLES)
    if page < 1 or not 1 <= page_size <= 500:
        raise ValidationFailed(
            f"page {page}, page_size {page_size}: page from 1, page_size from 1 to 500",
            [Problem("from 1 to 500", "page_size", str(page_size))],
        )
    query: Select[Any] = restrict(select(MonitorAlert), actor, READ)
    for column, value in (
        (MonitorAlert.state, state),
        (MonitorAlert.rule, rule),
        (MonitorAlert.platform, platform),
        (MonitorAlert.session_id, session_id),
    ):
        if value:
            query = query.where(column == value)
    if city:
        query = query.where(MonitorAlert.region_code.in_(sorted(_city(city))))
    if acknowledged is not None:
        ack = MonitorAlert.acknowledged_at
        query = query.where(ack.is_not(None) if acknowledged else ack.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MonitorAlert.started_at.desc(), MonitorAlert.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return [_alert_dict(row) for row in rows], total


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
            {"state": h.state, "at": _iso(h.at), "summary": h.summary, "muted": h.muted, "severity": h.severity, "value": h.value}
            for h in history
        ],
        "acks": [{"by": a.by, "assignee": a.assignee, "note": a.note, "at": _iso(a.at)} for a in acks],
    }


def _may_write(actor: Actor, region: str | None, entity: str | None, what: str) -> None:
    grant = ensure(actor, WRITE)
    if not grant.allows(region, entity):
        raise PermissionDenied(f"{actor.name} may not {what} outside its scope ({grant.reason})")


def _text(name: str, value: str, *, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{name}: required", [Problem("required", name, value)])
    if len(text) > limit:
        raise ValidationFailed(
            f"{name}: at most {limit} characters (got {len(text)})", [Problem(f"at most {limit} characters", name, text[:50])]
        )
    return text


def acknowledge(session: Session, actor: Actor, alert_id: int, *, assignee: str, note: str) -> dict[str, Any]:
    """Acknowledge an alert (认领) and assign it to someone with a note; each acknowledgement is kept and audited."""
    row = _alert(session, actor, alert_id)
    _may_write(actor, row.region_code, row.uscc, "acknowledge this alert")
    assignee = _text("assignee", assignee, limit=64, required=True)
    note = _text("note", note, limit=2000, required=False)
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


# -- silences ----------------------------------------------------------------------------------------------------------


def _silence_dict(row: MonitorSilence, moment: datetime | None = None) -> dict[str, Any]:
    moment = moment or now()
    active = micros(row.starts) <= micros(moment) < micros(row.ends)
    return {
        "id": row.id,
        "matchers": json.loads(row.matchers),
        "starts": _iso(row.starts),
        "ends": _iso(row.ends),
        "comment": row.comment,
        "created_by": row.created_by,
        "created_at": _iso(row.created_at),
        "active": active,
        "region": row.region_code,
        "region_name": region_name(row.region_code),
        "expired_by": row.expired_by,
        "expired_at": _iso(row.expired_at),
    }


def _instant(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{name} {value!r}: a date and time", [Problem("a date and time", name, str(value))])
    try:
        return as_shanghai(value).astimezone(UTC)
    except OverflowError:  # 0001-01-01 in Shanghai is before the first UTC instant datetime holds
        raise ValidationFailed(f"{name} {value.isoformat()}: out of range", [Problem("a date after the year 1", name)]) from None


def create_silence(
    session: Session, actor: Actor, *, matchers: dict[str, str], starts: datetime, ends: datetime, comment: str
) -> dict[str, Any]:
    """Silence (静默) the alerts whose labels match every matcher (a value may be a glob: region=2301*) from
    ``starts`` to ``ends``, at most 30 days. A city bureau's silence needs a region matcher inside its city."""
    grant = ensure(actor, WRITE)
    matchers = check_matchers(matchers, rules=TITLES)
    comment = _text("comment", comment, limit=500, required=True)
    begin, end = _instant("starts", starts), _instant("ends", ends)
    if end <= begin:
        raise ValidationFailed(f"ends {_iso(end)} is not after starts {_iso(begin)}", [Problem("after starts", "ends", _iso(end))])
    if end - begin > MAX_SILENCE:
        raise ValidationFailed(
            f"a silence lasts at most 30 days (from {_iso(begin)} to {_iso(end)})", [Problem("at most 30 days", "ends", _iso(end))]
        )
    if end <= now():
        raise ValidationFailed(f"ends {_iso(end)} is already past", [Problem("in the future", "ends", _iso(end))])
    region, codes = silence_region(matchers)
    if not grant.everything and not (codes and codes <= grant.regions):
        raise PermissionDenied(
            f"{actor.name} may silence only alerts of its own region ({grant.reason}): add a "
            f"matcher region=<code or glob inside it>, e.g. region=2301*"
        )
    row = MonitorSilence(
        matchers=json.dumps(matchers, ensure_ascii=False, sort_keys=True),
        starts=begin,
        ends=end,
        comment=comment,
        region_code=region,
        created_by=actor.name[:64],
        created_at=now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.name,
        "monitor.silence",
        "monitor_silence",
        str(row.id),
        None,
        {"matchers": matchers, "starts": _iso(begin), "ends": _iso(end), "comment": comment},
    )
    return _silence_dict(row)


def _visible_silences(actor: Actor) -> Select[Any]:
    """Silences of the actor's region, and the province-wide ones (they mute the actor's alerts too)."""
    grant = ensure(actor, READ)
    return select(MonitorSilence).where(or_(scope_condition(grant, MonitorSilence.region_code), MonitorSilence.region_code == PROVINCE))


def list_silences(session: Session, actor: Actor, include_expired: bool = False) -> list[dict[str, Any]]:
    """Silences not yet ended (or every one), the latest first."""
    query = _visible_silences(actor)
    moment = now()
    if not include_expired:
        query = query.where(MonitorSilence.ends > moment)
    return [_silence_dict(row, moment) for row in session.scalars(query.order_by(MonitorSilence.id.desc()))]


def expire_silence(session: Session, actor: Actor, silence_id: int) -> dict[str, Any]:
    """End a silence now (audited); one that has ended already is a wrong request."""
    row = session.scalars(_visible_silences(actor).where(MonitorSilence.id == silence_id)).first()
    if row is None:
        raise NotFound(f"no silence {silence_id}")
    _may_write(actor, row.region_code, None, "expire this silence")
    moment = now()
    if micros(row.ends) <= micros(moment):
        raise ValidationFailed(
            f"silence {silence_id} ended already at {_iso(row.ends)}", [Problem("ended already", "silence", str(silence_id))]
        )
    before = {"starts": _iso(row.starts), "ends": _iso(row.ends)}
    row.ends, row.expired_by, row.expired_at = moment, actor.name[:64], moment
    if micros(row.starts) > micros(moment):
        row.starts = moment
    audit.record(
        session,
        actor.name,
        "monitor.silence.expire",
        "monitor_silence",
        str(row.id),
        before,
        {"starts": _iso(row.starts), "ends": _iso(moment)},
    )
    session.flush()
    return _silence_dict(row, moment)


def active_silences(session: Session) -> list[Silence]:
    """Silences not yet ended, as the engine applies them (it checks starts and ends on event time itself)."""
    rows = session.scalars(select(MonitorSilence).where(MonitorSilence.ends > now()).order_by(MonitorSilence.id))
    return [
        Silence(json.loads(row.matchers), aware(row.starts).timestamp(), aware(row.ends).timestamp(), row.comment, row.id) for row in rows
    ]
