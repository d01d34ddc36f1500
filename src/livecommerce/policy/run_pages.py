"""Pages of one run (兑现批次): the award list (奖补名单: filter by 城市, 主体类型, 条款, 需复核; sort; page; totals per
clause; export to XLSX), one entity's explanation (计算过程), and the what-if view (参数测算: per clause before and after,
both allocations' costs). Every list is the viewer's scope only (the service narrows it)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.web.params import KeyPath, RowId
from livecommerce.core.web.templating import render
from livecommerce.policy import service, tables
from livecommerce.policy.clauses import ALL
from livecommerce.policy.facts import KINDS
from livecommerce.policy.pages import can_run, clause_helpers, parameter_value
from livecommerce.policy.parameters import catalogue
from livecommerce.policy.schemas import budget_from_wan, check_overrides
from livecommerce.reference.regions import regions

router = APIRouter(include_in_schema=False)
WHAT_IF_ROWS = 3


def city_options(actor: Actor) -> list[tuple[str, str]]:
    """The 市(地) a viewer may filter by: every one for the province, else those her grant reaches."""
    grant = actor.grant(service.READ)
    table = regions()
    return [
        (c.code, c.name) for c in table.cities() if grant.everything or c.code in grant.regions or table.descendants(c.code) & grant.regions
    ]


@router.get("/policy/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, db: DbSession, actor: CurrentActor, run_id: RowId) -> Response:
    """奖补名单: the run's awards in the viewer's scope, filtered, sorted and paged (tables.AWARD_TABLE), with totals
    per clause. An unknown sort or flag is refused (422); a city, kind or clause the service refuses is shown above
    an empty list."""
    query = tables.AWARD_TABLE.parse(request.query_params, path=request.url.path)
    run = service.get_run(db, actor, run_id)
    error = ""
    try:
        found = service.awards(
            db,
            actor,
            run_id,
            city=query.value("city"),
            kind=query.value("kind"),
            clause=query.value("clause"),
            granted=None,
            review=query.flag("review"),
        )
        every = tables.award_rows(found)
    except ValidationFailed as exc:
        every, error = [], f"筛选条件有误：{exc}"
    granted = query.flag("granted")
    page = tables.AWARD_TABLE.page_of([r for r in every if granted is None or r.granted == granted], query)
    shown_granted = [r for r in page.matched if r.granted]
    sums = tables.AWARD_TABLE.sums_of(shown_granted)
    kept = query.kept()
    return render(
        request,
        "policy/run.html",
        {
            "title": f"{run.year}年度奖补名单",
            "run": run,
            "summary": service.summary(db, actor, run),
            "form": {**query.filters, "sort": query.sort_param},
            "error": error,
            "page": page,
            "totals": tables.TOTAL_TABLE.page_of(tables.clause_totals(every), tables.TOTAL_TABLE.default_query()),
            "entities": len({r.entity_id for r in shown_granted}),
            "flagged": len({r.entity_id for r in page.matched if r.review}),
            "entitled": sums["amount"],
            "allocated": sums["allocated"],
            "scope": tables.scope_of(actor, query.value("city")),
            "caption": tables.run_caption(run),
            "changed": tables.changed_parameters(run),
            "cities": city_options(actor),
            "kinds": KINDS,
            "clauses": [c for c in ALL if not c.case_by_case],
            "can_run": can_run(actor),
            "export_link": f"/api/policy/runs/{run.id}/awards.xlsx" + ("?" + urlencode(kept) if kept else ""),
            "province": actor.grant(service.READ).everything,
        },
    )


@router.get("/policy/runs/{run_id}/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, db: DbSession, actor: CurrentActor, run_id: RowId, entity_id: KeyPath) -> Response:
    """计算过程: one entity's eligible clauses with quote, inputs, each test, formula, cap and amount; what was granted
    or excluded and why; declared figures that differ from the platform data, both highlighted."""
    run = service.get_run(db, actor, run_id)
    result = service.entity_result(db, actor, run_id, entity_id)
    return render(
        request,
        "policy/entity.html",
        {
            "title": result["name"],
            "run": run,
            "result": result,
            "caption": tables.run_caption(run),
            "scope": tables.scope_of(actor),
            **clause_helpers(),
        },
    )


def _changes(request: Request) -> list[tuple[str, str]]:
    q = request.query_params
    return [
        (name.strip(), value.strip())
        for name, value in zip(q.getlist("name"), q.getlist("value"), strict=False)
        if name.strip() and value.strip()
    ]


@router.get("/policy/runs/{run_id}/what-if", response_class=HTMLResponse)
def what_if_page(request: Request, db: DbSession, actor: CurrentActor, run_id: RowId) -> Response:
    """参数测算: change parameters (a cap, a rate, a threshold) and the budget, and see per clause what it would cost
    and what each allocation method would pay. Nothing is stored."""
    run = service.get_run(db, actor, run_id)
    used: dict[str, Any] = json.loads(run.parameters or "{}")
    params = [(name, p.description, used.get(name, "")) for name, p in sorted(catalogue().items()) if name != "lpr_1y"]
    changes = _changes(request)
    budget_text = (request.query_params.get("budget") or "").strip()
    if "budget" not in request.query_params and run.budget is not None:
        budget_text = f"{(run.budget / 10000).normalize():f}"
    answer, error = None, ""
    try:
        if changes or request.query_params.get("go"):
            answer = service.what_if(db, actor, run_id, check_overrides(dict(changes)), budget_from_wan(budget_text))
        else:
            ensure(actor, service.RUN)  # what-ifs are for province staff: others are refused before any form
    except ValidationFailed as exc:
        error = f"测算条件有误：{exc}"
    rows = changes + [("", "")] * max(0, WHAT_IF_ROWS - len(changes))
    names = {a.entity_id: a.name for a in service.awards(db, actor, run_id, granted=None)} if answer else {}
    return render(
        request,
        "policy/what_if.html",
        {
            "title": f"参数测算 · 批次 #{run.id}",
            "run": run,
            "caption": tables.run_caption(run),
            "params": params,
            "rows": rows,
            "budget": budget_text,
            "answer": answer,
            "error": error,
            "methods": service.METHODS,
            "shown": parameter_value,
            "scope": tables.scope_of(actor),
            "names": names,
        },
    )
