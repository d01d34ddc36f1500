"""JSON routes of 直播监测预警 with the words of the CLI (`livecommerce monitor alerts|silence`): live sessions and
their review data, the alert centre (filter, acknowledge and assign), silences, and the intake of live events.

Every answer is narrowed to the caller's scope in the service: a city bureau sees its own city's sessions and alerts
(routing by region). A body that breaks a rule is a 400 listing each problem as {row, column, value, rule}; out of
scope or unknown is a 404; a role without the permission a 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.scope import ensure
from livecommerce.core.timeutil import now
from livecommerce.core.web.answers import UnreadableBody
from livecommerce.core.web.bodies import Body, model_of
from livecommerce.core.web.params import KeyPath, Limit, PageNo, PageSize, RowId
from livecommerce.monitor import service
from livecommerce.monitor.answers import AlertDetailOut, AlertOut, AlertPageOut, EventsAnswerOut, SessionDetailOut, SessionOut, SilenceOut
from livecommerce.monitor.schemas import AckRequest, SilenceRequest, parse_duration

router = APIRouter(prefix="/api/monitor", tags=["直播监测预警 monitor"])
T = TypeVar("T")
MAX_EVENTS_BODY = 16 * 1024 * 1024  # bytes of JSON lines in one POST
EVENT_TYPES = ("application/x-ndjson", "text/plain", "application/jsonl")

City = Annotated[str | None, Query(max_length=20, description="Only this 市(地): code or name (230100, 哈尔滨).")]
Platform = Annotated[str | None, Query(max_length=32, description="Platform code: douyin, kuaishou, taobao, ...")]


@router.get("/sessions")
def sessions(
    actor: CurrentActor,
    db: DbSession,
    city: City = None,
    platform: Platform = None,
    status: Annotated[str | None, Query(pattern="^(live|paused|ended)$", description="live, paused or ended")] = None,
    limit: Limit = 500,
) -> list[SessionOut]:
    """Live sessions (直播场次) the monitor has seen, the latest started first, with their figures and firing alerts."""
    found = service.list_sessions(db, actor, city=city, platform=platform, status=status, limit=limit)
    return [SessionOut.model_validate(row) for row in found]


@router.get("/sessions/{platform}/{session_id}")
def session(actor: CurrentActor, db: DbSession, platform: KeyPath, session_id: KeyPath) -> SessionDetailOut:
    """One session for its review (复盘): figures, minutes, compliance hits, alerts, products. 404 outside scope."""
    return SessionDetailOut.model_validate(service.get_session(db, actor, platform, session_id))


@router.get("/alerts")
def alerts(
    actor: CurrentActor,
    db: DbSession,
    city: City = None,
    platform: Platform = None,
    state: Annotated[str | None, Query(pattern="^(pending|firing|resolved|nodata)$")] = None,
    rule: Annotated[str | None, Query(max_length=40, description="stream-stalled, viewers-drop, ...")] = None,
    session_id: Annotated[str | None, Query(max_length=64)] = None,
    acknowledged: Annotated[bool | None, Query(description="true: acknowledged (已认领); false: not yet")] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> AlertPageOut:
    """The alert centre (预警中心): alerts inside the caller's scope, newest first: {total, page, page_size, alerts}."""
    found, total = service.list_alerts(
        db,
        actor,
        state=state,
        rule=rule,
        city=city,
        platform=platform,
        session_id=session_id,
        acknowledged=acknowledged,
        page=page,
        page_size=page_size,
    )
    return AlertPageOut.model_validate({"total": total, "page": page, "page_size": page_size, "alerts": found})


@router.get("/alerts/{alert_id}")
def alert(actor: CurrentActor, db: DbSession, alert_id: RowId) -> AlertDetailOut:
    """One alert with its history (every transition) and its acknowledgements. 404 outside scope."""
    return AlertDetailOut.model_validate(service.get_alert(db, actor, alert_id))


@router.post(
    "/alerts/{alert_id}/ack",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": AckRequest.model_json_schema()}}}},
)
def acknowledge(actor: CurrentActor, db: DbSession, alert_id: RowId, body: Body) -> AlertOut:
    """Acknowledge (认领) an alert and assign it: {assignee, note}. Needs monitor.write inside the alert's region;
    audited."""
    ack: AckRequest = model_of(AckRequest, body.value())
    return AlertOut.model_validate(service.acknowledge(db, actor, alert_id, assignee=ack.assignee, note=ack.note))


