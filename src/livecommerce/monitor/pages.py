"""直播监测 pages: the wall of live sessions (/monitor, with sparklines, filters by city and platform, firing alerts on
top, a 大屏 dark mode), one session (/monitor/sessions/{platform}/{session_id}: curves, chat with compliance hits
marked, alerts, products; the stored data once it is no longer live), and its 复盘 (…/review, printable, and
…/review.xlsx). The alert centre is in alert_pages.py.

Live views refresh themselves through server-sent events: /monitor/stream and …/{session_id}/stream poll the hub's
``version`` every second and send the page's JSON when it changed (and at least every few seconds, since the store
may record an alert a moment after the hub moved). A stream ends after STREAM_SECONDS and the browser's EventSource
opens it again, so no connection is held for ever. Thin: every figure comes from the hub or the service, both of
which apply the viewer's scope.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession, app_settings, client_of
from livecommerce.accounts.roles import scope_label
from livecommerce.compliance.marking import pieces
from livecommerce.core.db import session_factory
from livecommerce.core.scope import Actor
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.core.web.params import KeyPath
from livecommerce.core.web.templating import render
from livecommerce.core.web.writer import download, xlsx_bytes_counted
from livecommerce.monitor import export, review
from livecommerce.reference.codes import PLATFORMS
from livecommerce.reference.regions import regions

router = APIRouter(include_in_schema=False)
READ = "monitor.read"
WRITE = "monitor.write"
STREAM_SECONDS = 300.0  # a stream's life; 0 sends one snapshot and ends (tests)
POLL = 1.0  # seconds between looks at Hub.version
REFRESH = 5.0  # seconds after which the JSON is made again even if the version did not move
WALL_LIMIT = 300  # sessions on the wall (the ones with alerts and the most viewers first)
SPARK_W, SPARK_H = 120, 28
SEVERITY_NAMES = review.SEVERITY_NAMES
STATUS_NAMES = {"live": "直播中", "paused": "暂停", "ended": "已结束"}


def _hub() -> Any:
    from livecommerce.monitor.hub import get_hub

    return get_hub()


def platform_name(code: str) -> str:
    try:
        return PLATFORMS.label(code)
    except Exception:  # an unknown platform code is shown as it came
        return code


def city_options(actor: Actor) -> list[tuple[str, str]]:
    """The 市(地) a viewer may filter by: every one for the province, else those her grant reaches."""
    grant = actor.grant(READ)
    table = regions()
    return [
        (c.code, c.name) for c in table.cities() if grant.everything or c.code in grant.regions or table.descendants(c.code) & grant.regions
    ]


def session_href(platform: str, session_id: str) -> str:
    return f"/monitor/sessions/{quote(platform, safe='')}/{quote(session_id, safe='')}"


def clock(value: Any, fmt: str = "%H:%M:%S") -> str:
    """Epoch seconds, an ISO text or a datetime as Shanghai wall time."""
    at = review.moment(value)
    return at.strftime(fmt) if at else ""


def spark_points(values: list[int | None], width: int = SPARK_W, height: int = SPARK_H) -> str:
    """The points of an SVG polyline drawing ``values`` (None is skipped): the same drawing monitor.js makes."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    top = max(known) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values) if v is not None)


