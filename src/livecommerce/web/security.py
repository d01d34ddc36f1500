"""Security headers on every response: no framing, no sniffing, a same-origin Content-Security-Policy, no caching
of pages (they carry personal and scoped data); static files may be cached. When the app's settings have
``cookie_secure`` on (the console is served over HTTPS), Strict-Transport-Security tells browsers to use HTTPS only.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livecommerce.core.settings import get_settings

# 'unsafe-inline' lets a page hand its chart options to ECharts in an inline <script> and lets HTMX and Swagger UI
# inject their styles; nothing is ever loaded from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def _https_only(scope: Scope) -> bool:
    """Whether the app serving this request runs with cookie_secure (its create_app settings, else the process's)."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None) or get_settings()
    return bool(settings.cookie_secure)


class SecurityHeaders:
    """ASGI middleware that adds HEADERS (and Cache-Control: no-store outside /static) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")
        hsts = _https_only(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
                if hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
