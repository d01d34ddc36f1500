"""数据接入 page: upload files of any feed, see the recent batches, download rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.errors import LiveCommerceError, PermissionDenied
from livecommerce.core.web.templating import render
from livecommerce.ingest import batches, service
from livecommerce.ingest.api import rejected_csv_response
from livecommerce.ingest.uploads import ingest_uploads
from livecommerce.warehouse.feeds import FEEDS

router = APIRouter(include_in_schema=False)
STATUS = {"loaded": "已入库", "partial": "部分入库", "rejected": "全部拒收", "refused": "严格模式拒收", "failed": "无法读取"}


def _page(
    request: Request, actor: CurrentActor, result: service.BatchResult | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    context = {
        "feeds": FEEDS,
        "status": STATUS,
        "result": result,
        "error": error,
        "batches": batches.list_batches(actor, limit=30),
        "counts": batches.table_counts(actor),
    }
    return render(request, "ingest/index.html", context, status_code)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request, actor: CurrentActor) -> Response:
    """数据接入: the upload form and the recent batches."""
    return _page(request, actor)


@router.post("/ingest", response_class=HTMLResponse)
def upload_form(
    request: Request,
    actor: CurrentActor,
    feed: Annotated[str, Form()],
    files: Annotated[list[UploadFile], File()],
    strict: Annotated[bool, Form()] = False,
) -> Response:
    """Load the uploaded files as one batch and show its summary."""
    try:
        result = ingest_uploads(feed, files, actor, strict=strict)
    except PermissionDenied as exc:
        return _page(request, actor, error=str(exc), status_code=403)
    except LiveCommerceError as exc:  # a refused upload (its name, an unknown feed): nothing was loaded
        return _page(request, actor, error=str(exc), status_code=400)
    return _page(request, actor, result=result)


@router.get("/ingest/batches/{batch}/rejected.csv")
def rejected_download(request: Request, batch: str, actor: CurrentActor) -> Response:
    """Rejected rows of a batch (linked from 总览 and 数据接入); personal data masked unless allowed; audited."""
    return rejected_csv_response(actor, batch, client_of(request))
