"""建设中 pages for navigation entries whose package has not written its page yet."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor
from livecommerce.core.web.templating import render
from livecommerce.web.nav import NAV, NavItem


def _placeholder(item: NavItem) -> Callable[..., Response]:
    def page(request: Request, actor: CurrentActor) -> Response:
        return render(request, "placeholder.html", {"title": item.label})

    page.__doc__ = f"{item.label}: 建设中."
    return page


def add_placeholders(app: FastAPI) -> None:
    """Serve 建设中 at every navigation path that no router answers with GET."""
    served = {route.path for route in app.routes if isinstance(route, APIRoute) and "GET" in (route.methods or ())}
    for item in NAV:
        if item.path not in served:
            app.add_api_route(
                item.path,
                _placeholder(item),
                methods=["GET"],
                response_class=HTMLResponse,
                include_in_schema=False,
                name=f"placeholder{item.path.replace('/', '_')}",
            )