@router.get("/silences")
def silences(actor: CurrentActor, db: DbSession, include_expired: bool = False) -> list[SilenceOut]:
    """Silences (静默) not yet ended (with include_expired=true every one) the caller's region has, newest first."""
    return [SilenceOut.model_validate(row) for row in service.list_silences(db, actor, include_expired=include_expired)]


@router.post(
    "/silences",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": SilenceRequest.model_json_schema()}}}},
)
def add_silence(actor: CurrentActor, db: DbSession, body: Body) -> SilenceOut:
    """Silence the alerts whose labels match every matcher ({"region": "2301*", "rule": "stream-stalled"}) from
    starts (default now) to ends, or for duration (2h, 30m). Needs monitor.write; a city bureau's silence needs a
    region matcher inside its city. Audited."""
    wanted: SilenceRequest = model_of(SilenceRequest, body.value())
    starts: datetime = wanted.starts or now()
    if (wanted.ends is None) == (wanted.duration is None):
        raise ValidationFailed("give ends or duration (one of them)", [Problem("ends or duration", "ends")])
    try:
        ends = wanted.ends or starts + parse_duration(wanted.duration or "", "duration")
    except OverflowError:  # starts + duration beyond the year 9999
        raise ValidationFailed("starts + duration is past the year 9999", [Problem("ends before 9999", "duration")]) from None
    created = service.create_silence(db, actor, matchers=wanted.matchers, starts=starts, ends=ends, comment=wanted.comment)
    return SilenceOut.model_validate(created)


@router.post("/silences/{silence_id}/expire")
def expire_silence(actor: CurrentActor, db: DbSession, silence_id: RowId) -> SilenceOut:
    """End a silence now. Needs monitor.write inside the silence's region; audited."""
    return SilenceOut.model_validate(service.expire_silence(db, actor, silence_id))


@router.post(
    "/events",
    status_code=202,
    response_model_exclude_unset=True,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "JSON Lines: one live event a line (DESIGN.md events: platform, session_id, ts, kind and its fields).",
            "content": {kind: {"schema": {"type": "string"}} for kind in EVENT_TYPES},
        }
    },
)
async def events(
    actor: CurrentActor,
    request: Request,
    source: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=20,
            description=('The lines are a platform\'s own messages: douyin or kuaishou (docs/monitor.md "Events").'),
        ),
    ] = None,
    session: Annotated[str | None, Query(max_length=64, description=("The room of messages that carry no room id (with from=)."))] = None,
) -> EventsAnswerOut:
    """Live events in (platform push): a body of JSON lines (application/x-ndjson or text/plain), handed to the live
    monitor. Needs monitor.ingest (a platform's token). Answers {accepted, rejected, reasons}: a bad line is counted
    with its reason and skipped. With from=douyin|kuaishou the lines are the platform's own messages, adapted first
    (monitor.adapters); the answer also counts what was ignored."""
    ensure(actor, "monitor.ingest")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in EVENT_TYPES:
        raise HTTPException(415, f"content-type {kind or 'none'!r}: send JSON lines as {' or '.join(EVENT_TYPES[:2])}")
    raw = await request.body()
    if len(raw) > MAX_EVENTS_BODY:
        raise HTTPException(413, f"body of {len(raw):,} bytes: at most {MAX_EVENTS_BODY:,} bytes a request")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableBody(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        from livecommerce.monitor import hub
    except ImportError as exc:
        raise HTTPException(503, "the live monitor is not running (实时监测未启动)") from exc
    busy: type[Exception] = getattr(hub, "HubBusy", RuntimeError)
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        answer = _adapted(hub.get_hub(), source, session, lines) if source is not None else hub.get_hub().submit(lines)
        return EventsAnswerOut.model_validate(answer)
    except busy as exc:  # the queue is full: the platform sends the batch again
        raise HTTPException(503, str(exc), headers={"Retry-After": "1"}) from exc


def _adapted(live: Any, source: str, session: str | None, lines: list[str]) -> dict[str, Any]:
    """A batch of a platform's own messages into the live monitor (monitor.adapters.submit); an unknown platform is
    refused naming the known ones."""
    from livecommerce.monitor.adapters import SOURCES, submit

    if source not in SOURCES:
        raise ValidationFailed(f"from={source!r}: one of {', '.join(SOURCES)}", [Problem(f"one of {', '.join(SOURCES)}", "from", source)])
    return submit(live, source, session, lines)
