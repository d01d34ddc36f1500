"""审计日志 page for auditors and administrators (audit.read): filters, pages of 50, XLSX export of the selection.

Thin: parse the query, call audit_search, render. A date that is not a date is shown back with its reason (422).
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from livecommerce.accounts import audit_search
from livecommerce.accounts.audit_search import AuditFilter
from livecommerce.accounts.deps import CurrentActor, DbSession, client_of
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.timeutil import SHANGHAI, now, today
from livecommerce.core.web.params import MAX_PAGE, SHORT_TEXT
from livecommerce.core.web.templating import render
from livecommerce.core.web.writer import Column, Sheet, download, xlsx_bytes_counted

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
FIELDS = ("actor", "action", "target_type", "target_id", "from", "to")
Text = Annotated[str, Query(max_length=SHORT_TEXT)]
TargetId = Annotated[str, Query(max_length=128)]
DateText = Annotated[str, Query(max_length=10)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]

COLUMNS = (
    Column("id", "序号", kind="int", width=10),
    Column("at", "时间", kind="datetime", width=20),
    Column("actor", "操作人", width=16),
    Column("action_label", "操作", width=16),
    Column("action", "操作代码", width=18),
    Column("target_label", "对象类型", width=12),
    Column("target_id", "对象", width=24),
    Column("outcome_label", "结果", width=10),
    Column("client", "来源（地址与浏览器）", width=30),
    Column("summary", "变更内容", width=60),
    Column("before_json", "变更前", width=40),
    Column("after_json", "变更后", width=40),
    Column("hash", "本行哈希", width=20),
)


def _filter(params: dict[str, str]) -> AuditFilter:
    return AuditFilter(
        actor=params["actor"].strip() or None,
        action=params["action"] or None,
        target_type=params["target_type"] or None,
        target_id=params["target_id"].strip() or None,
        date_from=audit_search.parse_day(params["from"], "起始日期"),
        date_to=audit_search.parse_day(params["to"], "截止日期"),
    )


def _link(path: str, params: dict[str, str], **changes: Any) -> str:
    """This page (or its export) with the same filters and some changed."""
    merged = {**params, **{key: str(value) for key, value in changes.items()}}
    kept = {key: value for key, value in merged.items() if value and not (key == "page" and value == "1")}
    return path + ("?" + urlencode(kept) if kept else "")


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show: the first, the last, two around the current one; None where pages are skipped."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and number - (shown[-1] or 0) > 1:
            shown.append(None)
        shown.append(number)
    return shown


def _context(db: DbSession, actor: Actor, params: dict[str, str], page: int) -> dict[str, Any]:
    """The page's figures: the selected lines of this page, the total, the pages and the filter's choices."""
    choices = audit_search.choices(db, actor)
    context: dict[str, Any] = {
        "title": "审计日志",
        "params": params,
        "choices": choices,
        "rows": [],
        "total": 0,
        "page": 1,
        "pages": 1,
        "page_size": PAGE_SIZE,
        "numbers": [1],
        "error": "",
        "actions": audit_search.ACTIONS,
        "targets": audit_search.TARGETS,
    }
    wanted = _filter(params)
    total = audit_search.count(db, actor, wanted)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages)
    found = audit_search.search(db, actor, wanted, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    context.update(
        rows=[audit_search.as_row(entry) for entry in found.items], total=total, page=page, pages=pages, numbers=page_numbers(page, pages)
    )
    return context


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    actor_name: Annotated[str, Query(alias="actor", max_length=64)] = "",
    action: Text = "",
    target_type: Text = "",
    target_id: TargetId = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page: Page = 1,
) -> Response:
    """审计日志: the lines the filter selects, newest first, 50 a page, with the total and page numbers."""
    ensure(actor, audit_search.READ)
    params = dict(zip(FIELDS, (actor_name, action, target_type, target_id, date_from, date_to), strict=True))
    link = lambda **changes: _link("/admin/audit", params, **changes)  # noqa: E731 - the template's link maker
    try:
        context = _context(db, actor, params, page)
        status = 200
    except ValidationFailed as exc:
        context = {
            "title": "审计日志",
            "params": params,
            "choices": audit_search.choices(db, actor),
            "rows": [],
            "total": 0,
            "page": 1,
            "pages": 1,
            "page_size": PAGE_SIZE,
            "numbers": [1],
            "error": str(exc),
        }
        status = 422
    context.update(
        link=link,
        export_link=_link("/admin/audit/export.xlsx", params),
        today=today().isoformat(),
        action_label=audit_search.action_label,
        targets=audit_search.TARGETS,
    )
    return render(request, "accounts/audit.html", context, status)


def _export_rows(db: DbSession, actor: Actor, wanted: AuditFilter) -> Any:
    for entry in audit_search.stream(db, actor, wanted):
        row = audit_search.as_row(entry)
        row["before_json"], row["after_json"] = entry.before or "", entry.after or ""
        yield row


@router.get("/admin/audit/export.xlsx")
def audit_export(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    actor_name: Annotated[str, Query(alias="actor", max_length=64)] = "",
    action: Text = "",
    target_type: Text = "",
    target_id: TargetId = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    """The selected lines as XLSX (the single writer), at most 200,000; the download itself is audited."""
    ensure(actor, audit_search.READ)
    params = dict(zip(FIELDS, (actor_name, action, target_type, target_id, date_from, date_to), strict=True))
    wanted = _filter(params)
    total = audit_search.count(db, actor, wanted)
    if total > audit_search.EXPORT_MAX:
        raise ValidationFailed(f"筛选结果 {total:,} 条，超过单次导出上限 {audit_search.EXPORT_MAX:,} 条，请缩小日期范围后分批导出")
    stamp = now().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    caption = f"审计日志\n筛选条件：{wanted.describe()}\n共 {total:,} 条，导出人 {actor.name}，导出时间 {stamp}"
    content, rows = xlsx_bytes_counted([Sheet("审计日志", COLUMNS, _export_rows(db, actor, wanted), caption)])
    return download(
        content, f"审计日志_{today().strftime('%Y%m%d')}.xlsx", actor=actor, what="audit_log", rows=rows, client=client_of(request)
    )
