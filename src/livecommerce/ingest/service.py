"""Ingest service: one call loads one batch of files of one feed — read, validate, quarantine, upsert — as one
transaction of the warehouse (DESIGN.md: Bad input, Idempotence).

The work is done by DuckDB in a few set-based statements over a staging table, so that validation of every rule
costs about as much as reading the file: see bench/ingest.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from livecommerce.core.db import ensure_home, session_scope
from livecommerce.core.errors import LiveCommerceError, UnreadableInput
from livecommerce.core.faults import pause_point
from livecommerce.core.scope import Actor, ensure, restrict_sql
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.ingest.feeds import FEEDS, Feed
from livecommerce.ingest.headers import HeaderMap, map_headers
from livecommerce.ingest.readers import Source, is_encoding_error, open_source
from livecommerce.ingest.rules import Check, CompiledFeed, ident, scope_check
from livecommerce.warehouse.engine import connect

Progress = Callable[[str, int, int], None]
_WRITER = threading.Lock()  # one batch at a time per process: DuckDB allows one writing transaction per table

# Which columns of each feed say where a row belongs, for scope checks (core.scope.restrict_sql).
SCOPE_COLUMNS: dict[str, tuple[str | None, str | None]] = {
    "orders": ("seller_region", "seller_uscc"),
    "shop_daily": ("seller_region", "seller_uscc"),
    "live_sessions": ("seller_region", None),
    "parcels": ("origin_region", None),
    "entities": ("region", "uscc"),
    "shops": ("region", "uscc"),
    "streamers": ("region", "uscc"),
    "bases": ("region", "operator_uscc"),
}
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


def ingest(feed_name: str, paths: Sequence[Path], actor: Actor, *, strict: bool = False, fmt: str | None = None,
           sheet: str | None = None, source_names: Sequence[str] | None = None,
           progress: Progress | None = None) -> BatchResult:
    """Load files of one feed as one batch; rejected rows go to the quarantine with their reasons."""
    feed = _feed(feed_name)
    ensure(actor, "ingest.write")
    settings = ensure_home()
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


def _audit(settings: Settings, actor: Actor, result: BatchResult, names: list[str]) -> None:
    """Every load is a write: one audit line with the batch's figures (DESIGN.md: Every write)."""
    from livecommerce.accounts.audit import record

    figures = {k: getattr(result, k) for k in ("feed", "read", "accepted", "rejected", "replaced", "unchanged",
                                                "status")}
    with session_scope(settings) as session:
        record(session, actor.name, "ingest", "batch", result.batch, None, figures | {"files": names},
               outcome="ok" if result.status in ("loaded", "partial") else result.status)


def ingest_records(feed_name: str, records: Sequence[Mapping[str, Any]], actor: Actor, *, source_name: str,
                   strict: bool = False) -> BatchResult:
    """Load rows pushed as JSON (a platform's feed) exactly as a JSON-lines file of the same rows would load."""
    settings = ensure_home()
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", dir=settings.home / "tmp", delete=False,
                                         encoding="utf-8")
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


