"""Staging (暂存): a batch's files read, typed and checked in connection-local TEMP tables before anything durable is
written; the rejected rows' details; the deferred rules and the counts that decide what the batch does."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from livecommerce.core.db import session_scope
from livecommerce.core.errors import UnreadableInput
from livecommerce.core.scope import Actor, restrict_sql
from livecommerce.ingest import retired
from livecommerce.ingest.headers import HeaderMap
from livecommerce.ingest.readers import Source, csv_error, is_encoding_error
from livecommerce.ingest.rules import RETIRED_PREFIX, Check, CompiledFeed, scope_check
from livecommerce.warehouse.feeds import SCOPE_COLUMNS, Feed
from livecommerce.warehouse.schema import ident

Progress = Callable[[str, int, int], None]


def stage(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    sources: list[Source],
    maps: list[HeaderMap],
    actor: Actor,
    report: Progress,
    *,
    ordered: bool,
) -> tuple[list[int], list[CompiledFeed]]:
    """Typed rows in TEMP table stage with a __bad flag; returns the cumulative row count before each file.

    Unordered staging runs in parallel and is the common case; ``ordered`` keeps file order in rowid, which only
    the rare batch that repeats a key needs (the later row wins).
    """
    con.execute(f"SET preserve_insertion_order = {'true' if ordered else 'false'}")
    try:
        return _stage_files(con, feed, sources, maps, actor, report)
    finally:
        con.execute("SET preserve_insertion_order = true")


def _stage_files(
    con: duckdb.DuckDBPyConnection, feed: Feed, sources: list[Source], maps: list[HeaderMap], actor: Actor, report: Progress
) -> tuple[list[int], list[CompiledFeed]]:
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
                raise UnreadableInput(_unreadable(src, exc)) from exc
            src.fall_back_to_gb18030()
            if index == 0:
                con.execute("DROP TABLE IF EXISTS stage")
            else:
                con.execute("DELETE FROM stage WHERE __file = ?", [index])
            try:
                _stage_one(con, CompiledFeed(feed, header_map.columns, list(extra), src.types), src, index)
            except (duckdb.InvalidInputException, duckdb.IOException) as again:
                raise UnreadableInput(_unreadable(src, again)) from again
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
    wanted = [
        row[0]
        for row in con.execute(f"SELECT DISTINCT {ident(column)} FROM stage WHERE {ident(column)} IS NOT NULL AND NOT __bad").fetchall()
    ]
    with session_scope() as session:
        known = registered_usccs(session, wanted)
    con.execute("CREATE OR REPLACE TEMP TABLE known_owners AS SELECT unnest(CAST(? AS VARCHAR[])) AS uscc", [sorted(known)])
    value = ident("v_" + column)
    check = Check(
        column, f"{value} IS NOT NULL AND {value} NOT IN (SELECT uscc FROM known_owners)", UNKNOWN_OWNER, f"CAST({value} AS VARCHAR)"
    )
    for feed_sql in compiled:
        feed_sql.extra.append(check)
    con.execute(
        f"UPDATE stage SET __bad = TRUE WHERE {ident(column)} IS NOT NULL AND NOT __bad "
        f"AND {ident(column)} NOT IN (SELECT uscc FROM known_owners)"
    )


def _stage_one(con: duckdb.DuckDBPyConnection, feed_sql: CompiledFeed, src: Source, index: int) -> None:
    select = feed_sql.stage_select(src.relation, index)
    con.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {select}" if index == 0 else f"INSERT INTO stage {select}")


def settle(con: duckdb.DuckDBPyConnection, feed: Feed, compiled: list[CompiledFeed]) -> tuple[int, int, list[retired.RetiredRegion]]:
    """Apply the deferred rules and count (rejected rows, distinct hashes of the accepted rows' keys, accepted rows
    that name a retired region), in one scan.

    A deferred rule (the USCC check digit) is tested once per distinct value rather than once per row: a province's
    orders repeat a few thousand sellers millions of times. Counting distinct key hashes is cheaper than counting
    keys and can only err low (a collision), so "as many hashes as rows" proves that no key repeats.
    """
    deferred = compiled[0].deferred_checks() if compiled else []
    keys = ", ".join(ident(k) for k in feed.key)
    counts = f"count(*) FILTER (__bad), count(DISTINCT hash({keys})) FILTER (NOT __bad){retired.aggregates(feed)}"
    values = "".join(f", list(DISTINCT {ident(c.column)}) FILTER ({ident(c.column)} IS NOT NULL AND NOT __bad)" for c in deferred)
    row = con.execute(f"SELECT {counts}{values} FROM stage").fetchone()
    assert row is not None
    flagged, regions = False, 2 + len(retired.region_columns(feed))
    for check, distinct in zip(deferred, row[regions:], strict=True):
        broken = con.execute(f"SELECT list(u) FROM unnest(CAST(? AS VARCHAR[])) t(u) WHERE {check.over('u')}", [distinct or []]).fetchone()[
            0
        ]  # type: ignore[index]
        if broken:
            con.execute(f"UPDATE stage SET __bad = TRUE WHERE {ident(check.column)} IN (SELECT unnest(CAST(? AS VARCHAR[])))", [broken])
            flagged = True
    if flagged:
        row = con.execute(f"SELECT {counts} FROM stage").fetchone()
        assert row is not None
    return int(row[0]), int(row[1]), retired.read(feed, row[2:regions])


def _unreadable(src: Source, exc: Exception) -> str:
    """Why DuckDB could not read a file, naming the file (and for CSV, the row)."""
    if src.format in ("csv", "xlsx"):  # an XLSX is read through the CSV it is streamed to
        return csv_error(src.name, exc)
    return f"file {src.name}: cannot be read as {src.format} ({_first_line(exc)})"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:400]


def _scope_checks(feed: Feed, actor: Actor) -> list[Check]:
    """A row outside the actor's scope is rejected with its reason (core.scope: default deny)."""
    region_col, entity_col = SCOPE_COLUMNS[feed.name]
    condition = restrict_sql(
        actor, "ingest.write", ident("v_" + region_col) if region_col else None, ident("v_" + entity_col) if entity_col else None
    )
    if condition == "TRUE":
        return []
    return [scope_check(condition, region_col or entity_col or "")]


