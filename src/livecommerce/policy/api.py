"""JSON routes of 政策兑现 with the words of the CLI (`livecommerce policy ...`): evaluate a facts file, accept 助企行动
service objects, list the clauses, start and read runs, export a run's award list, explain one entity, what-if.

Every answer is narrowed to the caller's scope in the service (a city officer sees her city's awards, an enterprise its
own). A body or a file that breaks a rule is a 422 listing each problem as {row, column, value, rule, file}; a body that
is not JSON a 400 (docs/security.md, Refusals).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession, client_of
from livecommerce.core.web.bodies import Body, model_of
from livecommerce.core.web.params import SHORT_TEXT, KeyPath, RowId
from livecommerce.core.web.writer import download
from livecommerce.policy import service, tables
from livecommerce.policy.acceptance_service import accept_payload
from livecommerce.policy.schemas import (
    AwardOut,
    ClauseOut,
    RunDetailOut,
    RunOut,
    RunRequest,
    WhatIfRequest,
    budget_of,
    check_overrides,
    overrides_of,
)

router = APIRouter(prefix="/api/policy", tags=["政策兑现 policy"])

City = Annotated[str | None, Query(max_length=SHORT_TEXT, description="Only this 市(地): code or name (230100, 哈尔滨).")]
Kind = Annotated[
    str | None, Query(max_length=SHORT_TEXT, description="Entity kind: enterprise, mcn, streamer_team, county_government, ...")
]
ClauseId = Annotated[str | None, Query(max_length=SHORT_TEXT, description="Clause id, full or short (LIVE20/1a).")]
Granted = Annotated[str, Query(pattern="^(true|false|all)$", description="true: granted (default); false: excluded; all.")]
Review = Annotated[bool | None, Query(description="true: only awards flagged for review (需复核); false: only the others.")]
Sets = Annotated[list[str] | None, Query(alias="set", description="NAME=VALUE parameter change, e.g. LIVE20/1a.cap=1000000.")]


def _granted(value: str) -> bool | None:
    return None if value == "all" else value == "true"


@router.post("/evaluate", response_model=None)
def evaluate(actor: CurrentActor, body: Body, check_warehouse: bool = False, sets: Sets = None) -> Any:
    """The evaluate contract (docs/policies.md, Facts → Output): every entity's eligible, granted and excluded awards
    with traces; `check_warehouse=true` compares declared sales of entities with a USCC against the platform data."""
    return service.evaluate_payload(body.value(), actor, overrides=overrides_of(sets) or None, check_warehouse=check_warehouse)


@router.post("/accept", response_model=None)
def accept(
    actor: CurrentActor,
    body: Body,
    unit: Annotated[str | None, Query(max_length=SHORT_TEXT)] = None,
    sample_seed: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    """助企行动 acceptance (001 附件1 三(三)(四)): each service object accepted or not with its reasons, the subsidy per
    provider; with `sample_seed` the spot-check sample of each city's accepted objects (at least 10%)."""
    return accept_payload(body.value(), actor, unit=budget_of(unit, "unit"), sample_seed=sample_seed)


@router.get("/clauses", response_model=list[ClauseOut], response_model_by_alias=True)
def clauses(actor: CurrentActor, year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    """Every clause: document, citation, quoted sentence, who, rule, exclusivity, years in force, amount parameters."""
    return service.clauses_table(year)


@router.post("/runs", status_code=201, response_model=RunOut)
def start_run(actor: CurrentActor, db: DbSession, body: Body) -> Any:
    """Compute a year's awards for every registered entity (and declared ones); needs policy.run (province staff)."""
    request: RunRequest = model_of(RunRequest, body.value())
    return service.start_run(
        db,
        actor,
        request.year,
        declared=request.declared,
        declared_name=request.declared_name,
        overrides=check_overrides(request.overrides) or None,
        budget=budget_of(request.budget),
        method=request.method,
        note=request.note,
    ).to_json()


@router.get("/runs")
def runs(actor: CurrentActor, db: DbSession) -> list[RunOut]:
    """Every run, newest first."""
    return [RunOut.model_validate(summary.to_json()) for summary in service.list_runs(db, actor)]


@router.get("/runs/{run_id}")
def run(actor: CurrentActor, db: DbSession, run_id: RowId) -> RunDetailOut:
    """One run: its summary, and per clause what the caller's scope holds."""
    return RunDetailOut.model_validate(
        service.summary(db, actor, service.get_run(db, actor, run_id)).to_json()
        | {
            "scope": tables.scope_of(actor),
            "totals": [t | {"amount": f"{t['amount']}", "allocated": f"{t['allocated']}"} for t in service.totals(db, actor, run_id)],
        }
    )


@router.get("/runs/{run_id}/awards")
def awards(
    actor: CurrentActor,
    db: DbSession,
    run_id: RowId,
    city: City = None,
    kind: Kind = None,
    clause: ClauseId = None,
    granted: Granted = "true",
    review: Review = None,
) -> list[AwardOut]:
    """The award list (奖补名单) inside the caller's scope, largest first; amounts are decimal strings in yuan."""
    found = service.awards(db, actor, run_id, city=city, kind=kind, clause=clause, granted=_granted(granted), review=review)
    return [AwardOut.model_validate(row.to_json()) for row in tables.award_rows(found)]


@router.get("/runs/{run_id}/awards.xlsx")
def awards_xlsx(
    request: Request,
    actor: CurrentActor,
    db: DbSession,
    run_id: RowId,
    city: City = None,
    kind: Kind = None,
    clause: ClauseId = None,
    granted: Granted = "true",
    review: Review = None,
) -> Response:
    """The same list as an XLSX workbook: 奖补名单 with Chinese headers and a total row, and 条款汇总 (audited)."""
    content, filename, rows = tables.award_list_xlsx(
        db, actor, run_id, city=city, kind=kind, clause=clause, granted=_granted(granted), review=review
    )
    return download(content, filename, actor=actor, what=f"policy.awards:{run_id}", rows=rows, client=client_of(request))


@router.get("/runs/{run_id}/entities/{entity_id}")
def entity(actor: CurrentActor, db: DbSession, run_id: RowId, entity_id: KeyPath) -> dict[str, Any]:
    """One entity's result in the evaluate contract: eligible with traces, granted (with allocated), excluded with
    reasons, not eligible, explanation and review differences. 404 outside the caller's scope."""
    return service.entity_result(db, actor, run_id, entity_id)


@router.post("/runs/{run_id}/what-if", response_model=None)
def what_if(actor: CurrentActor, db: DbSession, run_id: RowId, body: Body) -> Any:
    """The run's facts again with changed parameters (and budget): per clause before, after and change, and both
    allocations' costs under the budget. Nothing is stored; needs policy.run."""
    request: WhatIfRequest = model_of(WhatIfRequest, body.value())
    return service.what_if(db, actor, run_id, check_overrides(request.overrides), budget_of(request.budget))