def _run_batch(con: duckdb.DuckDBPyConnection, settings: Settings, feed: Feed, sources: list[Source],
               maps: list[HeaderMap], actor: Actor, result: BatchResult, strict: bool, started: datetime,
               progress: Progress | None) -> None:
    """Stage and check in connection-local TEMP tables, then write quarantine, facts and the batch in one transaction.

    TEMP tables live outside the database file, so staging before BEGIN changes nothing durable; it keeps their
    rowids in file order, which is how a rejected row's number in its file is known.
    """
    report = progress or (lambda stage, done, total: None)
    result.ignored_columns = sorted({h for m in maps for h in m.ignored})
    with _WRITER:
        starts, compiled = _stage(con, feed, sources, maps, actor, report, ordered=False)
        result.read = starts[-1]
        result.rejected, distinct_keys = _settle(con, feed, compiled)
        result.accepted = result.read - result.rejected
        if result.rejected:
            _rejects(con, sources, compiled)
        load = not (strict and result.rejected) and result.accepted > 0
        in_batch = result.accepted - distinct_keys if load else 0
        if in_batch:  # "the later row wins" needs file order: stage again, this time keeping it
            _, again = _stage(con, feed, sources, maps, actor, report, ordered=True)
            _settle(con, feed, again)
            in_batch = result.accepted - _distinct_keys(con, feed)  # exact, where _settle counted hashes
        if load:
            _final(con, feed, in_batch)
        con.execute("BEGIN TRANSACTION")
        try:
            if result.rejected:
                con.execute("INSERT INTO quarantine SELECT ?, ?, file_name, row_number, problems, raw, NULL FROM rejects",
                            [result.batch, feed.name])
            result.problems = _problem_lines(con, result.batch)
            if strict and result.rejected:
                result.status, result.accepted = "refused", 0
                result.message = f"--strict: {result.rejected} rows rejected, nothing loaded"
            elif result.read and not result.accepted:
                result.status, result.message = "rejected", "every row was rejected, nothing loaded"
            else:
                report("写入", 0, result.accepted)
                replaced, result.unchanged = _upsert(con, settings, feed, actor, result.batch) if load else (0, 0)
                result.replaced = replaced + (in_batch if load else 0)
                result.status = "partial" if result.rejected else "loaded"
            file_rows = [after - before for before, after in zip(starts, starts[1:], strict=False)]
            _record_batch(con, feed, sources, actor, result, started, file_rows)
            pause_point("ingest.before_commit")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    report("完成", result.read, result.read)


def _stage(con: duckdb.DuckDBPyConnection, feed: Feed, sources: list[Source], maps: list[HeaderMap],
           actor: Actor, report: Progress, *, ordered: bool) -> tuple[list[int], list[CompiledFeed]]:
    """Typed rows in TEMP table stage with a __bad flag; returns the cumulative row count before each file.

    Unordered staging runs in parallel and is the common case; ``ordered`` keeps file order in rowid, which only
    the rare batch that repeats a key needs (the later row wins).
    """
    con.execute(f"SET preserve_insertion_order = {'true' if ordered else 'false'}")
    try:
        return _stage_files(con, feed, sources, maps, actor, report)
    finally:
        con.execute("SET preserve_insertion_order = true")


def _stage_files(con: duckdb.DuckDBPyConnection, feed: Feed, sources: list[Source], maps: list[HeaderMap],
                 actor: Actor, report: Progress) -> tuple[list[int], list[CompiledFeed]]:
    starts, compiled = [0], []
    extra = _scope_checks(feed, actor)
    for index, (src, header_map) in enumerate(zip(sources, maps, strict=True)):
        report(f"读取 {src.name}", index, len(sources))
        feed_sql = CompiledFeed(feed, header_map.columns, list(extra), src.types)
        compiled.append(feed_sql)
        try:
            _stage_one(con, feed_sql, src, index)
        except (duckdb.InvalidInputException, duckdb.IOException) as exc:  # a parse error, not a bug of ours
            if not (src.format == "csv" and src.encoding == "utf-8" and is_encoding_error(exc)):
                raise UnreadableInput(f"file {src.name}: cannot be read as {src.format} ({_first_line(exc)})") from exc
            src.fall_back_to_gb18030()
            if index == 0:
                con.execute("DROP TABLE IF EXISTS stage")
            else:
                con.execute("DELETE FROM stage WHERE __file = ?", [index])
            try:
                _stage_one(con, CompiledFeed(feed, header_map.columns, list(extra), src.types), src, index)
            except (duckdb.InvalidInputException, duckdb.IOException) as again:
                raise UnreadableInput(f"file {src.name}: cannot be read as {src.format} ({_first_line(again)})") from again
        starts.append(con.execute("SELECT count(*) FROM stage").fetchone()[0])  # type: ignore[index]
    if feed.name in OWNER_COLUMNS:
        _check_owners(con, feed, compiled)
    return starts, compiled


