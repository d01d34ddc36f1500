"""数据接入概况 (GET /ingest/overview; the console's first home page, linked from 总览): the batches loaded and the
rows held per feed, from ingest.service. 总览 itself is the statistics dashboard (stats/pages.py).

``ingest_overview`` is the only bridge to ingest: it calls ``ingest.batches.list_batches(actor, limit=50)`` and
``table_counts(actor)``. No SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor
from livecommerce.core.scope import Actor
from livecommerce.core.web.templating import render
from livecommerce.ingest import batches
from livecommerce.warehouse.feeds import FEEDS

router = APIRouter(include_in_schema=False)

BATCH_STATUS = {
    "ok": "完成",
    "done": "完成",
    "loaded": "已入库",
    "running": "进行中",
    "failed": "失败",
    "partial": "部分入库",
    "rejected": "已拒绝",
}


@dataclass
class IngestOverview:
    """What the home page shows: whether ingest can answer, its recent batches, and rows per feed."""

    available: bool
    allowed: bool = True
    batches: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _ingest_service() -> Any | None:
    """The ingest functions the page shows, list_batches and table_counts (a seam that tests replace)."""
    return batches


def ingest_overview(actor: Actor) -> IngestOverview:
    """Recent batches and row counts the actor may see (ingest.read), or why there are none."""
    service = _ingest_service()
    if service is None:
        return IngestOverview(available=False)
    if actor.grant("ingest.read").nothing:
        return IngestOverview(available=True, allowed=False)
    return IngestOverview(available=True, batches=list(service.list_batches(actor, limit=50)), counts=dict(service.table_counts(actor)))


def feed_label(name: str) -> str:
    """The Chinese name of a feed or table (orders → 平台订单明细), else the name itself."""
    feed = FEEDS.get(name)
    return feed.zh if feed else name


@router.get("/ingest/overview", response_class=HTMLResponse)
def home(request: Request, actor: CurrentActor) -> Response:
    """数据接入概况: recent batches and rows per feed."""
    overview = ingest_overview(actor)
    return render(request, "home.html", {"overview": overview, "feed_label": feed_label, "status_label": BATCH_STATUS})
