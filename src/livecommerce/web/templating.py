"""The base context of every page, registered with core.web.templating when the app is assembled: who is looking
(``actor``, ``display_name``, ``role_label``), in which scope (``scope_label``: 全省 / 哈尔滨市 …), the CSRF token
and the navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from livecommerce.accounts.roles import ROLES, scope_label
from livecommerce.core.web.templating import add_context
from livecommerce.web.nav import NAV


def base_context(request: Request) -> dict[str, Any]:
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


def install() -> None:
    """Every page rendered from now on carries the base context."""
    add_context(base_context)
