"""Jinja2 templates of every package: web/templates first, then each package's templates/ folder, so a page of
entities/ or ingest/ writes ``{% extends "base.html" %}``. The context always holds ``actor``, ``display_name``,
``scope_label`` (全省 / 哈尔滨市 …), ``csrf_token`` and the navigation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from livecommerce.accounts.roles import ROLES
from livecommerce.core.money import format_wan
from livecommerce.core.scope import Actor
from livecommerce.core.timeutil import as_shanghai, aware
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.web.nav import NAV

PACKAGE_DIR = Path(__file__).resolve().parents[1]
WEB_TEMPLATES = Path(__file__).resolve().parent / "templates"


def template_dirs() -> list[Path]:
    """web/templates, then every other package's templates/ folder, in name order."""
    others = sorted(path for path in PACKAGE_DIR.glob("*/templates") if path.is_dir() and path != WEB_TEMPLATES)
    return [WEB_TEMPLATES, *others]


def scope_label(actor: Actor | None) -> str:
    """Whose data a page shows: 全省, a region's full name, or the entity of an enterprise user."""
    if actor is None:
        return ""
    region = getattr(actor, "scope_region", None)
    entity = getattr(actor, "scope_entity", None)
    if region and region != PROVINCE:
        return regions().full_name(region)
    if entity:
        return f"本主体（{entity}）"
    return "受托事项" if getattr(actor, "role", None) == "inspector" else "全省"


def shanghai_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant (naive means UTC, as databases return it) in Shanghai wall time."""
    if moment is None:
        return ""
    return as_shanghai(aware(moment)).strftime(fmt)


def wan(amount: Decimal | int | None) -> str:
    """Yuan shown in 万元 with two decimals (the unit goes in the column header)."""
    return "" if amount is None else format_wan(Decimal(amount))


def thousands(number: int | None) -> str:
    """An integer with thousands separators: 1234567 → 1,234,567."""
    return "" if number is None else f"{number:,}"


def _base_context(request: Request) -> dict[str, Any]:
    """What every page needs: who is looking, in which scope, the CSRF token and the navigation."""
    auth = getattr(request.state, "auth", None)
    actor = auth.actor if auth else None
    return {
        "actor": actor,
        "display_name": auth.display_name if auth else "",
        "role_label": ROLES.get(actor.role, actor.role) if actor else "",
        "scope_label": scope_label(actor),
        "csrf_token": (auth.csrf_token or "") if auth else "",
        "nav": [{"label": item.label, "path": item.path, "active": item.active(request.url.path)} for item in NAV],
    }


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in template_dirs()]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    )
    environment.filters.update(shanghai=shanghai_time, wan=wan, thousands=thousands)
    return environment


templates = Jinja2Templates(env=_environment(), context_processors=[_base_context])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Render one page of any package with the base context."""
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)
