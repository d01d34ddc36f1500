"""The web application: every package's routers, static assets, offline API docs, security headers, error pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from livecommerce import __version__
from livecommerce.accounts.deps import require_csrf
from livecommerce.core.db import ensure_home
from livecommerce.core.settings import Settings
from livecommerce.core.web.templating import STATIC_DIR, VENDOR
from livecommerce.ingest.uploads import purge_hourly
from livecommerce.web import errors, templating
from livecommerce.web.limits import BodyLimit
from livecommerce.web.placeholders import add_placeholders
from livecommerce.web.routers import routers
from livecommerce.web.security import SecurityHeaders

VENDOR_URL = "/static/vendor"
SWAGGER_URL = f"{VENDOR_URL}/swagger-ui"


def vendor_dir(settings: Settings) -> Path:
    """Where front-end assets from npm are served from: settings.assets_dir, else web/static/vendor."""
    return settings.assets_dir or VENDOR


def _mount_static(app: FastAPI, settings: Settings) -> None:
    # /static/vendor first: the /static mount would otherwise answer for it.
    app.mount(VENDOR_URL, StaticFiles(directory=vendor_dir(settings), check_dir=False), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def _add_favicon(app: FastAPI) -> None:
    """Browsers ask for /favicon.ico on their own; answer with the console's icon."""

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "img" / "favicon.svg", media_type="image/svg+xml")


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the local copy of swagger-ui-dist (no CDN)."""

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · 接口文档",
            swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_URL}/favicon-32x32.png",
        )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The live monitor's hub runs while the app does (and the demo's live rooms play when monitor_demo_feed is on)."""
    from livecommerce.monitor.hub import start_hub, stop_hub

    settings = app.state.settings
    purge = asyncio.create_task(purge_hourly(settings))  # rejected uploads past upload_retention_days
    hub = start_hub(settings)
    feed = None
    if settings.monitor_demo_feed:
        from livecommerce.demo.monitor import DemoFeed

        feed = DemoFeed(hub).start()
    try:
        yield
    finally:
        if feed is not None:
            feed.stop()
        purge.cancel()
        stop_hub()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The console and API of one installation (its home initialised on first use)."""
    settings = ensure_home(settings)
    app = FastAPI(
        title="龙江直播电商监测服务平台",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(require_csrf)],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    templating.install()
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit_mb=settings.max_upload_mb)
    _mount_static(app, settings)
    for router in routers():
        app.include_router(router)
    add_placeholders(app)
    _add_docs(app)
    _add_favicon(app)
    errors.install(app)
    return app
