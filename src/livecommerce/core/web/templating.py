"""Jinja2 templates of every package: web/templates first, then each package's templates/ folder, so a page of
entities/ or ingest/ writes ``{% extends "base.html" %}``.

core sits below every package, so what every page's context holds (who is looking, their scope, the CSRF token, the
navigation) is filled in by providers the upper layers register with ``add_context``: web/templating.py registers
the base context when the app is assembled. A provider takes the request and answers a dict merged into the context.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from livecommerce.core.money import format_wan
from livecommerce.core.timeutil import as_shanghai, aware

PACKAGE_DIR = Path(__file__).resolve().parents[2]
WEB_TEMPLATES = PACKAGE_DIR / "web" / "templates"
STATIC_DIR = PACKAGE_DIR / "web" / "static"
VENDOR = STATIC_DIR / "vendor"
"""Front-end assets copied from npm (`make assets`): served at /static/vendor unless settings.assets_dir says else."""

ContextProvider = Callable[[Request], dict[str, Any]]
_providers: list[ContextProvider] = []


def add_context(provider: ContextProvider) -> None:
    """Register what every page's context holds (once; registering the same provider again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)


def template_dirs() -> list[Path]:
    """web/templates, then every other package's templates/ folder, in name order."""
    others = sorted(path for path in PACKAGE_DIR.glob("*/templates") if path.is_dir() and path != WEB_TEMPLATES)
    return [WEB_TEMPLATES, *others]


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


def _context(request: Request) -> dict[str, Any]:
    """Every registered provider's part of the context, in the order they were registered."""
    context: dict[str, Any] = {}
    for provider in _providers:
        context.update(provider(request))
    return context


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in template_dirs()]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    )
    environment.filters.update(shanghai=shanghai_time, wan=wan, thousands=thousands)
    return environment


templates = Jinja2Templates(env=_environment(), context_processors=[_context])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Render one page of any package with the registered base context."""
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)
