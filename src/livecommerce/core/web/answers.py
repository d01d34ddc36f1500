"""One mapping of the platform's errors to HTTP, for every route of every package (docs/security.md, "Refusals").

| what was refused                                                     | status | JSON (under /api/)                  |
|----------------------------------------------------------------------|--------|-------------------------------------|
| the body cannot be read at all (not JSON, not UTF-8)                 | 400    | {"detail", "problems": [...]}       |
| the role or scope does not allow it (``PermissionDenied``)           | 403    | {"detail", "problems": [...]}       |
| it does not exist, or the caller may not know it does (``NotFound``) | 404    | {"detail", "problems": [...]}       |
| a value breaks a rule (``ValidationFailed``, ``UnreadableInput``, any other ``LiveCommerceError``) | 422 | {"detail", "problems": [...]} |
| a parameter outside its declared bounds (FastAPI's own check)        | 422    | FastAPI's {"detail": [{loc, msg}]} |

Each problem is ``{"row", "column", "value", "rule", "file"}`` (core.errors.Problem). A page answers the same status
with the Chinese error page (or its form shown again). Routes do not catch domain errors to map them: they let them
rise, and the handlers web/ installs call ``status_of`` and ``refusal`` here.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from livecommerce.core.errors import LiveCommerceError, NotFound, PermissionDenied, Problem

STATUS: tuple[tuple[type[LiveCommerceError], int], ...] = ((PermissionDenied, 403), (NotFound, 404), (LiveCommerceError, 422))
"""The status of a domain error: the first kind it is an instance of."""


class UnreadableBody(LiveCommerceError):
    """The request's body cannot be read at all (not JSON, not UTF-8): 400, the one refusal that is not 422."""


def status_of(exc: LiveCommerceError) -> int:
    """403, 404, 400 for an unreadable body, else 422."""
    if isinstance(exc, UnreadableBody):
        return 400
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def problem_json(problem: Problem) -> dict[str, Any]:
    """One problem as JSON: where (file, row, column), what (value) and which rule."""
    return {"row": problem.row, "column": problem.column, "value": problem.value, "rule": problem.rule, "file": problem.file}


def refusal_body(exc: LiveCommerceError) -> dict[str, Any]:
    """{"detail": the message, "problems": every problem (at least one: the message itself)}."""
    problems = getattr(exc, "problems", None) or [Problem(str(exc))]
    return {"detail": str(exc), "problems": [problem_json(problem) for problem in problems]}


def refusal(exc: LiveCommerceError) -> JSONResponse:
    """The JSON answer of a refused request, with the status of ``status_of``."""
    return JSONResponse(refusal_body(exc), status_code=status_of(exc))
