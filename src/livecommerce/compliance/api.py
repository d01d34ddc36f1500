"""JSON routes of 合规检测 with the words of the CLI (`livecommerce compliance scan|packs`): scan one text or many
records, list the rule packs.

Scanning reads and writes nothing of anyone's data, so every logged-in user and every platform token may scan
(CurrentActor: 401 without a login or a token). A body that breaks a bound (at most 10,000 records, 1,000,000
characters a text) or names an unknown pack is a 400 with the reason and each problem {row, column, value, rule}.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from livecommerce.accounts.deps import CurrentActor
from livecommerce.compliance import service
from livecommerce.compliance.schemas import scan_request
from livecommerce.core.errors import LiveCommerceError, Problem, ValidationFailed

router = APIRouter(prefix="/api/compliance", tags=["合规检测 compliance"])


async def _body(request: Request) -> bytes:
    return await request.body()


Body = Annotated[bytes, Depends(_body)]


def refused(exc: LiveCommerceError) -> JSONResponse:
    """400: {"detail", "problems": [{row, column, value, rule, file}]} — an unknown pack is a wrong body, not a 404."""
    problems = getattr(exc, "problems", None) or [Problem(str(exc))]
    return JSONResponse(
        {
            "detail": str(exc),
            "problems": [{"row": p.row, "column": p.column, "value": p.value, "rule": p.rule, "file": p.file} for p in problems],
        },
        status_code=400,
    )


@router.post("/scan", response_model=None)
def scan(actor: CurrentActor, body: Body) -> Any:
    """`{"text": "…", "product_type"?, "packs": ["ad-law"]?}` → `{"hits": [{rule, category, severity, law, start, end,
    text, suggestion}]}`; `{"records": [{"id", "text", "product_type"?}, …], "product_type"?, "packs"?}` (at most
    10,000) → `{"results": [{"id", "hits"}]}` in the records' order. start/end are character offsets in the text;
    packs default to every pack; product_type (food, health_food, cosmetic …) defaults to unknown."""
    try:
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise ValidationFailed(f"the body is not JSON: {exc}") from None
        request = scan_request(payload)
        if request.text is not None:
            return {"hits": [hit.to_json() for hit in service.scan(request.text, request.product_type, request.pack_names())]}
        return {"results": list(service.scan_records(request.record_dicts(), request.pack_names(), source="records"))}
    except LiveCommerceError as exc:
        return refused(exc)


@router.get("/packs")
def packs(actor: CurrentActor) -> list[dict[str, Any]]:
    """Every rule pack loaded (built-in and local): name, title, version, effective_from, source, origin, its rules
    (id, category, severity, law, description, patterns, pinyin, suggestion, exceptions, dates) and its exceptions."""
    return service.packs_table()
