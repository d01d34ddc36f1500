"""政策兑现 pages: the overview (documents in force, the latest runs, starting a run, checking a facts file), the clause
table, and 助企行动 acceptance. A run's award list, one entity's explanation and the what-if view are in run_pages.py.

Thin: parse the form, call one service function, render. A file or a form that breaks a rule is shown again with every
problem listed (422), never an error page.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.scope import Actor
from livecommerce.core.web.templating import render
from livecommerce.policy import service
from livecommerce.policy.acceptance_service import accept_payload
from livecommerce.policy.clauses import BY_ID
from livecommerce.policy.documents import DOCUMENTS
from livecommerce.policy.facts import KINDS
from livecommerce.policy.schemas import budget_from_wan, budget_of
from livecommerce.policy.tables import region_name, scope_of

router = APIRouter(include_in_schema=False)
YEARS = (2023, 2024, 2025, 2026, 2027)


def can_run(actor: Actor) -> bool:
    """Whether the viewer may start runs and what-ifs (province staff: policy.run)."""
    return not actor.grant(service.RUN).nothing


def this_year() -> int:
    from livecommerce.stats.params import today

    return today().year


def documents(year: int) -> list[dict[str, Any]]:
    """The documents with their performance years and whether each applies to ``year``."""
    return [
        {
            "id": d.id,
            "short": d.short,
            "title": d.title,
            "source": d.source,
            "validity": d.validity,
            "years": d.years(),
            "in_force": d.in_force(year),
            "exclusivity": d.exclusivity,
        }
        for d in DOCUMENTS.values()
    ]


def clause_helpers() -> dict[str, Any]:
    """What templates use to name clauses, kinds and regions."""
    return {
        "clause_short": lambda c: BY_ID[c].short if c in BY_ID else c,
        "clause_title": lambda c: BY_ID[c].title if c in BY_ID else c,
        "kind_name": lambda k: KINDS.get(k, k or "—"),
        "region_name": region_name,
        "yuan": yuan,
    }


def yuan(amount: Any) -> str:
    """An exact amount in yuan with thousands separators: '120000.00' → '120,000.00'."""
    return "—" if amount is None or amount == "" else f"{Decimal(amount):,.2f}"


async def upload_json(upload: UploadFile | None, what: str) -> Any:
    """An uploaded JSON file, or ValidationFailed naming the file and why it is not JSON."""
    if upload is None or not upload.filename:
        raise ValidationFailed(f"请选择{what}（JSON 文件）", [Problem(f"请选择{what}", "file")])
    raw = await upload.read()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationFailed(
            f"{upload.filename}: 不是 UTF-8 编码的文本文件", [Problem("不是 UTF-8 文本", file=upload.filename)]
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{upload.filename}: 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）",
            [Problem(f"不是 JSON: {exc.msg}", file=upload.filename, row=exc.lineno)],
        ) from None


def _overview(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    error: str = "",
    problems: list[Problem] | None = None,
    form: dict[str, Any] | None = None,
    evaluated: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    year = this_year()
    defaults = {"year": str(max(y for y in YEARS if y <= max(year, 2025))), "budget": "", "method": "pro_rata", "note": ""}
    return render(
        request,
        "policy/overview.html",
        {
            "title": "政策兑现",
            "tab": "overview",
            "documents": documents(year),
            "year": year,
            "runs": service.list_runs(db, actor, limit=20),
            "can_run": can_run(actor),
            "years": YEARS,
            "methods": service.METHODS,
            "form": defaults | (form or {}),
            "error": error,
            "problems": problems or [],
            "evaluated": evaluated,
            "province": actor.grant(service.READ).everything,
            "scope": scope_of(actor),
            **clause_helpers(),
        },
        status,
    )


@router.get("/policy", response_class=HTMLResponse)
def overview_page(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """政策兑现: the documents and the years each applies to, the latest runs, and (province staff) a new run."""
    return _overview(request, db, actor)


@router.post("/policy/runs", response_class=HTMLResponse)
async def start_run_form(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    year: Annotated[int, Form(ge=2000, le=2100)],
    budget: Annotated[str, Form(max_length=30)] = "",
    method: Annotated[str, Form(max_length=16)] = "pro_rata",
    note: Annotated[str, Form(max_length=2000)] = "",
    declared: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Start a run for a year (with a budget in 万元, an allocation method and an optional declarations file)."""
    form = {"year": str(year), "budget": budget, "method": method, "note": note}
    try:
        payload = await upload_json(declared, "申报文件") if declared is not None and declared.filename else None
        summary = service.start_run(
            db,
            actor,
            year,
            declared=payload,
            declared_name=declared.filename or "" if declared else "",
            budget=budget_from_wan(budget),
            method=method,
            note=note,
        )
    except ValidationFailed as exc:
        db.rollback()
        return _overview(request, db, actor, error=f"未能计算：{exc}", problems=exc.problems, form=form, status=422)
    return RedirectResponse(f"/policy/runs/{summary.id}", status_code=303)