def rejects(con: duckdb.DuckDBPyConnection, sources: list[Source], compiled: list[CompiledFeed]) -> None:
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
        con.execute(
            f"""INSERT INTO rejects SELECT ?, __rid + 1 + {src.header_rows}, problems, __raw
                        FROM ({problems}) WHERE len(problems) > 0 ORDER BY __rid""",
            [src.name],
        )
    con.execute("DROP TABLE IF EXISTS raw_rows")


def problem_lines(con: duckdb.DuckDBPyConnection, batch: str, limit: int = 20) -> list[str]:
    rows = con.execute(
        """SELECT file_name, row_number, p."column", p."value", p.rule
           FROM (SELECT file_name, row_number, unnest(problems) AS p FROM quarantine WHERE batch_id = ?)
           ORDER BY file_name, row_number LIMIT ?""",
        [batch, limit],
    ).fetchall()
    return [f"file {f}, row {r}, column {c}, value {v!r}: {rule}" for f, r, c, v, rule in rows]


def distinct_keys(con: duckdb.DuckDBPyConnection, feed: Feed) -> int:
    keys = ", ".join(ident(k) for k in feed.key)
    return int(con.execute(f"SELECT count(DISTINCT ({keys})) FROM stage WHERE NOT __bad").fetchone()[0])  # type: ignore[index]


