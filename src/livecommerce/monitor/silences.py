"""Silences (静默) of the monitor's alerts: time-boxed mutes by label matchers (a value may be a glob: region=2301*),
at most 30 days, made, listed and ended by people (audited) and applied by the engines (``active_silences``). A city
bureau sees and silences its own region's alerts; a province-wide silence mutes everyone's. service.py offers these
functions to the rest of the system with its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from livecommerce.core.scope import Actor, ensure, scope_condition
from livecommerce.core.timeutil import as_shanghai, aware, now
from livecommerce.monitor.access import READ, TITLES, WRITE, checked_text, iso_or_none, may_write, region_name
from livecommerce.monitor.alerts import Silence
from livecommerce.monitor.models import MonitorSilence
from livecommerce.monitor.recording import micros
from livecommerce.monitor.schemas import check_matchers, silence_region
from livecommerce.reference.regions import PROVINCE

MAX_SILENCE = timedelta(days=30)  # a maintenance window, not a permanent mute: renew it when it is still needed


def _silence_dict(row: MonitorSilence, moment: datetime | None = None) -> dict[str, Any]:
    moment = moment or now()
    active = micros(row.starts) <= micros(moment) < micros(row.ends)
    return {
        "id": row.id,
        "matchers": json.loads(row.matchers),
        "starts": iso_or_none(row.starts),
        "ends": iso_or_none(row.ends),
        "comment": row.comment,
        "created_by": row.created_by,
        "created_at": iso_or_none(row.created_at),
        "active": active,
        "region": row.region_code,
        "region_name": region_name(row.region_code),
        "expired_by": row.expired_by,
        "expired_at": iso_or_none(row.expired_at),
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
    comment = checked_text("comment", comment, limit=500, required=True)
    begin, end = _instant("starts", starts), _instant("ends", ends)
    if end <= begin:
        raise ValidationFailed(
            f"ends {iso_or_none(end)} is not after starts {iso_or_none(begin)}", [Problem("after starts", "ends", iso_or_none(end))]
        )
    if end - begin > MAX_SILENCE:
        raise ValidationFailed(
            f"a silence lasts at most 30 days (from {iso_or_none(begin)} to {iso_or_none(end)})",
            [Problem("at most 30 days", "ends", iso_or_none(end))],
        )
    if end <= now():
        raise ValidationFailed(f"ends {iso_or_none(end)} is already past", [Problem("in the future", "ends", iso_or_none(end))])
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
        {"matchers": matchers, "starts": iso_or_none(begin), "ends": iso_or_none(end), "comment": comment},
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
    may_write(actor, row.region_code, None, "expire this silence")
    moment = now()
    if micros(row.ends) <= micros(moment):
        raise ValidationFailed(
            f"silence {silence_id} ended already at {iso_or_none(row.ends)}", [Problem("ended already", "silence", str(silence_id))]
        )
    before = {"starts": iso_or_none(row.starts), "ends": iso_or_none(row.ends)}
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
        {"starts": iso_or_none(row.starts), "ends": iso_or_none(moment)},
    )
    session.flush()
    return _silence_dict(row, moment)


def active_silences(session: Session) -> list[Silence]:
    """Silences not yet ended, as the engine applies them (it checks starts and ends on event time itself)."""
    rows = session.scalars(select(MonitorSilence).where(MonitorSilence.ends > now()).order_by(MonitorSilence.id))
    return [
        Silence(json.loads(row.matchers), aware(row.starts).timestamp(), aware(row.ends).timestamp(), row.comment, row.id) for row in rows
    ]
