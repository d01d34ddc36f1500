"""The request body limit (上传大小上限): a body larger than settings.max_upload_mb is refused with 413.

The limit is known from Content-Length when the client sends one (then not one byte of the body is read) and is
counted as the body streams in when it does not (chunked transfer). The refusal is raised from the app's own
``receive``, so it reaches the error handlers like any HTTPException: JSON under /api/, the Chinese error page
elsewhere. Starlette spools an upload to a temporary file as it arrives and closes (deletes) its temporary files
when reading fails, so nothing of a refused body is kept.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """413: the request body is larger than the installation accepts."""

    def __init__(self, limit_mb: int) -> None:
        super().__init__(413, f"上传内容超过 {limit_mb} MB 的上限（设置 max_upload_mb），已拒收，未保存任何内容。请拆分文件后分批上传。")


class BodyLimit:
    """ASGI middleware: refuse a request body of more than ``limit_mb`` MiB with 413."""

    def __init__(self, app: ASGIApp, limit_mb: int) -> None:
        self.app, self.limit_mb, self.limit = app, limit_mb, limit_mb << 20

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self.app(scope, self._refuse, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit_mb)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self) -> Message:
        raise BodyTooLarge(self.limit_mb)


def _content_length(scope: Scope) -> int | None:
    """The declared body length, or None when absent or not a number (chunked bodies are counted instead)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
