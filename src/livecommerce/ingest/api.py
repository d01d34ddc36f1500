"""JSON routes of ingest: file upload, the platforms' JSON push (token), batches, rejected rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.web.writer import download
from livecommerce.ingest import batches, service
from livecommerce.ingest.uploads import ingest_uploads

router = APIRouter(prefix="/api", tags=["数据接入 ingest"])


class BatchOut(BaseModel):
    """The figures of one batch, as the CLI's --format json prints them."""

    batch: str
    feed: str
    read: int
    accepted: int
    rejected: int
    replaced: int
    unchanged: int
    status: str
    message: str
    problems: list[str]
    ignored_columns: list[str]
    notes: list[str] = Field(default_factory=list, description="Retired region codes or names stored as their successor's.")


class PushIn(BaseModel):
    """Rows pushed by a platform: canonical or Chinese column names, values as text or numbers."""

    source: str = Field("api", min_length=1, max_length=200, description="Name recorded as the batch's source.")
    rows: list[dict[str, Any]] = Field(..., max_length=100_000)
    strict: bool = False


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


@router.get("/ingest/batches")
def list_batches(actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    """The newest batches the actor may see (limit 1..1000)."""
    return [summary.__dict__ for summary in batches.list_batches(actor, limit=limit)]


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


@router.get("/ingest/batches/{batch}/rejected.csv")
def rejected(request: Request, batch: str, actor: CurrentActor) -> Response:
    """Rejected rows with 错误原因, to correct and load again (phones, ID numbers, names masked without personal.view)."""
    return rejected_csv_response(actor, batch, client_of(request))
