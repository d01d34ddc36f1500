"""目标进度 pages: the policies' targets with progress and forecast (GET /stats/targets), and their correction by a
province administrator (GET/POST /stats/targets/{code}/edit; audited by stats.targets.update_target)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.core.errors import LiveCommerceError, ValidationFailed
from livecommerce.core.web.params import KeyPath
from livecommerce.core.web.templating import render
from livecommerce.stats.goals import figure
from livecommerce.stats.models import COMPARISONS
from livecommerce.stats.targets import WRITE, get_target, update_target

router = APIRouter(include_in_schema=False)

METHODS = {
    "actual": "全年实际",
    "holt_winters_additive": "季节性指数平滑(加法)",
    "holt_winters_multiplicative": "季节性指数平滑(乘法)",
    "holt_linear": "线性趋势平滑",
    "naive": "近期均值",
    "latest": "最新值",
    "closed": "目标期已结束",
}


@router.get("/stats/targets", response_class=HTMLResponse)
def targets_page(request: Request, actor: CurrentActor) -> Response:
    """目标进度: every target the viewer may see, its figure so far, the forecast and whether on track."""
    from livecommerce.stats.goals import open_statuses

    rows = [status.to_json() for status in open_statuses(actor)]
    return render(
        request,
        "targets/list.html",
        {
            "title": "目标进度",
            "rows": rows,
            "figure": figure,
            "methods": METHODS,
            "comparisons": COMPARISONS,
            "can_edit": not actor.grant(WRITE).nothing,
            "saved": request.query_params.get("saved", ""),
        },
    )


@router.get("/stats/targets/{code}/edit", response_class=HTMLResponse)
def edit_page(request: Request, db: DbSession, actor: CurrentActor, code: KeyPath) -> Response:
    target = get_target(db, actor, code)
    return _edit(request, target, {}, "")


def _edit(request: Request, target: Any, form: dict[str, str], error: str, status: int = 200) -> Response:
    values = {
        "title": target.title,
        "target_value": str(target.target_value),
        "comparison": target.comparison,
        "period_start": target.period_start.isoformat(),
        "due_date": target.due_date.isoformat(),
        "note": target.note,
    } | form
    return render(
        request,
        "targets/edit.html",
        {"title": f"修改目标 {target.code}", "target": target, "values": values, "comparisons": COMPARISONS, "error": error},
        status,
    )


@router.post("/stats/targets/{code}/edit", response_class=HTMLResponse)
def edit_submit(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    code: KeyPath,
    title: Annotated[str, Form(max_length=200)],
    target_value: Annotated[str, Form(max_length=30)],
    comparison: Annotated[str, Form(max_length=16)],
    period_start: Annotated[str, Form(max_length=10)],
    due_date: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save a correction (province administrators only; the audit log keeps before and after)."""
    target = get_target(db, actor, code)
    form = {
        "title": title,
        "target_value": target_value,
        "comparison": comparison,
        "period_start": period_start,
        "due_date": due_date,
        "note": note,
    }
    try:
        try:
            start, due = date.fromisoformat(period_start), date.fromisoformat(due_date)
        except ValueError:
            raise ValidationFailed("日期格式应为 YYYY-MM-DD") from None
        update_target(
            db,
            actor,
            code,
            title=title,
            target_value=target_value.replace(",", "").strip(),
            comparison=comparison,
            period_start=start,
            due_date=due,
            note=note,
        )
    except ValidationFailed as exc:
        db.rollback()
        return _edit(request, target, form, str(exc), 422)
    except LiveCommerceError:
        db.rollback()
        raise
    return RedirectResponse(f"/stats/targets?saved={code}", status_code=303)
