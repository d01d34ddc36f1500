"""数据接入 page: upload files of any feed, see the recent batches, download rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from livecommerce.accounts.deps import CurrentActor, client_of
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.web.answers import status_of
from livecommerce.core.web.tables import Table, TableColumn
from livecommerce.core.web.templating import render
from livecommerce.ingest import batches, service
from livecommerce.ingest.api import rejected_csv_response
from livecommerce.ingest.uploads import ingest_uploads
from livecommerce.warehouse.feeds import FEEDS

router = APIRouter(include_in_schema=False)
BATCH_TABLE = Table(
    "最近批次",
    (
        TableColumn("batch", "批次"),
        TableColumn("feed_zh", "数据接口"),
        TableColumn("sources", "来源文件"),
        TableColumn("read", "读取", kind="int"),
        TableColumn("accepted", "接收", kind="int"),
        TableColumn("rejected", "拒收", kind="int"),
        TableColumn("replaced", "替换", kind="int"),
        TableColumn("actor", "操作人"),
        TableColumn("started_at", "时间", kind="datetime"),
        TableColumn("status", "状态"),
    ),
    page_size=30,
)
"""最近批次: the newest 30 batches the viewer may see (core.web.tables), newest first."""
STATUS = {"loaded": "已入库", "partial": "部分入库", "rejected": "全部拒收", "refused": "严格模式拒收", "failed": "无法读取"}


def _page(
    request: Request, actor: CurrentActor, result: service.BatchResult | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    context = {
        "feeds": FEEDS,
        "status": STATUS,
        "result": result,
        "error": error,
        "batches": BATCH_TABLE.page_of(batches.list_batches(actor, limit=BATCH_TABLE.page_size), BATCH_TABLE.default_query("/ingest")),
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
    except LiveCommerceError as exc:  # a refused upload (its name, an unknown feed): nothing was loaded, the form again
        return _page(request, actor, error=str(exc), status_code=status_of(exc))
    return _page(request, actor, result=result)


@router.get("/ingest/batches/{batch}/rejected.csv")
def rejected_download(request: Request, batch: str, actor: CurrentActor) -> Response:
    """Rejected rows of a batch (linked from 总览 and 数据接入); personal data masked unless allowed; audited."""
    return rejected_csv_response(actor, batch, client_of(request))
