"""JSON routes of 合规检测 with the words of the CLI (`livecommerce compliance scan|packs`): scan one text or many
records, list the rule packs.

Scanning reads and writes nothing of anyone's data, so every logged-in user and every platform token may scan
(CurrentActor: 401 without a login or a token). A body that breaks a bound (at most 10,000 records, 1,000,000
characters a text) or names an unknown pack is a 422 with the reason and each problem {row, column, value, rule,
file}; a body that is not JSON is a 400 (core.web.answers).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from livecommerce.accounts.deps import CurrentActor
from livecommerce.compliance import service
from livecommerce.compliance.schemas import RecordsScanOut, TextScanOut, scan_request
from livecommerce.core.errors import NotFound, Problem, ValidationFailed
from livecommerce.core.web.bodies import Body

router = APIRouter(prefix="/api/compliance", tags=["合规检测 compliance"])


@router.post("/scan")
def scan(actor: CurrentActor, body: Body) -> TextScanOut | RecordsScanOut:
    """`{"text": "…", "product_type"?, "packs": ["ad-law"]?}` → `{"hits": [{rule, category, severity, law, start, end,
    text, suggestion}]}`; `{"records": [{"id", "text", "product_type"?}, …], "product_type"?, "packs"?}` (at most
    10,000) → `{"results": [{"id", "hits"}]}` in the records' order. start/end are character offsets in the text;
    packs default to every pack; product_type (food, health_food, cosmetic …) defaults to unknown."""
    try:
        request = scan_request(body.value())
        if request.text is not None:
            hits = service.scan(request.text, request.product_type, request.pack_names())
            return TextScanOut.model_validate({"hits": [hit.to_json() for hit in hits]})
        results = service.scan_records(request.record_dicts(), request.pack_names(), source="records")
        return RecordsScanOut.model_validate({"results": list(results)})
    except NotFound as exc:  # an unknown pack is a wrong body, not a missing page
        raise ValidationFailed(str(exc), [Problem(str(exc), "packs")]) from None


@router.get("/packs")
def packs(actor: CurrentActor) -> list[dict[str, Any]]:
    """Every rule pack loaded (built-in and local): name, title, version, effective_from, source, origin, its rules
    (id, category, severity, law, description, patterns, pinyin, suggestion, exceptions, dates) and its exceptions."""
    return service.packs_table()
