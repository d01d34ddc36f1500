"""Request bodies of the JSON API, shared by every package's api.py: a body that may not be JSON, and a body as its
pydantic model with each field's problem listed (refused as core.web.answers says: 400 unreadable, 422 a rule)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.web.answers import UnreadableBody


class JsonBody:
    """A request body that may or may not be JSON; ``value()`` raises UnreadableBody saying why it is not."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def value(self) -> Any:
        try:
            return json.loads(self.raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise UnreadableBody(f"the body is not JSON: {exc}") from None


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
