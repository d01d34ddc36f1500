"""`GET /api/audit`: the audit log for auditors' scripts (audit.read), filtered and paged, newest first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from livecommerce.accounts import audit_search
from livecommerce.accounts.audit_search import AuditFilter
from livecommerce.accounts.deps import CurrentActor, DbSession
from livecommerce.core.scope import ensure
from livecommerce.core.web.params import SHORT_TEXT, Limit, Offset

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditLineOut(BaseModel):
    """One line of the audit log: codes with their Chinese labels, before and after as stored (JSON), its hashes."""

    id: int
    at: datetime = Field(description="When, in Asia/Shanghai.")
    actor: str
    action: str
    action_label: str
    target_type: str
    target_label: str
    target_id: str
    outcome: str
    outcome_label: str
    client: str
    summary: str = Field(description="What changed, one line: 'role: a → b'.")
    before: Any = None
    after: Any = None
    prev_hash: str
    hash: str


class AuditListOut(BaseModel):
    """A page of lines and how many the filter selects in all."""

    total: int
    items: list[AuditLineOut]


Text = Annotated[str | None, Query(max_length=SHORT_TEXT)]


@router.get("", response_model=AuditListOut)
def list_audit(
    db: DbSession,
    actor: CurrentActor,
    actor_name: Annotated[str | None, Query(alias="actor", max_length=64, description="Exact user name.")] = None,
    action: Annotated[str | None, Query(max_length=64, description="Exact action code, e.g. login.")] = None,
    target_type: Text = None,
    target_id: Annotated[str | None, Query(max_length=128)] = None,
    date_from: Annotated[date | None, Query(alias="from", description="First day (Asia/Shanghai), included.")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day (Asia/Shanghai), included.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The lines the filters select, newest first: at most ``limit`` (1..1000) after ``offset``, with the total."""
    ensure(actor, audit_search.READ)
    wanted = AuditFilter(
        actor=actor_name or None,
        action=action or None,
        target_type=target_type or None,
        target_id=target_id or None,
        date_from=date_from,
        date_to=date_to,
    )
    found = audit_search.search(db, actor, wanted, limit, offset)
    return {"total": found.total, "items": [audit_search.as_row(entry) for entry in found.items]}