OWNER_COLUMNS = {"shops": "uscc", "streamers": "uscc", "bases": "operator_uscc"}
UNKNOWN_OWNER = "names an entity that is not in the registry (主体库中无此统一社会信用代码); load the entity first"


def _check_owners(con: duckdb.DuckDBPyConnection, feed: Feed, compiled: list[CompiledFeed]) -> None:
    """Shops, streamers and bases must name a registered entity: the others are rejected with the reason."""
    from livecommerce.entities.service import registered_usccs

    column = OWNER_COLUMNS[feed.name]
    wanted = [row[0] for row in con.execute(f"SELECT DISTINCT {ident(column)} FROM stage "
                                            f"WHERE {ident(column)} IS NOT NULL AND NOT __bad").fetchall()]
    with session_scope() as session:
        known = registered_usccs(session, wanted)
    con.execute("CREATE OR REPLACE TEMP TABLE known_owners AS SELECT unnest(CAST(? AS VARCHAR[])) AS uscc",
                [sorted(known)])
    value = ident("v_" + column)
    check = Check(column, f"{value} IS NOT NULL AND {value} NOT IN (SELECT uscc FROM known_owners)", UNKNOWN_OWNER,
                  f"CAST({value} AS VARCHAR)")
    for feed_sql in compiled:
        feed_sql.extra.append(check)
    con.execute(f"UPDATE stage SET __bad = TRUE WHERE {ident(column)} IS NOT NULL AND NOT __bad "
                f"AND {ident(column)} NOT IN (SELECT uscc FROM known_owners)")


def _stage_one(con: duckdb.DuckDBPyConnection, feed_sql: CompiledFeed, src: Source, index: int) -> None:
    select = feed_sql.stage_select(src.relation, index)
    con.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {select}" if index == 0 else f"INSERT INTO stage {select}")


def _settle(con: duckdb.DuckDBPyConnection, feed: Feed, compiled: list[CompiledFeed]) -> tuple[int, int]:
    """Apply the deferred rules and count (rejected rows, distinct hashes of the accepted rows' keys), in one scan.

    A deferred rule (the USCC check digit) is tested once per distinct value rather than once per row: a province's
    orders repeat a few thousand sellers millions of times. Counting distinct key hashes is cheaper than counting
    keys and can only err low (a collision), so "as many hashes as rows" proves that no key repeats.
    """
    deferred = compiled[0].deferred_checks() if compiled else []
    keys = ", ".join(ident(k) for k in feed.key)
    counts = f"count(*) FILTER (__bad), count(DISTINCT hash({keys})) FILTER (NOT __bad)"
    values = "".join(f", list(DISTINCT {ident(c.column)}) FILTER ({ident(c.column)} IS NOT NULL AND NOT __bad)"
                     for c in deferred)
    row = con.execute(f"SELECT {counts}{values} FROM stage").fetchone()
    assert row is not None
    flagged = False
    for check, distinct in zip(deferred, row[2:], strict=True):
        broken = con.execute(f"SELECT list(u) FROM unnest(CAST(? AS VARCHAR[])) t(u) WHERE {check.over('u')}",
                             [distinct or []]).fetchone()[0]  # type: ignore[index]
        if broken:
            con.execute(f"UPDATE stage SET __bad = TRUE WHERE {ident(check.column)} IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                        [broken])
            flagged = True
    if flagged:
        row = con.execute(f"SELECT {counts} FROM stage").fetchone()
        assert row is not None
    return int(row[0]), int(row[1])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:400]


def _scope_checks(feed: Feed, actor: Actor) -> list[Check]:
    """A row outside the actor's scope is rejected with its reason (core.scope: default deny)."""
    region_col, entity_col = SCOPE_COLUMNS[feed.name]
    condition = restrict_sql(actor, "ingest.write", ident("v_" + region_col) if region_col else None,
                             ident("v_" + entity_col) if entity_col else None)
    if condition == "TRUE":
        return []
    return [scope_check(condition, region_col or entity_col or "")]


