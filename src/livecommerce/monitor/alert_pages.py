"""预警中心 pages: the alerts in the viewer's scope (/alerts: filter by state, rule, city, platform, acknowledged; page),
acknowledging one with an assignee and a note, silencing alerts by matchers for a while, the list of silences with
their expiry; one alert's page (/alerts/{id}) with its history and acknowledgements.

Thin: the forms post normally (with the session's CSRF token, like every form of the console) and redirect back; a
refused form is shown again with its reason (422). The service checks monitor.write and the scope and audits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.accounts.roles import scope_label
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor
from livecommerce.core.timeutil import now
from livecommerce.core.web.params import RowId
from livecommerce.core.web.tables import Filter, Table, TableColumn
from livecommerce.core.web.templating import render
from livecommerce.monitor import export
from livecommerce.monitor.pages import WRITE, alert_row, city_options, clock, platform_name, session_href
from livecommerce.monitor.review import SEVERITY_NAMES
from livecommerce.reference.codes import PLATFORMS

router = APIRouter(include_in_schema=False)
ALERT_TABLE = Table(
    "预警",
    (
        TableColumn("id", "编号", kind="int"),
        TableColumn("title", "预警"),
        TableColumn("severity_name", "级别"),
        TableColumn("state", "状态"),
        TableColumn("session_id", "场次"),
        TableColumn("region_name", "地区"),
        TableColumn("started_at", "开始", kind="datetime"),
        TableColumn("summary", "说明"),
        TableColumn("acknowledged", "确认"),
    ),
    (
        Filter("state", "状态", max_length=40),
        Filter("rule", "规则", max_length=40),
        Filter("city", "城市", max_length=40),
        Filter("platform", "平台", max_length=40),
        Filter("acknowledged", "确认", "choice", ("yes", "no")),
    ),
)
"""预警中心's list: newest first (the service's order), 50 a page; state, rule, city and platform are checked by the
service (a refused one is shown above an empty list), acknowledged is yes or no."""
DURATIONS = ((30, "30 分钟"), (60, "1 小时"), (120, "2 小时"), (240, "4 小时"), (480, "8 小时"), (1440, "24 小时"))
MATCHER_LABELS = {"rule": "规则", "region": "地区", "platform": "平台", "session_id": "场次ID", "shop": "店铺", "streamer": "主播"}


def rule_titles() -> dict[str, str]:
    """Each rule's name and its Chinese title, in the order of rules.yaml."""
    from livecommerce.monitor.rules import load_rules

    return {name: str(values.get("title", name)) for name, values in load_rules().rules.items()}


def can_write(actor: Actor) -> bool:
    """Whether the viewer may acknowledge and silence (monitor.write)."""
    return not actor.grant(WRITE).nothing


