"""`livecommerce serve`: run the web console with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Listen address (default settings.web_host).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default settings.web_port).")] = None,
) -> None:
    """启动网页控制台 (serve the web console and API)."""
    import uvicorn

    from livecommerce.core.db import ensure_home
    from livecommerce.web.app import create_app

    settings = ensure_home()
    uvicorn.run(create_app(settings), host=host or settings.web_host, port=port or settings.web_port)


def register(app: typer.Typer) -> None:
    """Mount `serve` on the root command."""
    app.command("serve")(serve)