def script_json(data: Any) -> str:
    """JSON to embed in a <script type="application/json"> (no "<", ">" or "&" that could end the element)."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {"city": (q.get("city") or "").strip()[:6], "platform": (q.get("platform") or "").strip()[:32]}


# -- the wall --------------------------------------------------------------------------------------------------------


def wall_row(s: dict[str, Any]) -> dict[str, Any]:
    """One live session as the wall shows it (JSON-ready)."""
    spark = s.get("spark") or {}
    return {
        "platform": s["platform"],
        "platform_name": platform_name(s["platform"]),
        "session_id": s["session_id"],
        "href": session_href(s["platform"], s["session_id"]),
        "shop": s.get("shop") or "",
        "streamer": s.get("streamer") or "",
        "region_name": s.get("region_name") or s.get("region") or "",
        "status": s.get("status", "live"),
        "status_name": STATUS_NAMES.get(s.get("status", ""), s.get("status", "")),
        "online": int(s.get("online") or 0),
        "peak_online": int(s.get("peak_online") or 0),
        "total_viewers": int(s.get("total_viewers") or 0),
        "gmv": str(s.get("gmv") or "0.00"),
        "gmv_wan": f"{Decimal(str(s.get('gmv') or 0)) / 10000:,.2f}",
        "orders": int(s.get("orders") or 0),
        "alerts_firing": int(s.get("alerts_firing") or 0),
        "last_event": clock(s.get("last_event")),
        "spark_online": spark_points(list(spark.get("online") or [])),
        "spark_orders": spark_points(list(spark.get("orders") or [])),
    }


def alert_row(a: dict[str, Any]) -> dict[str, Any]:
    """A firing alert on the wall (JSON-ready)."""
    labels = a.get("labels") or {}
    platform, session_id = a.get("platform") or labels.get("platform", ""), a.get("session_id") or labels.get("session_id", "")
    return {
        "id": a.get("id"),
        "href": f"/alerts/{a.get('id')}",
        "rule": a.get("rule", ""),
        "title": a.get("title") or a.get("rule", ""),
        "severity": a.get("severity", ""),
        "severity_name": SEVERITY_NAMES.get(a.get("severity", ""), a.get("severity", "")),
        "summary": a.get("summary", ""),
        "since": clock(a.get("started_at")),
        "region_name": a.get("region_name") or "",
        "platform_name": platform_name(platform),
        "session_id": session_id,
        "session_href": session_href(platform, session_id) if session_id else "",
        "shop": labels.get("shop", ""),
        "streamer": labels.get("streamer", ""),
        "acknowledged": bool(a.get("acknowledged_at")),
        "assignee": a.get("assignee") or "",
    }


def wall(db: Session, actor: Actor, city: str, platform: str) -> dict[str, Any]:
    """The wall's JSON: live sessions in scope (those with alerts, then the most watched, first), firing alerts, totals."""
    from livecommerce.monitor import service

    hub = _hub()
    version = hub.version
    live = hub.live_sessions(actor, city=city or None, platform=platform or None)
    live.sort(key=lambda s: (-int(s.get("alerts_firing") or 0), -int(s.get("online") or 0), s["session_id"]))
    firing, count = service.list_alerts(db, actor, state="firing", city=city or None, platform=platform or None, page_size=50)
    gmv = sum((Decimal(str(s.get("gmv") or 0)) for s in live), Decimal("0.00"))
    return {
        "version": version,
        "at": datetime.now(SHANGHAI).strftime("%H:%M:%S"),
        "sessions": [wall_row(s) for s in live[:WALL_LIMIT]],
        "shown": min(len(live), WALL_LIMIT),
        "firing": [alert_row(a) for a in firing],
        "totals": {
            "live": len(live),
            "online": sum(int(s.get("online") or 0) for s in live),
            "gmv_wan": f"{gmv / 10000:,.2f}",
            "orders": sum(int(s.get("orders") or 0) for s in live),
            "firing": count,
        },
    }


def _reading(request: Request, actor: Actor, make: Callable[[Session, Actor], dict[str, Any] | None]) -> dict[str, Any] | None:
    """Run ``make`` with a registry session of its own (a stream outlives the request's session)."""
    db = session_factory(app_settings(request))()
    try:
        return make(db, actor)
    finally:
        db.rollback()
        db.close()


def event_stream(
    request: Request, actor: Actor, make: Callable[[Session, Actor], dict[str, Any] | None], first: dict[str, Any] | None = None
) -> StreamingResponse:
    """Server-sent events: ``make``'s JSON whenever the hub's version moves (or every REFRESH seconds) and differs
    from what was sent last; ``{"gone": true}`` when ``make`` finds nothing any more."""

    async def events() -> AsyncIterator[str]:
        hub = _hub()
        deadline = time.monotonic() + STREAM_SECONDS
        snapshot = first  # made while answering the request: sent first, without asking again
        sent, version, made = "", None, 0.0
        yield "retry: 2000\n\n"
        while True:
            now = time.monotonic()
            if hub.version != version or now - made >= REFRESH:
                version, made = hub.version, now
                data = snapshot if snapshot is not None else await run_in_threadpool(_reading, request, actor, make)
                snapshot = None
                text = json.dumps(data if data is not None else {"gone": True}, ensure_ascii=False, default=str)
                if text != sent:
                    sent = text
                    yield f"data: {text}\n\n"
            if time.monotonic() >= deadline or await request.is_disconnected():
                return
            await asyncio.sleep(POLL)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/monitor", response_class=HTMLResponse)
