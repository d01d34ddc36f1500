"""Recording what the live monitor saw (the hub's batches, `monitor replay --record`) in the registry database:
sessions, minutes, compliance hits and alert transitions, grouped into alert episodes with their history.

``record`` is the system's own write: idempotent, so recording the same things twice changes nothing — a transition is
unique by fingerprint + state + event time, a minute by session + minute, a hit by session + time + source + rule +
text, a session by (platform, session_id) (the latest figures win). A session's and an alert's region is its ``region``
label, else the region of its shop in the registry (entities.service.shop_places), and its entity that shop's USCC:
what ``core.scope`` narrows the reads of monitor.service by. No actor: not a person's write, so not audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.core.timeutil import aware
from livecommerce.entities.service import shop_places
from livecommerce.monitor.alerts import FIRING, NODATA, PENDING, RESOLVED, Transition
from livecommerce.monitor.models import MonitorAlert, MonitorAlertHistory, MonitorHit, MonitorMinute, MonitorSession
from livecommerce.reference.regions import regions

if TYPE_CHECKING:
    from livecommerce.monitor.engine import Hit
    from livecommerce.monitor.state import MinuteRow, SessionState


def stored_time(ts: float) -> datetime:
    """Event time (epoch seconds) as the UTC instant we store."""
    return datetime.fromtimestamp(ts, UTC)


def micros(moment: datetime | float) -> int:
    """An instant in whole microseconds: the key that compares a stored time with an event's."""
    seconds = moment if isinstance(moment, (int, float)) else aware(moment).timestamp()
    return round(seconds * 1_000_000)


def _known_region(code: str | None) -> str | None:
    return code if code and code in regions().by_code else None


