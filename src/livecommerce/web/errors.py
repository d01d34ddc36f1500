"""How errors reach people: JSON under /api/, a Chinese page elsewhere, with the status core.web.answers maps.

Refusals are audited (issue 13): every 403 as action ``denied`` (``csrf`` when require_csrf refused the request),
outcome ``refused``, target the method and path, actor the user's name; an API 401 of a request that presented a
bearer token as ``auth`` refused. A 401 or login redirect of a visitor who presented nothing is not audited. These
lines go through ``audit.record_apart``; ``AuditAfterRequest`` makes record_apart wait until the request's own
transaction has ended (the SQLite write lock is free again) and writes them before the answer leaves.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from livecommerce.accounts import audit
from livecommerce.accounts.deps import app_settings, client_of
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.web.answers import refusal, status_of
from livecommerce.core.web.templating import render

TITLES = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作", 413: "上传内容过大", 422: "输入有误"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    title = TITLES.get(status, "出错了")
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status, headers)


def audit_refusal(request: Request, status: int, reason: str) -> None:
    """One audit line for a refused request: 403 → denied (or csrf), an API 401 with a bearer token → auth."""
    auth = getattr(request.state, "auth", None)
    if status == 403:
        action = getattr(request.state, "refusal", "denied")
    elif status == 401 and _is_api(request) and request.headers.get("authorization", "")[:7].lower() == "bearer ":
        action = "auth"
    else:
        return
    actor = auth.actor.name if auth is not None else ""
    audit.record_apart(
        actor,
        action,
        "request",
        f"{request.method} {request.url.path}",
        None,
        {"status": status, "reason": reason[:500]},
        outcome="refused",
        client=client_of(request),
        settings=app_settings(request),
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A service's refusal, mapped once by core.web.answers: 403, 404, 400 (unreadable body) or 422 with its problems."""
    assert isinstance(exc, LiveCommerceError)
    status = status_of(exc)
    audit_refusal(request, status, str(exc))
    if _is_api(request):
        return refusal(exc)
    return _page(request, status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    """HTTP errors: pages get the Chinese error page; redirects and the API keep FastAPI's answer."""
    assert isinstance(exc, StarletteHTTPException)
    audit_refusal(request, exc.status_code, str(exc.detail))
    if _is_api(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    return _page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


def validation_message(exc: RequestValidationError) -> str:
    """The refused fields of a request in one Chinese line: where, what was sent, and the rule it broke."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(item) for item in error.get("loc", ()) if item not in ("path", "query", "body", "form"))
        sent = str(error.get("input", ""))[:40]
        parts.append(f"参数 {where or '请求'} 的值 {sent!r} 不合规则：{error.get('msg', '')}")
    return "；".join(parts) or "请求参数有误"


async def _validation_error(request: Request, exc: Exception) -> Response:
    """A refused parameter: FastAPI's JSON 422 under /api/, the Chinese page naming the field elsewhere."""
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return await request_validation_exception_handler(request, exc)
    return _page(request, 422, validation_message(exc))


class AuditAfterRequest:
    """ASGI middleware: the lines ``audit.record_apart`` makes during a request (refusals, downloads) are written
    when the answer starts, after the request's own transaction has ended, each in a transaction of its own."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with audit.deferred_apart() as pending:

            async def send_after_audit(message: Any) -> None:
                if message["type"] == "http.response.start" and pending:
                    await anyio.to_thread.run_sync(audit.write_deferred, pending)
                await send(message)

            try:
                await self.app(scope, receive, send_after_audit)
            finally:
                if pending:
                    await anyio.to_thread.run_sync(audit.write_deferred, pending)


def install(app: FastAPI) -> None:
    """Register the error handlers on an app, and the middleware that writes refusals' and downloads' audit lines."""
    app.add_exception_handler(LiveCommerceError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(AuditAfterRequest)