def _rejects(con: duckdb.DuckDBPyConnection, sources: list[Source], compiled: list[CompiledFeed]) -> None:
    """TEMP table rejects: each rejected row, whole and as the file had it, with its file, row number and problems.

    The file is read again in order (rowid = record number) and every rule evaluated with its details; this costs
    a second pass, paid only by batches that have rejected rows.
    """
    con.execute("""CREATE OR REPLACE TEMP TABLE rejects (file_name VARCHAR, row_number BIGINT,
                   problems STRUCT("column" VARCHAR, "value" VARCHAR, rule VARCHAR)[], raw JSON)""")
    for index, src in enumerate(sources):
        if not con.execute("SELECT count(*) FROM stage WHERE __file = ? AND __bad", [index]).fetchone()[0]:  # type: ignore[index]
            continue
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS SELECT * FROM {src.relation}")
        numbered = "(SELECT rowid AS __rid, to_json(r) AS __raw, r.* FROM raw_rows r)"
        problems = compiled[index].problems_select(numbered, ", __rid, __raw")
        con.execute(f"""INSERT INTO rejects SELECT ?, __rid + 1 + {src.header_rows}, problems, __raw
                        FROM ({problems}) WHERE len(problems) > 0 ORDER BY __rid""", [src.name])
    con.execute("DROP TABLE IF EXISTS raw_rows")


def _problem_lines(con: duckdb.DuckDBPyConnection, batch: str, limit: int = 20) -> list[str]:
    rows = con.execute(
        """SELECT file_name, row_number, p."column", p."value", p.rule
           FROM (SELECT file_name, row_number, unnest(problems) AS p FROM quarantine WHERE batch_id = ?)
           ORDER BY file_name, row_number LIMIT ?""",
        [batch, limit],
    ).fetchall()
    return [f"file {f}, row {r}, column {c}, value {v!r}: {rule}" for f, r, c, v, rule in rows]


def _distinct_keys(con: duckdb.DuckDBPyConnection, feed: Feed) -> int:
    keys = ", ".join(ident(k) for k in feed.key)
    return int(con.execute(f"SELECT count(DISTINCT ({keys})) FROM stage WHERE NOT __bad").fetchone()[0])  # type: ignore[index]


def _final(con: duckdb.DuckDBPyConnection, feed: Feed, in_batch: int) -> None:
    """final: the accepted rows, only the last of each natural key when the batch repeats keys."""
    keys = ", ".join(ident(k) for k in feed.key)
    columns = ", ".join(ident(c.name) for c in feed.columns)
    con.execute("DROP VIEW IF EXISTS final")
    con.execute("DROP TABLE IF EXISTS final")
    if in_batch:
        latest = f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY rowid DESC) = 1"
        con.execute(f"CREATE TEMP TABLE final AS SELECT {columns} FROM stage WHERE NOT __bad {latest}")
    else:
        con.execute(f"CREATE TEMP VIEW final AS SELECT {columns} FROM stage WHERE NOT __bad")


def _upsert(con: duckdb.DuckDBPyConnection, settings: Settings, feed: Feed, actor: Actor, batch: str
            ) -> tuple[int, int]:
    """Natural-key upsert of table final: returns (rows that replaced a different earlier row, rows identical to one).

    An identical row is left as it was (its batch_id too): loading the same file twice rewrites nothing.
    """
    if feed.target == "warehouse":
        return _upsert_facts(con, feed, batch)
    return _upsert_registry(con, settings, feed, actor)


