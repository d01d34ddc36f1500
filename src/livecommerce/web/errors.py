"""How errors reach people: JSON under /api/, a Chinese page elsewhere (core.errors → 403, 404, 422)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from livecommerce.core.errors import LiveCommerceError, NotFound, PermissionDenied, ValidationFailed
from livecommerce.web.templating import render

STATUS = ((PermissionDenied, 403), (NotFound, 404), (ValidationFailed, 422))
TITLES = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作", 422: "输入有误"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    title = TITLES.get(status, "出错了")
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status, headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A service's refusal: PermissionDenied 403, NotFound 404, ValidationFailed 422 (with its problems)."""
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
    if _is_api(request):
        problems = [str(problem) for problem in getattr(exc, "problems", [])]
        return JSONResponse({"detail": str(exc), "problems": problems}, status_code=status)
    return _page(request, status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    """HTTP errors: pages get the Chinese error page; redirects and the API keep FastAPI's answer."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    return _page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    """Register the error handlers on an app."""
    app.add_exception_handler(LiveCommerceError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