def clean_columnar(
    con: duckdb.DuckDBPyConnection, feed: Feed, sources: list[Source], maps: list[HeaderMap], actor: Actor
) -> tuple[list[int], str, list[str]] | None:
    """For a batch of Parquet files only: when every row passes every rule, no key repeats and no key is stored
    already, the rows per file, the SELECT of the typed rows and the notes of retired regions met (ingest.retired);
    otherwise None (the batch is staged as usual).

    Such a batch — a platform's export — is inserted straight from its files: checking without writing and reading
    the columnar files a second time costs less than writing and reading a staging copy.
    """
    if feed.target != "warehouse" or not sources or any(src.format != "parquet" for src in sources):
        return None
    extra = _scope_checks(feed, actor)
    compiled = [CompiledFeed(feed, m.columns, list(extra), src.types) for src, m in zip(sources, maps, strict=True)]
    union = " UNION ALL ".join(f"({c.stage_select(src.relation, i)})" for i, (c, src) in enumerate(zip(compiled, sources, strict=True)))
    keys = ", ".join(ident(k) for k in feed.key)
    deferred = compiled[0].deferred_checks()
    per_file = "".join(f", count(*) FILTER (__file = {i})" for i in range(len(sources)))
    values = "".join(f", list(DISTINCT {ident(c.column)}) FILTER ({ident(c.column)} IS NOT NULL)" for c in deferred)
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (__bad), count(DISTINCT hash({keys})){per_file}{values}{retired.aggregates(feed)} FROM ({union})"
    ).fetchone()
    assert row is not None
    if row[1] or row[2] != row[0]:
        return None
    regions = 3 + len(sources) + len(deferred)
    for check, distinct in zip(deferred, row[3 + len(sources) : regions], strict=True):
        if con.execute(f"SELECT count(*) FROM unnest(CAST(? AS VARCHAR[])) t(u) WHERE {check.over('u')}", [distinct or []]).fetchone()[0]:  # type: ignore[index]
            return None
    target = ident(feed.name)
    if con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]:  # type: ignore[index]
        match = " AND ".join(f"t.{ident(k)} = s.{ident(k)}" for k in feed.key)
        overlap = con.execute(
            f"SELECT count(*) FROM (SELECT {keys} FROM ({union})) s WHERE EXISTS (SELECT 1 FROM {target} t WHERE {match})"
        ).fetchone()[0]  # type: ignore[index]
        if overlap:
            return None
    columns = ", ".join(ident(c.name) for c in feed.columns)
    notes = retired.locate(con, sources, compiled, retired.read(feed, row[regions:]))
    return [int(n) for n in row[3 : 3 + len(sources)]], f"SELECT {columns} FROM ({union})", notes


class NotClean(Exception):
    """A batch loaded in one pass broke a rule, repeats a key, meets a stored key or names a retired region."""


NOT_CLEAN = "livecommerce: a row is not clean, the batch is staged"


def one_pass_select(feed: Feed, src: Source, header_map: HeaderMap, actor: Actor) -> tuple[str, list[Check]]:
    """For a batch of one file into a fact table: the SELECT of its typed rows, which stops the statement (DuckDB's
    error()) at the first row that breaks a rule or names a retired region; and the deferred rules, tested after.

    A clean file — the common case — is then read, checked and written once: no staging table is filled and read
    again (on this VM fresh memory is slow to map, and a staged million rows is some 300 MB of it).
    """
    compiled = CompiledFeed(feed, header_map.columns, _scope_checks(feed, actor), src.types)
    stop = " OR ".join(["__bad", *(f"{ident(RETIRED_PREFIX + c)} IS NOT NULL" for c in retired.region_columns(feed))])
    columns = ", ".join(ident(c.name) for c in feed.columns)
    select = (
        f"SELECT {columns} FROM ({compiled.stage_select(src.relation, 0)}) WHERE CASE WHEN {stop} THEN error('{NOT_CLEAN}') ELSE TRUE END"
    )
    return select, compiled.deferred_checks()


def loaded_clean(con: duckdb.DuckDBPyConnection, feed: Feed, batch: str, deferred: list[Check], stored: bool) -> int:
    """After a one-pass load, inside its transaction: the rows loaded, or NotClean when a key repeats in the batch,
    a deferred rule is broken or (``stored``: the table had rows before) a key was stored already."""
    target, keys = ident(feed.name), ", ".join(ident(k) for k in feed.key)
    values = "".join(f", list(DISTINCT {ident(c.column)}) FILTER ({ident(c.column)} IS NOT NULL)" for c in deferred)
    row = con.execute(f"SELECT count(*), count(DISTINCT hash({keys})){values} FROM {target} WHERE batch_id = ?", [batch]).fetchone()
    assert row is not None
    if row[1] != row[0]:  # a repeated key (or two keys of one hash): the later row must win, in file order
        raise NotClean("a key repeats")
    for check, distinct in zip(deferred, row[2:], strict=True):
        if con.execute(f"SELECT count(*) FROM unnest(CAST(? AS VARCHAR[])) t(u) WHERE {check.over('u')}", [distinct or []]).fetchone()[0]:  # type: ignore[index]
            raise NotClean(check.rule)
    if stored:
        match = " AND ".join(f"t.{ident(k)} = n.{ident(k)}" for k in feed.key)
        if con.execute(
            f"SELECT count(*) FROM {target} n WHERE n.batch_id = ? AND EXISTS (SELECT 1 FROM {target} t WHERE {match} AND t.batch_id <> ?)",
            [batch, batch],
        ).fetchone()[0]:  # type: ignore[index]
            raise NotClean("a key is stored already")
    return int(row[0])