def _upsert_facts(con: duckdb.DuckDBPyConnection, feed: Feed, batch: str) -> tuple[int, int]:
    target = ident(feed.name)
    on = " AND ".join(f"t.{ident(k)} = f.{ident(k)}" for k in feed.key)
    same = " AND ".join(f"t.{ident(c.name)} IS NOT DISTINCT FROM f.{ident(c.name)}"
                        for c in feed.columns if c.name not in feed.key)
    existing = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]  # type: ignore[index]
    if existing:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE changes AS
                        SELECT f.*, t.{ident(feed.key[0])} IS NOT NULL AS __existed, coalesce({same}, FALSE) AS __same
                        FROM final f LEFT JOIN {target} t ON {on}""")
        replaced, unchanged = con.execute(
            "SELECT count(*) FILTER (__existed AND NOT __same), count(*) FILTER (__same) FROM changes").fetchone()  # type: ignore[misc]
        key_match = " AND ".join(f"{target}.{ident(k)} = c.{ident(k)}" for k in feed.key)
        con.execute(f"DELETE FROM {target} USING changes c WHERE {key_match} AND c.__existed AND NOT c.__same")
        source = "changes WHERE NOT __same"
    else:
        replaced = unchanged = 0
        source = "final"
    columns = ", ".join(ident(c.name) for c in feed.columns)
    con.execute("SET preserve_insertion_order = false")  # facts have no order; staging needed it, this does not
    try:
        con.execute(f"INSERT INTO {target} ({columns}, batch_id) SELECT {columns}, ? FROM {source}", [batch])
    finally:
        con.execute("SET preserve_insertion_order = true")
    return int(replaced), int(unchanged)


def _upsert_registry(con: duckdb.DuckDBPyConnection, settings: Settings, feed: Feed, actor: Actor) -> tuple[int, int]:
    """Registry feeds (entities, shops, streamers, bases) go to the registry database through entities.service.

    The registry commits just before the warehouse records the batch; a crash between the two leaves the rows loaded
    and the batch unrecorded, and loading the file again changes nothing (the upsert is idempotent).
    """
    from livecommerce.entities import service as registry

    cursor = con.execute("SELECT * FROM final")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    with session_scope(settings) as session:
        counts = registry.upsert_rows(session, feed.name, rows, actor)
    return counts.replaced, counts.unchanged


def _combined_sha(sources: Sequence[Source]) -> str:
    if len(sources) == 1:
        return sources[0].sha256
    return hashlib.sha256("".join(src.sha256 for src in sources).encode()).hexdigest()


BATCH_COLUMNS = ("batch_id, feed, source_name, sha256, actor, started_at, finished_at, rows_read, rows_accepted, "
                 "rows_rejected, rows_replaced, rows_unchanged, status, ignored_columns, message")


def _record_batch(con: duckdb.DuckDBPyConnection, feed: Feed, sources: Sequence[Source], actor: Actor,
                  result: BatchResult, started: datetime, file_rows: Sequence[int] = ()) -> None:
    """The batch's provenance: id, sources with sha256, rows read / accepted / rejected / replaced, who, when."""
    finished = datetime.now(SHANGHAI).replace(tzinfo=None)
    con.execute(
        f"INSERT INTO batches ({BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.batch, feed.name, ", ".join(src.name for src in sources), _combined_sha(sources), actor.name,
         started, finished, result.read, result.accepted, result.rejected, result.replaced, result.unchanged,
         result.status, ", ".join(result.ignored_columns), result.message],
    )
    for index, src in enumerate(sources):
        rows = file_rows[index] if index < len(file_rows) else 0
        con.execute("INSERT INTO batch_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [result.batch, index, src.name, src.sha256, src.format, src.encoding, rows])


def _record_failure(con: duckdb.DuckDBPyConnection, feed: Feed, sources: Sequence[Source], paths: Sequence[Path],
                    actor: Actor, result: BatchResult, started: datetime, message: str) -> None:
    """An unreadable batch loads nothing, but its attempt is recorded with the reason."""
    result.status, result.message, result.problems = "failed", message, [message]
    result.read = result.accepted = result.rejected = result.replaced = result.unchanged = 0
    named = list(sources) or [Source(path=Path(p), name=Path(p).name, format="", encoding="")
                              for p in paths]
    _record_batch(con, feed, named, actor, result, started)