class _Places:
    """Where a shop is: (region code, USCC) from the region label and the registry's shops, looked up once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.shops: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    def load(self, shops: Iterable[tuple[str, str | None]]) -> None:
        """Look up many shops at once (a batch of ten thousand sessions is a few queries, not ten thousand)."""
        wanted = {(platform, shop) for platform, shop in shops if shop} - self.shops.keys()
        found = shop_places(self.session, wanted)
        for key in wanted:
            self.shops[key] = found.get(key, (None, None))

    def __call__(self, platform: str, shop: str | None, region: str | None) -> tuple[str | None, str | None]:
        found: tuple[str | None, str | None] = (None, None)
        if shop:
            if (platform, shop) not in self.shops:
                self.load([(platform, shop)])
            found = self.shops[(platform, shop)]
        return _known_region(region) or _known_region(found[0]), found[1]


def _assign(row: Any, fields: dict[str, Any]) -> None:
    """Set only the columns whose value changed, so recording the same thing again writes nothing."""
    for name, value in fields.items():
        old = getattr(row, name)
        if isinstance(old, datetime) and isinstance(value, datetime):
            if micros(old) == micros(value):
                continue
        elif old == value:
            continue
        setattr(row, name, value)


def record(
    session: Session,
    *,
    transitions: Sequence[Transition] = (),
    minutes: Sequence[tuple[Any, MinuteRow]] = (),
    hits: Sequence[Hit] = (),
    sessions: Sequence[SessionState] = (),
) -> None:
    """Store what the engine saw (the hub's batches, a replay with --record); idempotent. No actor: not a person's
    write, so not audited; the caller commits."""
    places = _Places(session)
    places.load(
        [(s.platform, s.labels.get("shop")) for s in sessions] + [(t.labels.get("platform", ""), t.labels.get("shop")) for t in transitions]
    )
    _record_minutes(session, minutes)
    _record_hits(session, hits)
    _record_transitions(session, transitions, places)
    session.flush()
    if sessions:  # after the transitions: an ended session closes its alerts that never fired
        _record_sessions(session, sessions, places)
        session.flush()


def chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _record_sessions(session: Session, states: Sequence[SessionState], places: _Places) -> None:
    """Each session's latest figures (an older picture than the stored one is skipped)."""
    stored: dict[tuple[str, str], MonitorSession] = {}
    for ids in chunks(s.session_id for s in states):
        for known in session.scalars(select(MonitorSession).where(MonitorSession.session_id.in_(ids))):
            stored[(known.platform, known.session_id)] = known
    ended: dict[tuple[str, str], datetime] = {}
    for state in states:
        row = stored.get(state.key)
        if row is not None and micros(row.last_event) > micros(state.last_event):
            continue
        labels = state.labels
        region, uscc = places(state.platform, labels.get("shop"), labels.get("region"))
        products = [
            {
                "product_id": p.product_id,
                "title": p.title,
                "first_price": str(p.first_price),
                "price": str(p.price),
                "orders": p.orders,
                "gmv": str(p.gmv),
            }
            for p in state.products.values()
        ]
        fields = dict(
            shop=labels.get("shop"),
            streamer=labels.get("streamer"),
            region_code=region,
            uscc=uscc,
            status=state.status,
            started=stored_time(state.started),
            ended=stored_time(state.ended_at) if state.ended_at is not None else None,
            last_event=stored_time(state.last_event),
            online=state.online,
            peak_online=state.peak_online,
            total_viewers=state.total_viewers,
            gmv=state.gmv,
            orders=state.orders,
            refunds=state.refunds,
            refunded=state.refunded,
            chat_lines=state.chat_lines,
            likes=state.likes,
            complaints=state.complaints,
            products=json.dumps(products, ensure_ascii=False),
        )
        if row is None:
            stored[state.key] = MonitorSession(platform=state.platform, session_id=state.session_id, **fields)
            session.add(stored[state.key])
        else:
            _assign(row, fields)
        if state.status == "ended":
            ended[state.key] = stored_time(state.ended_at if state.ended_at is not None else state.last_event)
    # a pending alert of an ended session never fired: the engine forgets it without a transition
    for ids in chunks(session_id for _, session_id in ended):
        for alert in session.scalars(select(MonitorAlert).where(MonitorAlert.session_id.in_(ids), MonitorAlert.state == PENDING)):
            when = ended.get((alert.platform, alert.session_id))
            if when is not None:
                alert.state, alert.resolved_at, alert.updated_at = RESOLVED, when, when


def _record_minutes(session: Session, minutes: Sequence[tuple[Any, MinuteRow]]) -> None:
    """Minute rows; a later row of the same minute (the minute completed) replaces the earlier one."""
    if not minutes:
        return
    first = stored_time(min(m.minute for _, m in minutes))
    last = stored_time(max(m.minute for _, m in minutes))
    stored: dict[tuple[str, str, int], MonitorMinute] = {}
    for ids in chunks(key[1] for key, _ in minutes):
        for row in session.scalars(
            select(MonitorMinute).where(MonitorMinute.session_id.in_(ids), MonitorMinute.minute.between(first, last))
        ):
            stored[(row.platform, row.session_id, micros(row.minute))] = row
    for (platform, session_id), minute in minutes:
        fields = dict(
            online=minute.online,
            peak_online=minute.peak_online,
            orders=minute.orders,
            gmv=minute.gmv,
            refunds=minute.refunds,
            chat=minute.chat,
            likes=minute.likes,
        )
        key = (platform, session_id, micros(minute.minute))
        known = stored.get(key)
        if known is None:
            stored[key] = MonitorMinute(platform=platform, session_id=session_id, minute=stored_time(minute.minute), **fields)
            session.add(stored[key])
        else:
            _assign(known, fields)


def _record_hits(session: Session, hits: Sequence[Hit]) -> None:
    if not hits:
        return
    first, last = stored_time(min(h.ts for h in hits)), stored_time(max(h.ts for h in hits))
    seen: set[tuple[str, str, int, str, str, str]] = set()
    for ids in chunks(h.session_id for h in hits):
        for row in session.execute(
            select(MonitorHit.platform, MonitorHit.session_id, MonitorHit.at, MonitorHit.source, MonitorHit.rule, MonitorHit.text).where(
                MonitorHit.session_id.in_(ids), MonitorHit.at.between(first, last)
            )
        ):
            seen.add((row[0], row[1], micros(row[2]), row[3], row[4], row[5]))
    for hit in hits:
        text = hit.text[:200]
        key = (hit.platform, hit.session_id, micros(hit.ts), hit.source, hit.rule, text)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            MonitorHit(
                platform=hit.platform,
                session_id=hit.session_id,
                at=stored_time(hit.ts),
                source=hit.source,
                rule=hit.rule,
                category=hit.category[:64],
                severity=hit.severity[:16],
                law=hit.law,
                text=text,
                context=hit.context,
                suggestion=hit.suggestion,
            )
        )


