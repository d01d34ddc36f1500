"""The audit log (审计日志): every write by a person, every login attempt, download and refusal (DESIGN.md: Every write).

The log is a hash chain. Each line carries ``prev_hash``, the hash of the line before it, and ``hash``, the sha256 of
its own canonical form (``canonical``): prev_hash, id, time in UTC, actor, action, target, before, after, outcome and
client. Lines are appended by a flush hook that first locks the one-row chain head (``audit_chain_head``): an UPDATE
of that row takes PostgreSQL's row lock and SQLite's write lock, and the head is read only after it, so concurrent
writers take turns and the chain never forks. Ids are the chain's (head id + 1), one after the other.

Triggers (migration 0007) refuse UPDATE and DELETE on audit_log; ``verify`` walks the chain in id order, streamed,
and names the first line that does not match (altered, deleted from the middle, inserted, or cut from the end).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from livecommerce.accounts.models import AuditChainHead, AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import aware, now
from livecommerce.core.web.writer import set_download_auditor

logger = logging.getLogger(__name__)

GENESIS = "0" * 64  # the prev_hash of the first line
# the widths of the columns (PostgreSQL refuses longer text; SQLite would keep it): a line is cut before it is hashed
WIDTHS = {"actor": 64, "action": 64, "target_type": 64, "target_id": 128, "outcome": 16, "client": 200}
READ_BATCH = 2_000


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def at_text(moment: datetime) -> str:
    """A line's time as the hash reads it: UTC, ISO, microseconds (a naive value is UTC, as SQLite hands it back)."""
    return aware(moment).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


TEXT_FIELDS = ("actor", "action", "target_type", "target_id", "before", "after", "outcome", "client")


def canonical(entry: Any, prev_hash: str) -> bytes:
    """The bytes a line's hash is taken over: a JSON array of its fields in a fixed order, UTF-8, no spaces:
    [prev_hash, id, at (UTC ISO), actor, action, target_type, target_id, before, after, outcome, client]. ``entry`` is
    an AuditEntry or anything with its fields (a result row, in verify and the migration)."""
    return _canonical([prev_hash, entry.id, at_text(entry.at), *(getattr(entry, name) for name in TEXT_FIELDS)])


