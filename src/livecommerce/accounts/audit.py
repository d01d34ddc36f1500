"""The audit log (审计日志): every write by a person and every login attempt (DESIGN.md: Every write)."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.accounts.models import AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.web import writer

logger = logging.getLogger(__name__)


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


def record_apart(
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    before: Any = None,
    after: Any = None,
    outcome: str = "ok",
    client: str = "",
    settings: Settings | None = None,
) -> None:
    """Add one audit line in a transaction of its own, committed at once: for refusals and downloads, whose
    request may roll back or write nothing else. A failure to write is logged, never raised to the caller."""
    try:
        with session_scope(settings) as session:
            record(session, actor[:64], action, target_type, target_id, before, after, outcome, client)
    except Exception:  # noqa: BLE001 - an audit write must not turn a refusal into a 500
        logger.exception("could not write the audit line %s %s", actor, action)


# core sits below accounts (DESIGN.md: import order), so the single writer audits its downloads through this hook
writer.set_download_auditor(record_apart)