def _record_transitions(session: Session, transitions: Sequence[Transition], places: _Places) -> None:
    if not transitions:
        return
    seen: set[tuple[str, str, int]] = set()
    open_alerts: dict[str, MonitorAlert] = {}
    for chunk in chunks(t.fingerprint for t in transitions):
        for fp, state, at in session.execute(
            select(MonitorAlertHistory.fingerprint, MonitorAlertHistory.state, MonitorAlertHistory.at).where(
                MonitorAlertHistory.fingerprint.in_(chunk)
            )
        ):
            seen.add((fp, state, micros(at)))
        for alert in session.scalars(
            select(MonitorAlert)
            .where(MonitorAlert.fingerprint.in_(chunk), MonitorAlert.resolved_at.is_(None))
            .order_by(MonitorAlert.started_at)
        ):
            open_alerts[alert.fingerprint] = alert  # the latest open episode of each fingerprint
    for transition in sorted(transitions, key=lambda t: t.at):
        key = (transition.fingerprint, transition.state, micros(transition.at))
        if key in seen:
            continue
        seen.add(key)
        _apply(session, transition, open_alerts, places)


def _apply(session: Session, t: Transition, open_alerts: dict[str, MonitorAlert], places: _Places) -> None:
    """One new transition: it begins an episode (pending, nodata, a firing without pending) or moves the open one."""
    at = stored_time(t.at)
    alert = open_alerts.get(t.fingerprint)
    begins = (
        t.state in (PENDING, NODATA)
        or (t.state == FIRING and (alert is None or alert.state != PENDING))
        or (t.state == RESOLVED and alert is None)
    )
    if begins:
        if alert is not None:  # an episode left open (a pending alert that never fired): it is over now
            alert.state, alert.resolved_at, alert.updated_at = RESOLVED, at, at
        region, uscc = places(t.labels.get("platform", ""), t.labels.get("shop"), t.labels.get("region"))
        alert = MonitorAlert(
            fingerprint=t.fingerprint,
            rule=t.rule,
            state=t.state,
            severity=t.severity,
            labels=json.dumps(t.labels, ensure_ascii=False, sort_keys=True),
            platform=t.labels.get("platform", ""),
            session_id=t.session_id,
            region_code=region,
            uscc=uscc,
            summary=t.summary,
            value=t.value,
            muted=(t.muted or None) and t.muted[:300],
            started_at=at,
            updated_at=at,
            resolved_at=at if t.state == RESOLVED else None,
        )
        session.add(alert)
        session.flush()
    else:
        assert alert is not None
        alert.state, alert.updated_at, alert.summary = t.state, at, t.summary or alert.summary
        alert.severity, alert.value, alert.muted = t.severity, t.value, (t.muted or None) and t.muted[:300]
        if t.state == RESOLVED:
            alert.resolved_at = at
    if alert.state == RESOLVED:
        open_alerts.pop(t.fingerprint, None)
    else:
        open_alerts[t.fingerprint] = alert
    session.add(
        MonitorAlertHistory(
            alert_id=alert.id,
            fingerprint=t.fingerprint,
            state=t.state,
            at=at,
            severity=t.severity,
            summary=t.summary,
            value=t.value,
            muted=(t.muted or None) and t.muted[:300],
        )
    )
