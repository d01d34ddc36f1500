"""Request bodies and answers of the JSON API, shared by every package's api.py: a body that may not be JSON, a body
as its pydantic model with each field's problem listed, and a service call answered with its result, a 400 listing
every problem, or 403/404."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from livecommerce.core.errors import LiveCommerceError, Problem, ValidationFailed
from livecommerce.stats.api import fail

T = TypeVar("T")


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"row": problem.row, "column": problem.column, "value": problem.value, "rule": problem.rule, "file": problem.file}


def invalid(exc: ValidationFailed) -> JSONResponse:
    """400 with every problem: {"detail", "problems": [{row, column, value, rule, file}]}."""
    problems = exc.problems or [Problem(str(exc))]
    return JSONResponse({"detail": str(exc), "problems": [problem_json(p) for p in problems]}, status_code=400)


def answer(call: Callable[[], T]) -> T | JSONResponse:
    """Run one service call: its answer, a 400 listing the problems, or 403/404."""
    try:
        return call()
    except ValidationFailed as exc:
        return invalid(exc)
    except LiveCommerceError as exc:
        raise fail(exc) from exc


class JsonBody:
    """A request body that may or may not be JSON; ``value()`` raises ValidationFailed saying why it is not."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def value(self) -> Any:
        try:
            return json.loads(self.raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise ValidationFailed(f"the body is not JSON: {exc}", [Problem(f"the body is not JSON: {exc}")]) from None


async def json_body(request: Request) -> JsonBody:
    return JsonBody(await request.body())


Body = Annotated[JsonBody, Depends(json_body)]


def model_of(cls: type[BaseModel], body: Any) -> Any:
    """A request body as its model, or ValidationFailed listing each field's problem."""
    try:
        return cls.model_validate(body)
    except ValidationError as exc:
        problems = [
            Problem(
                rule=error["msg"],
                column=".".join(map(str, error["loc"])) or None,
                value=None if error.get("input") is None else str(error.get("input"))[:200],
            )
            for error in exc.errors()
        ]
        raise ValidationFailed(f"{len(problems)} problem(s) in the request", problems) from None
