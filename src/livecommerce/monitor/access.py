"""Who may read and write the monitor's store, and how its answers show things: shared by the reads and writes of
service.py (sessions, alerts, acknowledgements) and silences.py. Times in the dicts are ISO 8601 in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime

from livecommerce.core.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.timeutil import aware
from livecommerce.monitor.alerts import iso
from livecommerce.monitor.rules import load_rules
from livecommerce.reference.regions import regions

READ, WRITE = "monitor.read", "monitor.write"
TITLES: dict[str, str] = {name: str(values.get("title", name)) for name, values in load_rules().rules.items()}


def iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else iso(aware(moment).timestamp())


def region_name(code: str | None) -> str:
    """Full Chinese name of a region code (哈尔滨市道里区), empty for none or an unknown code."""
    if not code:
        return ""
    try:
        return regions().full_name(code)
    except NotFound:
        return ""


def may_write(actor: Actor, region: str | None, entity: str | None, what: str) -> None:
    grant = ensure(actor, WRITE)
    if not grant.allows(region, entity):
        raise PermissionDenied(f"{actor.name} may not {what} outside its scope ({grant.reason})")


def checked_text(name: str, value: str, *, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{name}: required", [Problem("required", name, value)])
    if len(text) > limit:
        raise ValidationFailed(
            f"{name}: at most {limit} characters (got {len(text)})", [Problem(f"at most {limit} characters", name, text[:50])]
        )
    return text
