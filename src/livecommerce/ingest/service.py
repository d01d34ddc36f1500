"""Ingest service: one call loads one batch of files of one feed — read, validate, quarantine, then hand the accepted
rows to the warehouse's one load path (warehouse.load) — as one transaction of the warehouse (DESIGN.md: Bad input,
Idempotence).

The work is done by DuckDB in a few set-based statements over a staging table, so that validation of every rule
costs about as much as reading the file: see bench/ingest.py.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from livecommerce.core.db import ensure_home, session_scope
from livecommerce.core.errors import LiveCommerceError, UnreadableInput
from livecommerce.core.faults import pause_point
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.ingest import retired
from livecommerce.ingest.headers import HeaderMap, map_headers
from livecommerce.ingest.readers import Source, open_source
from livecommerce.ingest.staging import (
    NotClean,
    Progress,
    clean_columnar,
    distinct_keys,
    loaded_clean,
    one_pass_select,
    problem_lines,
    rejects,
    settle,
    stage,
)
from livecommerce.ingest.upsert import final_rows, upsert
from livecommerce.warehouse.engine import connect
from livecommerce.warehouse.feeds import FEEDS, Feed
from livecommerce.warehouse.load import batch_transaction, load
from livecommerce.warehouse.schema import ident

_WRITER = threading.Lock()  # one batch at a time per process: DuckDB allows one writing transaction per table

EXIT_OK, EXIT_UNLOADED, EXIT_PARTIAL = 0, 2, 3


@dataclass
class BatchResult:
    """What one batch did: the figures of the CLI's JSON and the first problems, readable."""

    batch: str
    feed: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    replaced: int = 0
    unchanged: int = 0
    status: str = "loaded"  # loaded | partial | rejected | refused | failed
    message: str = ""
    problems: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was stored otherwise than written: retired regions mapped

    @property
    def exit_code(self) -> int:
        """0 every row accepted; 3 loaded with some rows rejected; 2 nothing loaded."""
        if self.status in ("failed", "refused", "rejected"):
            return EXIT_UNLOADED
        return EXIT_PARTIAL if self.rejected else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def new_batch_id() -> str:
    """A batch id that sorts by time: B20250131-163000-1a2b3c."""
    return f"B{datetime.now(SHANGHAI):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def ingest(
    feed_name: str,
    paths: Sequence[Path],
    actor: Actor,
    *,
    strict: bool = False,
    fmt: str | None = None,
    sheet: str | None = None,
    source_names: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Load files of one feed as one batch; rejected rows go to the quarantine with their reasons."""
    feed = _feed(feed_name)
    ensure(actor, "ingest.write")
    settings = ensure_home()
    _import_audit_beside()
    result = BatchResult(batch=new_batch_id(), feed=feed.name)
    started = datetime.now(SHANGHAI).replace(tzinfo=None)
    temp_dir = Path(tempfile.mkdtemp(prefix="ingest-", dir=settings.home / "tmp"))
    sources: list[Source] = []
    try:
        with connect(settings) as con:
            try:
                for index, path in enumerate(paths):
                    name = source_names[index] if source_names else None
                    sources.append(open_source(con, Path(path), temp_dir, fmt=fmt, sheet=sheet, name=name))
                maps = [map_headers(feed, src.headers, src.name) for src in sources]
                _run_batch(con, settings, feed, sources, maps, actor, result, strict, started, progress)
            except UnreadableInput as exc:
                _record_failure(con, feed, sources, paths, actor, result, started, str(exc))
    finally:
        for src in sources:
            src.cleanup()
        shutil.rmtree(temp_dir, ignore_errors=True)
    _audit(settings, actor, result, [src.name for src in sources] or [Path(p).name for p in paths])
    return result


AUDIT_MODULE = "livecommerce.accounts.audit"


def _import_audit_beside() -> None:
    """Import the audit module on a thread of its own while DuckDB reads the batch: it is needed only at the end, and
    importing it (the registry's models, the export writer and openpyxl) takes about half a second of one core, which
    DuckDB's workers, outside the GIL, leave partly idle. ``_audit``'s import waits for it if it is not done."""
    if AUDIT_MODULE not in sys.modules:
        threading.Thread(target=importlib.import_module, args=(AUDIT_MODULE,), name="import-audit", daemon=True).start()


def _audit(settings: Settings, actor: Actor, result: BatchResult, names: list[str]) -> None:
    """Every load is a write: one audit line with the batch's figures (DESIGN.md: Every write)."""
    from livecommerce.accounts.audit import record

    figures = {k: getattr(result, k) for k in ("feed", "read", "accepted", "rejected", "replaced", "unchanged", "status")}
    with session_scope(settings) as session:
        record(
            session,
            actor.name,
            "ingest",
            "batch",
            result.batch,
            None,
            figures | {"files": names},
            outcome="ok" if result.status in ("loaded", "partial") else result.status,
        )


def ingest_records(
    feed_name: str, records: Sequence[Mapping[str, Any]], actor: Actor, *, source_name: str, strict: bool = False
) -> BatchResult:
    """Load rows pushed as JSON (a platform's feed) exactly as a JSON-lines file of the same rows would load."""
    settings = ensure_home()
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", dir=settings.home / "tmp", delete=False, encoding="utf-8")
    with handle:
        for record in records:
            handle.write(json.dumps({k: _json_text(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
    try:
        return ingest(feed_name, [Path(handle.name)], actor, strict=strict, fmt="jsonl", source_names=[source_name])
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _json_text(value: Any) -> Any:
    """Pushed numbers keep their exact digits: they travel as text, as a CSV cell would."""
    return value if value is None or isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _feed(name: str) -> Feed:
    if name not in FEEDS:
        raise LiveCommerceError(f"unknown feed {name!r}: one of {', '.join(FEEDS)}")
    return FEEDS[name]


def _run_batch(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    feed: Feed,
    sources: list[Source],
    maps: list[HeaderMap],
    actor: Actor,
    result: BatchResult,
    strict: bool,
    started: datetime,
    progress: Progress | None,
) -> None:
    """Stage and check in connection-local TEMP tables, then write quarantine, facts and the batch in one transaction.

    TEMP tables live outside the database file, so staging before BEGIN changes nothing durable; it keeps their
    rowids in file order, which is how a rejected row's number in its file is known.
    """
    report = progress or (lambda stage, done, total: None)
    result.ignored_columns = sorted({h for m in maps for h in m.ignored})
    with _WRITER:
        clean = clean_columnar(con, feed, sources, maps, actor)
        if clean is not None:
            file_rows, select, result.notes = clean
            _load_clean(con, feed, sources, actor, result, started, file_rows, select)
            report("完成", result.read, result.read)
            return
        if _load_in_one_pass(con, feed, sources, maps, actor, result, started, report):
            report("完成", result.read, result.read)
            return
        starts, compiled = stage(con, feed, sources, maps, actor, report, ordered=False)
        result.read = starts[-1]
        result.rejected, key_hashes, mapped = settle(con, feed, compiled)
        result.accepted = result.read - result.rejected
        if result.rejected:
            rejects(con, sources, compiled)
        loading = not (strict and result.rejected) and result.accepted > 0
        notes = retired.locate(con, sources, compiled, mapped) if loading and mapped else []
        in_batch = result.accepted - key_hashes if loading else 0
        if in_batch:  # "the later row wins" needs file order: stage again, this time keeping it
            _, again = stage(con, feed, sources, maps, actor, report, ordered=True)
            settle(con, feed, again)
            in_batch = result.accepted - distinct_keys(con, feed)  # exact, where settle counted hashes
        if loading:
            final_rows(con, feed, in_batch)
        with batch_transaction(con):
            if result.rejected:
                con.execute(
                    "INSERT INTO quarantine SELECT ?, ?, file_name, row_number, problems, raw, NULL FROM rejects", [result.batch, feed.name]
                )
            result.problems = problem_lines(con, result.batch)
            if strict and result.rejected:
                result.status, result.accepted = "refused", 0
                result.message = f"--strict: {result.rejected} rows rejected, nothing loaded"
            elif result.read and not result.accepted:
                result.status, result.message = "rejected", "every row was rejected, nothing loaded"
            else:
                report("写入", 0, result.accepted)
                replaced, result.unchanged = upsert(con, settings, feed, actor, result.batch) if loading else (0, 0)
                result.replaced = replaced + (in_batch if loading else 0)
                result.status = "partial" if result.rejected else "loaded"
                result.notes = notes
            file_rows = [after - before for before, after in zip(starts, starts[1:], strict=False)]
            _record_batch(con, feed, sources, actor, result, started, file_rows)
            pause_point("ingest.before_commit")
    report("完成", result.read, result.read)


def _load_clean(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    sources: list[Source],
    actor: Actor,
    result: BatchResult,
    started: datetime,
    file_rows: list[int],
    select: str,
) -> None:
    """A batch that breaks no rule and repeats no stored key: loaded straight from its files, in one transaction."""
    result.read = result.accepted = sum(file_rows)
    result.status = "loaded"
    with batch_transaction(con):
        load(con, feed, select, result.batch, fresh=True)
        _record_batch(con, feed, sources, actor, result, started, file_rows)
        pause_point("ingest.before_commit")


def _load_in_one_pass(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    sources: list[Source],
    maps: list[HeaderMap],
    actor: Actor,
    result: BatchResult,
    started: datetime,
    report: Progress,
) -> bool:
    """A batch of one file (not Parquet: see clean_columnar) into a fact table, read, checked and loaded in one pass
    when it is clean; False when it is not — a rule broken, a key repeated or stored already, a retired region named,
    or a file DuckDB cannot read as declared — and then nothing of the attempt stays: the batch is staged, and
    staging finds and reports what it was.
    """
    if feed.target != "warehouse" or len(sources) != 1 or sources[0].format == "parquet":
        return False
    report(f"读取 {sources[0].name}", 0, 1)
    select, deferred = one_pass_select(feed, sources[0], maps[0], actor)
    stored = bool(con.execute(f"SELECT count(*) FROM {ident(feed.name)}").fetchone()[0])  # type: ignore[index]
    try:
        with batch_transaction(con):
            load(con, feed, select, result.batch, fresh=True)
            result.read = result.accepted = loaded_clean(con, feed, result.batch, deferred, stored)
            result.status = "loaded"
            _record_batch(con, feed, sources, actor, result, started, [result.read])
            pause_point("ingest.before_commit")
    except (NotClean, duckdb.Error):
        result.read = result.accepted = 0
        return False
    return True


def _combined_sha(sources: Sequence[Source]) -> str:
    if len(sources) == 1:
        return sources[0].sha256
    return hashlib.sha256("".join(src.sha256 for src in sources).encode()).hexdigest()


BATCH_COLUMNS = (
    "batch_id, feed, source_name, sha256, actor, started_at, finished_at, rows_read, rows_accepted, "
    "rows_rejected, rows_replaced, rows_unchanged, status, ignored_columns, message"
)


def _record_batch(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    sources: Sequence[Source],
    actor: Actor,
    result: BatchResult,
    started: datetime,
    file_rows: Sequence[int] = (),
) -> None:
    """The batch's provenance: id, sources with sha256, rows read / accepted / rejected / replaced, who, when."""
    finished = datetime.now(SHANGHAI).replace(tzinfo=None)
    con.execute(
        f"INSERT INTO batches ({BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.batch,
            feed.name,
            ", ".join(src.name for src in sources),
            _combined_sha(sources),
            actor.name,
            started,
            finished,
            result.read,
            result.accepted,
            result.rejected,
            result.replaced,
            result.unchanged,
            result.status,
            ", ".join(result.ignored_columns),
            result.message,
        ],
    )
    for position, note in enumerate(result.notes):
        con.execute("INSERT INTO batch_notes VALUES (?, ?, ?)", [result.batch, position, note])
    for index, src in enumerate(sources):
        rows = file_rows[index] if index < len(file_rows) else 0
        con.execute(
            "INSERT INTO batch_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [result.batch, index, src.name, src.sha256, src.format, src.encoding, rows],
        )


def _record_failure(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    sources: Sequence[Source],
    paths: Sequence[Path],
    actor: Actor,
    result: BatchResult,
    started: datetime,
    message: str,
) -> None:
    """An unreadable batch loads nothing, but its attempt is recorded with the reason."""
    result.status, result.message, result.problems = "failed", message, [message]
    result.read = result.accepted = result.rejected = result.replaced = result.unchanged = 0
    named = list(sources) or [Source(path=Path(p), name=Path(p).name, format="", encoding="") for p in paths]
    _record_batch(con, feed, named, actor, result, started)
