"""Batches (批次) and the quarantine (隔离区) as users see them: the list of loaded batches, row counts per feed,
and the rejected rows of a batch as a file a clerk can correct and load again."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import NotFound
from livecommerce.core.scope import Actor, ensure, restrict_sql
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.ingest.feeds import FEEDS, SCOPE_COLUMNS
from livecommerce.ingest.headers import EXPORT_COLUMNS
from livecommerce.ingest.rules import ident
from livecommerce.warehouse.engine import connect


@dataclass(frozen=True)
class BatchSummary:
    """One batch as listed: provenance and figures."""

    batch: str
    feed: str
    feed_zh: str
    sources: str
    sha256: str
    actor: str
    started_at: datetime
    finished_at: datetime
    read: int
    accepted: int
    rejected: int
    replaced: int
    unchanged: int
    status: str
    ignored_columns: str
    message: str


def _visible(actor: Actor) -> tuple[str, list[str]]:
    """Batches an actor may see: all of them with a province-wide grant, else the ones it loaded itself."""
    grant = ensure(actor, "ingest.read")
    return ("TRUE", []) if grant.everything else ("actor = ?", [actor.name])


def list_batches(actor: Actor, limit: int = 50, feed: str | None = None) -> list[BatchSummary]:
    """The newest batches first."""
    settings = ensure_home()
    condition, params = _visible(actor)
    if feed:
        condition, params = condition + " AND feed = ?", [*params, feed]
    with connect(settings, read_only=True) as con:
        rows = con.execute(
            f"""SELECT batch_id, feed, source_name, sha256, actor, started_at, finished_at, rows_read, rows_accepted,
                       rows_rejected, rows_replaced, rows_unchanged, status, ignored_columns, message
                FROM batches WHERE {condition} ORDER BY started_at DESC, batch_id DESC LIMIT ?""",
            [*params, int(limit)],
        ).fetchall()
    # stored as Shanghai wall time (DESIGN.md: Time); handed out aware so that no page mistakes it for UTC
    return [BatchSummary(r[0], r[1], FEEDS[r[1]].zh, r[2], r[3], r[4], r[5].replace(tzinfo=SHANGHAI),
                         r[6].replace(tzinfo=SHANGHAI), *r[7:]) for r in rows]


def get_batch(actor: Actor, batch_id: str) -> BatchSummary:
    """One batch, or NotFound when it does not exist or is not the actor's to see."""
    for summary in list_batches(actor, limit=1_000_000):
        if summary.batch == batch_id:
            return summary
    raise NotFound(f"no batch {batch_id}")


def table_counts(actor: Actor) -> dict[str, int]:
    """Rows of each warehouse feed that the actor may read."""
    settings = ensure_home()
    counts: dict[str, int] = {}
    with connect(settings, read_only=True) as con:
        for feed in FEEDS.values():
            if feed.target != "warehouse":
                continue
            region, entity = SCOPE_COLUMNS[feed.name]
            where = restrict_sql(actor, "warehouse.read", ident(region) if region else None,
                                 ident(entity) if entity else None)
            counts[feed.name] = int(con.execute(f"SELECT count(*) FROM {ident(feed.name)} WHERE {where}"
                                                ).fetchone()[0])  # type: ignore[index]
    return counts


def rejected_rows(actor: Actor, batch_id: str) -> list[dict[str, str]]:
    """The rejected rows of a batch as the file had them, with 来源文件, 行号 and 错误原因 added."""
    get_batch(actor, batch_id)
    with connect(ensure_home(), read_only=True) as con:
        rows = con.execute(
            """SELECT file_name, row_number, raw, problems FROM quarantine WHERE batch_id = ?
               ORDER BY file_name, row_number""",
            [batch_id],
        ).fetchall()
    out = []
    for file_name, row_number, raw, problems in rows:
        record = {k: "" if v is None else str(v) for k, v in json.loads(raw).items()}
        reasons = "；".join(f"{p['column']}={p['value'] if p['value'] is not None else '(空)'}: {p['rule']}"
                           for p in problems)
        record.update({EXPORT_COLUMNS[1]: file_name, EXPORT_COLUMNS[2]: str(row_number), EXPORT_COLUMNS[0]: reasons})
        out.append(record)
    return out


def rejected_rows_csv(actor: Actor, batch_id: str) -> bytes:
    """Rejected rows as CSV (UTF-8 with BOM, so that Excel opens it in Chinese), ready to correct and re-import."""
    rows = rejected_rows(actor, batch_id)
    headers: list[str] = []
    for row in rows:
        headers += [key for key in row if key not in headers and key not in EXPORT_COLUMNS]
    headers += list(EXPORT_COLUMNS)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
