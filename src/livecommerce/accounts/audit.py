"""The audit log (审计日志): every write by a person and every login attempt (DESIGN.md: Every write)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.accounts.models import AuditEntry


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    session: Session,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    before: Any = None,
    after: Any = None,
    outcome: str = "ok",
    client: str = "",
) -> AuditEntry:
    """Add one audit line in the caller's transaction (so a rolled-back write leaves no line)."""
    entry = AuditEntry(actor=actor, action=action, target_type=target_type, target_id=str(target_id),
                       before=_dump(before), after=_dump(after), outcome=outcome, client=client[:200])
    session.add(entry)
    return entry