@router.post("/policy/evaluate", response_class=HTMLResponse)
async def evaluate_form(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    file: Annotated[UploadFile | None, File()] = None,
    check_warehouse: Annotated[bool, Form()] = False,
) -> Response:
    """Check a facts file (the evaluate contract) clause by clause, without storing anything."""
    try:
        payload = await upload_json(file, "申报事实文件")
        document = service.evaluate_payload(payload, actor, check_warehouse=check_warehouse, file=file.filename if file else None)
    except ValidationFailed as exc:
        return _overview(request, db, actor, error=f"文件未通过校验：{exc}", problems=exc.problems, status=422)
    return _overview(request, db, actor, evaluated=document | {"file": file.filename if file else ""})


BASES = {
    "sales_scale": "销售规模",
    "demo_enterprise": "示范企业",
    "demo_county": "示范县",
    "demo_base": "示范基地",
    "carrier": "域外载体",
    "public_brand": "区域公共品牌",
    "warehouse": "仓储设施",
    "event": "展会活动",
    "call_center": "呼叫中心",
    "loan_interest": "贷款贴息",
    "cross_border": "跨境电商",
    "selection_center": "选品中心",
    "supervision_zone": "网络市场监管示范区",
}


def parameter_value(name: str, value: Any) -> str:
    """A parameter's value as people read it: kinds in Chinese, rates as percentages, amounts in yuan."""
    from livecommerce.policy.trace import percent

    if isinstance(value, list):
        return "、".join(KINDS.get(str(v), str(v)) for v in value)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        from livecommerce.policy.runs import LABELS

        return LABELS.get(str(value), str(value))
    if name.endswith(("rate", "share")):
        return percent(number)
    return f"{number:,.2f} 元" if number.as_tuple().exponent == -2 else f"{number:f}"  # amounts are written with fen


def exclusivity(row: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """Which awards a clause's award excludes, in words (docs/policies.md 从优、就高、不重复)."""
    out = []
    if row["group"] == "EC20":
        out.append("同一法人每年限享 EC20 一项")
    elif row["group"]:
        others = [r["short"] for r in rows if r["group"] == row["group"] and r["id"] != row["id"]]
        out.append(f"与 {'、'.join(others)} 从优不重复")
    if row["basis"]:
        out.append(f"同一依据（{BASES.get(row['basis'], row['basis'])}）跨文件不重复")
    return out


@router.get("/policy/clauses", response_class=HTMLResponse)
def clauses_page(request: Request, actor: CurrentActor, year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Response:
    """政策条款: every clause with its citation, quoted sentence, who, rule, amount parameters and years in force."""
    chosen = year if year in YEARS else None
    rows = service.clauses_table(chosen)
    by_document = [(DOCUMENTS[d], [r for r in rows if r["document"] == d]) for d in DOCUMENTS]
    return render(
        request,
        "policy/clauses.html",
        {
            "title": "政策条款",
            "tab": "clauses",
            "by_document": by_document,
            "year": chosen,
            "years": YEARS,
            "parameter_value": parameter_value,
            "exclusivity": lambda row: exclusivity(row, rows),
        },
    )


def _accept_page(
    request: Request,
    *,
    document: dict[str, Any] | None = None,
    error: str = "",
    problems: list[Problem] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "policy/accept.html",
        {
            "title": "助企行动验收",
            "tab": "accept",
            "document": document,
            "error": error,
            "problems": problems or [],
            "form": {"unit": "22700", "seed": f"{date.today():%Y%m%d}"} | (form or {}),
            "region_name": region_name,
        },
        status,
    )


@router.get("/policy/accept", response_class=HTMLResponse)
def accept_page(request: Request, actor: CurrentActor) -> Response:
    """助企行动验收: upload the service objects of an acceptance (001 附件1 三(三)) and see who is accepted and why."""
    return _accept_page(request)


@router.post("/policy/accept", response_class=HTMLResponse)
async def accept_form(
    request: Request,
    actor: CurrentActor,
    file: Annotated[UploadFile | None, File()] = None,
    unit: Annotated[str, Form(max_length=20)] = "22700",
    seed: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Judge every service object of the file; with a seed, draw the spot-check sample of each city."""
    form = {"unit": unit, "seed": seed}
    try:
        payload = await upload_json(file, "验收文件")
        document = accept_payload(
            payload, actor, unit=budget_of(unit or None, "unit"), sample_seed=seed.strip() or None, file=file.filename if file else None
        )
    except ValidationFailed as exc:
        return _accept_page(request, error=f"文件未通过校验：{exc}", problems=exc.problems, form=form, status=422)
    return _accept_page(request, document=document | {"file": file.filename if file else ""}, form=form)