def wall_page(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """直播监测: the live sessions in the viewer's scope as cards with sparklines, firing alerts on top."""
    form = _filters(request)
    data = wall(db, actor, form["city"], form["platform"])
    query = urlencode({k: v for k, v in form.items() if v})
    return render(
        request,
        "monitor/wall.html",
        {
            "title": "直播监测",
            "form": form,
            "wall": data,
            "cities": city_options(actor),
            "platforms": [(p.code, p.name) for p in PLATFORMS],
            "stream_url": "/monitor/stream" + (f"?{query}" if query else ""),
            "screen": request.query_params.get("mode") == "screen",
            "scope": scope_label(actor),
            "wall_json": script_json(data),
        },
    )


@router.get("/monitor/stream")
def wall_stream(request: Request, db: DbSession, actor: CurrentActor) -> StreamingResponse:
    """The wall's JSON as server-sent events."""
    form = _filters(request)
    first = wall(db, actor, form["city"], form["platform"])
    return event_stream(request, actor, lambda s, a: wall(s, a, form["city"], form["platform"]), first)


# -- one session -----------------------------------------------------------------------------------------------------


def chat_line(line: dict[str, Any]) -> dict[str, Any]:
    """A chat line with its text cut into pieces, the compliance hits marked with their rule (JSON-ready)."""
    hits = [tuple(h) for h in line.get("hits") or []]
    text = str(line.get("text", ""))
    cut = [{"text": p.text, "rule": "、".join(str(hits[i][2]) for i in p.hits)} for p in pieces(text, [(h[0], h[1]) for h in hits])]
    return {
        "time": clock(line.get("ts")),
        "user": line.get("user", ""),
        "negative": bool(line.get("negative")),
        "pieces": cut,
        "flagged": bool(hits),
    }


def context_pieces(hit: dict[str, Any]) -> list[dict[str, str]]:
    """A stored hit's context with the hit's text marked (its first occurrence)."""
    context, text = str(hit.get("context") or hit.get("text") or ""), str(hit.get("text") or "")
    start = context.find(text) if text else -1
    if start < 0:
        return [{"text": context, "rule": ""}]
    return [
        {"text": context[:start], "rule": ""},
        {"text": text, "rule": str(hit.get("rule", ""))},
        {"text": context[start + len(text) :], "rule": ""},
    ]


def live_view(actor: Actor, platform: str, session_id: str) -> dict[str, Any] | None:
    """The live session's JSON for its page: figures, curves, marked chat, hits, alerts, products; None when the hub
    no longer holds it (or the viewer may not see it)."""
    hub = _hub()
    data = hub.live_session(actor, platform, session_id)
    if data is None:
        return None
    series = data.get("series") or {}
    last = {
        name: next((v for _, v in reversed(series.get(name) or []) if v is not None), None) for name in ("online", "orders", "chat", "gmv")
    }
    return {
        **{k: v for k, v in data.items() if k not in ("chat", "series")},
        "series": series,
        "last": last,
        "platform_name": platform_name(platform),
        "status_name": STATUS_NAMES.get(data.get("status", ""), ""),
        "gmv": str(data.get("gmv") or "0.00"),
        "last_event_time": clock(data.get("last_event")),
        "started_time": clock(data.get("started"), "%Y-%m-%d %H:%M:%S"),
        "chat": [chat_line(line) for line in data.get("chat") or []],
        "hits": [
            h | {"time": clock(h.get("ts")), "source_name": review.SOURCE_NAMES.get(h.get("source", ""), "")}
            for h in data.get("hits") or []
        ],
        "alerts": [
            a | {"since_time": clock(a.get("since")), "severity_name": SEVERITY_NAMES.get(a.get("severity", ""), a.get("severity", ""))}
            for a in data.get("alerts") or []
        ],
        "products": [
            {
                "product_id": p.get("product_id", ""),
                "title": p.get("title", ""),
                "first_price": str(p.get("first_price", "")),
                "price": str(p.get("price", "")),
                "changed": str(p.get("first_price")) != str(p.get("price")),
                "orders": p.get("orders", 0),
                "gmv": str(p.get("gmv", "")),
            }
            for p in data.get("products") or []
        ],
    }


def _stored(db: Session, actor: Actor, platform: str, session_id: str) -> dict[str, Any]:
    from livecommerce.monitor import service

    detail = service.get_session(db, actor, platform, session_id)
    detail["hits"] = [
        h
        | {
            "time": clock(h.get("ts"), "%m-%d %H:%M:%S"),
            "pieces": context_pieces(h),
            "source_name": review.SOURCE_NAMES.get(h.get("source", ""), h.get("source", "")),
        }
        for h in detail.get("hits") or []
    ]
    return detail


@router.get("/monitor/sessions/{platform}/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, db: DbSession, actor: CurrentActor, platform: KeyPath, session_id: KeyPath) -> Response:
    """One session: live (curves by SSE, chat, alerts, products) or, once over, what the store kept and its review."""
    live = live_view(actor, platform, session_id)
    stored = _stored(db, actor, platform, session_id) if live is None else None
    base = session_href(platform, session_id)
    return render(
        request,
        "monitor/session.html",
        {
            "title": f"直播场次 {session_id}",
            "live": live,
            "stored": stored,
            "platform": platform,
            "session_id": session_id,
            "platform_name": platform_name(platform),
            "stream_url": base + "/stream",
            "review_url": base + "/review",
            "live_json": script_json(live) if live else "",
            "stored_json": script_json(review.chart_data(review.compose(stored, []))) if stored else "",
            "clock": clock,
            "severity_name": lambda s: SEVERITY_NAMES.get(s, s),
            "state_name": lambda s: export.STATES.get(s, s),
            "scope": scope_label(actor),
            "tables": review,  # the session's declared tables (core.web.tables), for the headers
        },
    )


@router.get("/monitor/sessions/{platform}/{session_id}/stream")
def session_stream(request: Request, actor: CurrentActor, platform: KeyPath, session_id: KeyPath) -> StreamingResponse:
    """The live session's JSON as server-sent events (404 when it is neither live nor stored in the viewer's scope)."""
    first = live_view(actor, platform, session_id)
    if first is None:
        db = session_factory(app_settings(request))()
        try:
            _stored(db, actor, platform, session_id)  # NotFound → 404 for what the viewer may not see
        finally:
            db.close()
    return event_stream(request, actor, lambda _db, a: live_view(a, platform, session_id), first)


# -- the review ------------------------------------------------------------------------------------------------------


@router.get("/monitor/sessions/{platform}/{session_id}/review", response_class=HTMLResponse)
def review_page(request: Request, db: DbSession, actor: CurrentActor, platform: KeyPath, session_id: KeyPath) -> Response:
    """复盘: curves, peaks and what happened at them, conversion, top products, the timeline, the streamer's median
    and the rank among peers; printable (a print stylesheet and a 打印 button)."""
    data = review.build(db, actor, platform, session_id)
    return render(
        request,
        "monitor/review.html",
        {
            "title": f"复盘 · {session_id}",
            "r": data,
            "s": data["session"],
            "platform_name": platform_name(platform),
            "session_url": session_href(platform, session_id),
            "xlsx_url": session_href(platform, session_id) + "/review.xlsx",
            "chart_json": script_json(review.chart_data(data)),
            "duration": review.duration_text(data["duration"]),
            "clock": clock,
            "severity_name": lambda s: SEVERITY_NAMES.get(s, s),
            "state_name": lambda s: export.STATES.get(s, s),
            "scope": scope_label(actor),
            "tables": review,  # the session's declared tables (core.web.tables), for the headers
        },
    )


@router.get("/monitor/sessions/{platform}/{session_id}/review.xlsx")
def review_xlsx(request: Request, db: DbSession, actor: CurrentActor, platform: KeyPath, session_id: KeyPath) -> Response:
    """The review as an Excel workbook (概况, 分钟曲线, 预警, 违规, 商品), written by the single writer; audited."""
    data = review.build(db, actor, platform, session_id)
    content, rows = xlsx_bytes_counted(export.workbook_sheets(data, scope_label(actor)))
    return download(
        content,
        f"复盘-{platform}-{session_id}.xlsx",
        actor=actor,
        what=f"monitor.review:{platform}:{session_id}",
        rows=rows,
        client=client_of(request),
    )
