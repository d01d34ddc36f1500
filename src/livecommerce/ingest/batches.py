"""Batches (批次) and the quarantine (隔离区) as users see them: the list of loaded batches, row counts per feed,
and the rejected rows of a batch as a file a clerk can correct and load again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import NotFound
from livecommerce.core.scope import Actor, ensure, restrict_sql
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.core.web.writer import Column, Sheet, csv_bytes_counted, mask_personal, may_reveal_personal
from livecommerce.ingest.headers import EXPORT_COLUMNS, normalise
from livecommerce.warehouse.engine import connect
from livecommerce.warehouse.feeds import FEEDS, SCOPE_COLUMNS
from livecommerce.warehouse.schema import ident


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
    notes: list[str]  # retired regions stored as their successor's code (ingest.retired), in order


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
                       rows_rejected, rows_replaced, rows_unchanged, status, ignored_columns, message,
                       (SELECT list(note ORDER BY position) FROM batch_notes n WHERE n.batch_id = batches.batch_id)
                FROM batches WHERE {condition} ORDER BY started_at DESC, batch_id DESC LIMIT ?""",
            [*params, int(limit)],
        ).fetchall()
    # stored as Shanghai wall time (DESIGN.md: Time); handed out aware so that no page mistakes it for UTC
    return [
        BatchSummary(
            r[0],
            r[1],
            FEEDS[r[1]].zh,
            r[2],
            r[3],
            r[4],
            r[5].replace(tzinfo=SHANGHAI),
            r[6].replace(tzinfo=SHANGHAI),
            *r[7:15],
            list(r[15] or []),
        )  # type: ignore[call-arg]
        for r in rows
    ]


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
            where = restrict_sql(actor, "warehouse.read", ident(region) if region else None, ident(entity) if entity else None)
            counts[feed.name] = int(con.execute(f"SELECT count(*) FROM {ident(feed.name)} WHERE {where}").fetchone()[0])  # type: ignore[index]
    return counts


# Personal data (DESIGN.md: Personal data) a feed's file may hold: the feeds' own columns by name, and any other column
# whose header says it is a phone, an ID number or a person's name (an ignored column is kept in the raw row too).
PERSONAL_COLUMNS = {"real_name": "name", "phone": "phone", "id_number": "id_card", "consumer_name": "name", "consumer_phone": "phone"}
PERSONAL_WORDS = (
    ("身份证", "id_card"),
    ("证件号", "id_card"),
    ("id_card", "id_card"),
    ("id_number", "id_card"),
    ("手机", "phone"),
    ("电话", "phone"),
    ("phone", "phone"),
    ("mobile", "phone"),
    ("姓名", "name"),
    ("联系人", "name"),
    ("收货人", "name"),
    ("real_name", "name"),
)


def personal_kind(feed: str, header: str) -> str | None:
    """Whether a file's column holds personal data, and which: 'phone', 'id_card', 'name' or None."""
    lookup = {normalise(alias): column.name for column in FEEDS[feed].columns for alias in column.headers}
    name = lookup.get(normalise(header), normalise(header))
    if name in PERSONAL_COLUMNS:
        return PERSONAL_COLUMNS[name]
    if normalise(header) in lookup:
        return None  # a column of the feed that is not personal (主播昵称, 店铺名称 …)
    return next((kind for word, kind in PERSONAL_WORDS if word in name), None)


def _reasons(feed: str, problems: list[dict[str, Any]], reveal: bool) -> str:
    """错误原因: each broken rule with its column and value; a personal value masked unless revealed."""

    def shown(p: dict[str, Any]) -> str:
        if p["value"] is None:
            return "(空)"
        kind = None if reveal else personal_kind(feed, p["column"])
        return str(mask_personal(p["value"], kind))

    return "；".join(f"{p['column']}={shown(p)}: {p['rule']}" for p in problems)


def rejected_rows(actor: Actor, batch_id: str, *, reveal_personal: bool = False) -> list[dict[str, str]]:
    """The rejected rows of a batch as the file had them, with 来源文件, 行号 and 错误原因 added (a personal value in
    错误原因 masked unless ``reveal_personal``; the row's own cells are masked by the writer)."""
    return _rejected(actor, batch_id, reveal_personal)[1]


def _rejected(actor: Actor, batch_id: str, reveal_personal: bool) -> tuple[str, list[dict[str, str]]]:
    """The batch's feed and its rejected rows (NotFound outside the actor's batches)."""
    feed = get_batch(actor, batch_id).feed
    with connect(ensure_home()) as con:
        rows = con.execute(
            """SELECT file_name, row_number, raw, problems FROM quarantine WHERE batch_id = ?
               ORDER BY file_name, row_number""",
            [batch_id],
        ).fetchall()
    out = []
    for file_name, row_number, raw, problems in rows:
        record = {k: "" if v is None else str(v) for k, v in json.loads(raw).items()}
        record.update(
            {EXPORT_COLUMNS[1]: file_name, EXPORT_COLUMNS[2]: str(row_number), EXPORT_COLUMNS[0]: _reasons(feed, problems, reveal_personal)}
        )
        out.append(record)
    return feed, out


@dataclass(frozen=True)
class RejectedFile:
    """rejected.csv of a batch: its bytes, rows, and whether personal data in it is whole (for the audit line)."""

    content: bytes
    rows: int
    revealed: bool


def rejected_csv(actor: Actor, batch_id: str) -> RejectedFile:
    """Rejected rows as CSV through the single writer (UTF-8 with BOM, CRLF, formula-looking cells behind a quote),
    ready to correct and re-import. Phones, ID numbers and names are masked unless the actor holds personal.view."""
    reveal = may_reveal_personal(actor)
    feed, rows = _rejected(actor, batch_id, reveal)
    headers: list[str] = []
    for row in rows:
        headers += [key for key in row if key not in headers and key not in EXPORT_COLUMNS]
    columns = [Column(h, h, personal=personal_kind(feed, h)) for h in headers]
    columns += [Column(h, h) for h in EXPORT_COLUMNS]
    content, count = csv_bytes_counted(Sheet("rejected", columns, rows), reveal_personal=reveal)
    return RejectedFile(content, count, reveal and any(c.personal for c in columns))


def rejected_rows_csv(actor: Actor, batch_id: str) -> bytes:
    """Rejected rows as CSV (UTF-8 with BOM, so that Excel opens it in Chinese), ready to correct and re-import."""
    return rejected_csv(actor, batch_id).content