def _alerts_page(
    request: Request, db: Session, actor: Actor, *, error: str = "", silence_form: dict[str, str] | None = None, status: int = 200
) -> Response:
    from livecommerce.monitor import service

    query, refused = ALERT_TABLE.parse_or_default(request.query_params, path="/alerts")
    rows: list[dict[str, Any]] = []
    total, problem = 0, f"筛选条件有误：{refused}" if refused else ""
    try:
        rows, total = service.list_alerts(
            db,
            actor,
            state=query.value("state"),
            rule=query.value("rule"),
            city=query.value("city"),
            platform=query.value("platform"),
            acknowledged={"yes": True, "no": False}.get(query.get("acknowledged")),
            page=query.page,
            page_size=query.page_size,
        )
    except ValidationFailed as exc:
        problem = f"筛选条件有误：{exc}"
    page = ALERT_TABLE.page_from([a | alert_row(a) for a in rows], total, query)
    return render(
        request,
        "monitor/alerts.html",
        {
            "title": "预警中心",
            "form": query.filters,
            "page": page,
            "error": error or problem,
            "rules": rule_titles(),
            "cities": city_options(actor),
            "platforms": [(p.code, p.name) for p in PLATFORMS],
            "states": export.STATES,
            "can_write": can_write(actor),
            "silences": service.list_silences(db, actor),
            "durations": DURATIONS,
            "matcher_labels": MATCHER_LABELS,
            "silence_form": silence_form or {},
            "clock": clock,
            "scope": scope_label(actor),
            "severity_name": lambda s: SEVERITY_NAMES.get(s, s),
        },
        status,
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """预警中心: the alerts in scope, newest first, filtered and paged; the silences; the silence form."""
    return _alerts_page(request, db, actor)


def _alert_page(
    request: Request, db: Session, actor: Actor, alert_id: int, *, error: str = "", form: dict[str, str] | None = None, status: int = 200
) -> Response:
    from livecommerce.monitor import service

    alert = service.get_alert(db, actor, alert_id)
    shown = alert | alert_row(alert)
    labels = alert.get("labels") or {}
    return render(
        request,
        "monitor/alert.html",
        {
            "title": f"预警 #{alert_id} {shown['title']}",
            "a": shown,
            "labels": labels,
            "error": error,
            "form": {"assignee": alert.get("assignee") or "", "note": ""} | (form or {}),
            "can_write": can_write(actor),
            "clock": clock,
            "states": export.STATES,
            "severity_name": lambda s: SEVERITY_NAMES.get(s, s),
            "platform_name": platform_name(alert.get("platform") or labels.get("platform", "")),
            "session_url": session_href(labels.get("platform", ""), labels.get("session_id", "")) if labels.get("session_id") else "",
            "durations": DURATIONS,
            "matcher_labels": MATCHER_LABELS,
            "scope": scope_label(actor),
        },
        status,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, db: DbSession, actor: CurrentActor, alert_id: RowId) -> Response:
    """One alert: its labels, state, every transition of its history, its acknowledgements, the forms."""
    return _alert_page(request, db, actor, alert_id)


@router.post("/alerts/{alert_id}/ack", response_class=HTMLResponse)
def acknowledge_form(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    alert_id: RowId,
    assignee: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Acknowledge an alert, naming who handles it and a note; back to the alert (or the list it came from)."""
    from livecommerce.monitor import service

    try:
        service.acknowledge(db, actor, alert_id, assignee=assignee.strip(), note=note.strip())
    except ValidationFailed as exc:
        db.rollback()
        return _alert_page(request, db, actor, alert_id, error=f"未能确认：{exc}", form={"assignee": assignee, "note": note}, status=422)
    target = back if back.startswith("/alerts") else f"/alerts/{alert_id}"
    return RedirectResponse(target, status_code=303)


def matchers_of(fields: dict[str, str]) -> dict[str, str]:
    """The silence's matchers from the form: empty fields left out; a city code matches its counties (2301*)."""
    out = {name: value.strip() for name, value in fields.items() if value and value.strip()}
    region = out.get("region", "")
    if len(region) == 6 and region.isdigit() and region.endswith("00") and not region.endswith("0000"):
        out["region"] = region[:4] + "*"
    return out


@router.post("/alerts/silences", response_class=HTMLResponse)
def silence_form(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rule: Annotated[str, Form(max_length=64)] = "",
    region: Annotated[str, Form(max_length=16)] = "",
    platform: Annotated[str, Form(max_length=32)] = "",
    session_id: Annotated[str, Form(max_length=128)] = "",
    shop: Annotated[str, Form(max_length=128)] = "",
    streamer: Annotated[str, Form(max_length=128)] = "",
    minutes: Annotated[str, Form(max_length=8)] = "60",
    comment: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Silence the alerts that match every filled field, from now for the chosen time, with a comment."""
    from livecommerce.monitor import service

    fields = {"rule": rule, "region": region, "platform": platform, "session_id": session_id, "shop": shop, "streamer": streamer}
    kept = fields | {"minutes": minutes, "comment": comment}
    matchers = matchers_of(fields)
    problem = ""
    if not matchers:
        problem = "请至少填写一项匹配条件（规则、地区、平台、场次、店铺或主播）。"
    elif not minutes.isdigit() or not 1 <= int(minutes) <= 7 * 1440:
        problem = f"静默时长 {minutes!r} 无效：须为 1 至 10080 分钟。"
    elif not comment.strip():
        problem = "请填写静默原因（如：某店铺计划内维护）。"
    if problem:
        return _alerts_page(request, db, actor, error=problem, silence_form=kept, status=422)
    starts = now()
    try:
        service.create_silence(
            db, actor, matchers=matchers, starts=starts, ends=starts + timedelta(minutes=int(minutes)), comment=comment.strip()
        )
    except ValidationFailed as exc:
        db.rollback()
        return _alerts_page(request, db, actor, error=f"未能静默：{exc}", silence_form=kept, status=422)
    return RedirectResponse("/alerts#silences", status_code=303)


@router.post("/alerts/silences/{silence_id}/expire", response_class=HTMLResponse)
def expire_form(request: Request, db: DbSession, actor: CurrentActor, silence_id: RowId) -> Response:
    """End a silence now."""
    from livecommerce.monitor import service

    service.expire_silence(db, actor, silence_id)
    return RedirectResponse("/alerts#silences", status_code=303)