def _canonical(fields: list[Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _digest(fields: list[Any]) -> str:
    return hashlib.sha256(_canonical(fields)).hexdigest()


def line_hash(entry: Any, prev_hash: str) -> str:
    """sha256 (hex) of a line's canonical form after the given prev_hash."""
    return hashlib.sha256(canonical(entry, prev_hash)).hexdigest()


def _clean(value: str | None, width: int) -> str:
    """Text as the column keeps it: no NUL (PostgreSQL refuses it), at most the column's width."""
    return (value or "").replace("\x00", "\ufffd")[:width]


def record(
    session: Session,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    before: Any = None,
    after: Any = None,
    outcome: str = "ok",
    client: str = "",
) -> AuditEntry:
    """Add one audit line in the caller's transaction (so a rolled-back write leaves no line); the chain hook gives it
    its id and hashes when the session flushes."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=_dump(before),
        after=_dump(after),
        outcome=outcome,
        client=client,
        at=now(),
    )
    session.add(entry)
    return entry


# ---------------------------------------------------------------------------------------------------- the chain


def lock_head(connection: Connection) -> tuple[int, str]:
    """Lock the chain head and read it: (id, hash) of the newest line. The UPDATE comes first so that the read
    happens under the lock (SQLite's write lock, PostgreSQL's row lock)."""
    locked = connection.execute(text("UPDATE audit_chain_head SET last_id = last_id WHERE id = 1"))
    if locked.rowcount != 1:
        raise RuntimeError("audit_chain_head has no row: the registry is not migrated (livecommerce db upgrade)")
    last_id, last_hash = connection.execute(select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == 1)).one()
    return int(last_id), str(last_hash)


def _chain(session: Session, lines: list[AuditEntry]) -> None:
    """Give new lines their ids and hashes after the head, in the order they were added, and move the head."""
    connection = session.connection()
    last_id, last_hash = lock_head(connection)
    for entry in lines:
        _fit(entry)
        last_id += 1
        fields = entry.__dict__  # the pending line's values, read without the ORM's attribute machinery
        digest = _digest([last_hash, last_id, at_text(fields["at"]), *(fields.get(name) for name in TEXT_FIELDS)])
        entry.id, entry.prev_hash, entry.hash = last_id, last_hash, digest
        last_hash = digest
    connection.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_id=last_id, last_hash=last_hash))


def _fit(entry: AuditEntry) -> None:
    """Make a line what the database will hand back: text cut to its column, the time in UTC (set only on change:
    a large import adds tens of thousands of lines in one flush)."""
    for name, width in WIDTHS.items():
        value = getattr(entry, name)
        if value is None or len(value) > width or "\x00" in value:
            setattr(entry, name, _clean(value, width))
    if entry.at is None or entry.at.utcoffset() is None or entry.at.tzinfo is not UTC:
        entry.at = aware(entry.at or now()).astimezone(UTC)


@event.listens_for(Session, "before_flush")
def _chain_new_lines(session: Session, _context: Any, _instances: Any) -> None:
    """Every audit line a flush is about to insert joins the chain first (whoever created it)."""
    lines = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.hash is None]
    if lines:
        _chain(session, lines)


# ---------------------------------------------------------------------------------------------------- apart


_deferred: ContextVar[list[tuple[dict[str, Any], Settings | None]] | None] = ContextVar("audit_deferred", default=None)


def record_apart(
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    before: Any = None,
    after: Any = None,
    outcome: str = "ok",
    client: str = "",
    settings: Settings | None = None,
) -> None:
    """Add one audit line in a transaction of its own: for refusals and downloads, whose request may roll back or
    write nothing else. Inside a web request (``deferred_apart``) it is written once the request's own transaction
    has ended, before the answer leaves (on SQLite the request may hold the write lock until then); elsewhere at
    once. A failure to write is logged, never raised to the caller."""
    line = {
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": before,
        "after": after,
        "outcome": outcome,
        "client": client,
    }
    pending = _deferred.get()
    if pending is not None:
        pending.append((line, settings))
        return
    _write_apart(line, settings)


def _write_apart(line: dict[str, Any], settings: Settings | None) -> None:
    try:
        with session_scope(settings) as session:
            record(session, **line)
    except Exception:  # noqa: BLE001 - an audit write must not turn a refusal into a 500
        logger.exception("could not write the audit line %s %s", line["actor"], line["action"])


@contextmanager
def deferred_apart() -> Iterator[list[tuple[dict[str, Any], Settings | None]]]:
    """Within this block ``record_apart`` collects its lines; ``write_deferred`` writes them (the web middleware)."""
    pending: list[tuple[dict[str, Any], Settings | None]] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def write_deferred(pending: list[tuple[dict[str, Any], Settings | None]]) -> None:
    """Write the lines collected by ``deferred_apart``, each in its own transaction, and empty the list."""
    while pending:
        line, settings = pending.pop(0)
        _write_apart(line, settings)


set_download_auditor(record_apart)


# ---------------------------------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold: the line, what is wrong, and the line before it."""

    entry_id: int
    at: datetime | None
    actor: str
    action: str
    problem: str


@dataclass(frozen=True)
class Verdict:
    """The result of ``verify``: how many lines were checked, the head, and the first break (None when intact)."""

    checked: int
    last_id: int
    last_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


LINE_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.target_type,
    AuditEntry.target_id,
    AuditEntry.before,
    AuditEntry.after,
    AuditEntry.outcome,
    AuditEntry.client,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def _break(line: Any, problem: str) -> Break:
    return Break(line.id, line.at, line.actor, line.action, problem)


def _check_line(line: Any, prev_id: int | None, prev_hash: str) -> Break | None:
    """One line against the one before it: its link, then its own content."""
    before = f"line {prev_id}" if prev_id is not None else "the start of the log"
    if line.prev_hash != prev_hash:
        return _break(
            line,
            f"its prev_hash does not match the hash of {before}: a line between them was deleted, "
            f"{before} was altered, or this line was inserted",
        )
    if line_hash(line, prev_hash) != line.hash:
        return _break(line, "its content does not match its hash: the line was altered")
    return None


def _check_head(session: Session, last: Any, last_hash: str) -> Break | None:
    """The chain head must name the last line: a head further on means lines were cut from the end."""
    head = session.get(AuditChainHead, 1)
    last_id = last.id if last is not None else 0
    at, actor, action = (last.at, last.actor, last.action) if last is not None else (None, "", "")
    if head is None:
        return Break(last_id, at, actor, action, "the chain head (audit_chain_head) is missing")
    if head.last_id != last_id or head.last_hash != last_hash:
        return Break(
            last_id,
            at,
            actor,
            action,
            f"the chain head names line {head.last_id} but the log ends at line "
            f"{last_id}: lines after it were deleted, or lines were added outside the chain",
        )
    return None


def verify(session: Session) -> Verdict:
    """Walk the whole log in id order and check every link and hash, then the head. Rows are plain result rows read
    as a stream (a server-side cursor on PostgreSQL), so memory stays flat however long the log is."""
    prev: Any = None
    prev_hash, checked = GENESIS, 0
    rows = session.execute(select(*LINE_COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=READ_BATCH))
    for line in rows:
        broken = _check_line(line, prev.id if prev is not None else None, prev_hash)
        if broken is not None:
            rows.close()
            return Verdict(checked, prev.id if prev is not None else 0, prev_hash, broken)
        checked += 1
        prev, prev_hash = line, line.hash
    return Verdict(checked, prev.id if prev is not None else 0, prev_hash, _check_head(session, prev, prev_hash))


def anchor_problem(session: Session, line_id: int, expected_hash: str) -> str | None:
    """Whether the line recorded earlier outside the database (its id and hash) is still in the chain as it was:
    None when it is, else what differs. Guards against a rewrite of the whole chain from some line onwards."""
    stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == line_id))
    if stored is None:
        return f"line {line_id} of the anchor is no longer in the log"
    if stored != expected_hash.strip().lower():
        return f"line {line_id} has hash {stored}, but the anchor recorded {expected_hash}: the chain was rewritten"
    return None
