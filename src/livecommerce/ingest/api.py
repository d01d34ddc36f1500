"""JSON routes of ingest: file upload, the platforms' JSON push (token), batches, rejected rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.web.writer import download
from livecommerce.ingest import batches, service
from livecommerce.ingest.schemas import BatchOut, BatchSummaryOut, PushIn
from livecommerce.ingest.uploads import ingest_uploads

router = APIRouter(prefix="/api", tags=["数据接入 ingest"])


@router.post("/ingest/{feed}", response_model=BatchOut)
def upload(
    feed: str, actor: CurrentActor, files: Annotated[list[UploadFile], File(...)], strict: Annotated[bool, Form()] = False
) -> BatchOut:
    """Upload one or more files of a feed as one batch (multipart form field ``files``)."""
    result = ingest_uploads(feed, files, actor, strict=strict)
    return BatchOut(**result.to_json())


@router.post("/feeds/{feed}", response_model=BatchOut)
def push(feed: str, body: PushIn, actor: CurrentActor, request: Request) -> BatchOut:
    """A platform pushes rows with its API token (Authorization: Bearer …)."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise HTTPException(401, "the push endpoint takes an API token (Authorization: Bearer)")
    result = service.ingest_records(feed, body.rows, actor, source_name=body.source, strict=body.strict)
    return BatchOut(**result.to_json())


@router.get("/ingest/batches", response_model=list[BatchSummaryOut])
def list_batches(actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[BatchSummaryOut]:
    """The newest batches the actor may see (limit 1..1000)."""
    return [BatchSummaryOut.model_validate(summary.__dict__) for summary in batches.list_batches(actor, limit=limit)]


def rejected_csv_response(actor: Any, batch: str, client: str = "") -> Response:
    """The rejected rows of a batch as a CSV download: personal data masked unless the actor may see it, audited."""
    found = batches.rejected_csv(actor, batch)
    return download(
        found.content,
        f"rejected-{batch}.csv",
        actor=actor,
        what=f"ingest.rejected:{batch}",
        rows=found.rows,
        revealed=found.revealed,
        client=client,
    )


@router.get(
    "/ingest/batches/{batch}/rejected.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The rejected rows as CSV (the download is audited)."}},
)
def rejected(request: Request, batch: str, actor: CurrentActor) -> Response:
    """Rejected rows with 错误原因, to correct and load again (phones, ID numbers, names masked without personal.view)."""
    return rejected_csv_response(actor, batch, client_of(request))
