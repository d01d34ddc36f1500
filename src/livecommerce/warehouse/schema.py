"""Tables of the warehouse: one fact table per warehouse feed (columns from the feeds' contracts, feeds.py),
the batches with their provenance, and the quarantine of rejected rows.

The DDL is idempotent (CREATE ... IF NOT EXISTS) and versioned in ``warehouse_meta`` so that later changes can be
applied in order, as Alembic does for the registry.
"""

from __future__ import annotations

import duckdb

from livecommerce.core.settings import Settings, get_settings
from livecommerce.warehouse import rollups
from livecommerce.warehouse.engine import connect
from livecommerce.warehouse.feeds import FEEDS
from livecommerce.warehouse.snapshot import read_pointer

SQL_TYPES = {
    "text": "VARCHAR",
    "code6": "VARCHAR",
    "region": "VARCHAR",
    "uscc": "VARCHAR",
    "bool": "BOOLEAN",
    "money": "DECIMAL(18,2)",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,3)",
    "timestamp": "TIMESTAMP",  # Asia/Shanghai wall time (DESIGN.md: Time)
    "date": "DATE",
}


def ident(name: str) -> str:
    """A SQL identifier (double-quoted)."""
    return '"' + name.replace('"', '""') + '"'


def sql_type(column_type: str) -> str:
    """The DuckDB type that stores a feed column type."""
    return "VARCHAR" if column_type.startswith("code:") else SQL_TYPES[column_type]


def fact_ddl(feed_name: str) -> str:
    """CREATE TABLE for the fact table of a warehouse feed, plus the batch that last wrote each row."""
    feed = FEEDS[feed_name]
    columns = [f"{ident(c.name)} {sql_type(c.type)}" + (" NOT NULL" if c.name in feed.key else "") for c in feed.columns]
    columns.append("batch_id VARCHAR NOT NULL")
    return f"CREATE TABLE IF NOT EXISTS {feed.name} (\n  " + ",\n  ".join(columns) + "\n)"


BOOKKEEPING = (
    """CREATE TABLE IF NOT EXISTS warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS batches (
        batch_id VARCHAR PRIMARY KEY, feed VARCHAR NOT NULL, source_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        actor VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL,
        rows_read BIGINT NOT NULL, rows_accepted BIGINT NOT NULL, rows_rejected BIGINT NOT NULL,
        rows_replaced BIGINT NOT NULL, rows_unchanged BIGINT NOT NULL, status VARCHAR NOT NULL,
        ignored_columns VARCHAR NOT NULL DEFAULT '', message VARCHAR NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS batch_files (
        batch_id VARCHAR NOT NULL, file_index INTEGER NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        file_format VARCHAR NOT NULL, encoding VARCHAR NOT NULL, rows_read BIGINT NOT NULL)""",
    # version 2: a batch's notes, in order (ingest.retired: retired region codes stored as their successor's)
    """CREATE TABLE IF NOT EXISTS batch_notes (
        batch_id VARCHAR NOT NULL, position INTEGER NOT NULL, note VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        batch_id VARCHAR NOT NULL, feed VARCHAR NOT NULL, file_name VARCHAR NOT NULL, row_number BIGINT NOT NULL,
        problems STRUCT("column" VARCHAR, "value" VARCHAR, rule VARCHAR)[] NOT NULL,
        raw JSON NOT NULL, resolved_by VARCHAR)""",
)

SCHEMA_VERSION = "2"  # 2: batch_notes


def ensure_warehouse(settings: Settings | None = None) -> None:
    """Create the warehouse file and its tables if they are not there.

    When the read snapshot already holds every table at the current versions, the file is not opened for writing:
    a process that starts while an ingest writes (a CLI query, a server) must not wait for the writer's lock.
    """
    settings = settings or get_settings()
    if settings.warehouse_file.exists() and _snapshot_complete(settings):
        return
    with connect(settings) as connection:
        for statement in BOOKKEEPING:
            connection.execute(statement)
        for feed in FEEDS.values():
            if feed.target == "warehouse":
                connection.execute(fact_ddl(feed.name))
        connection.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        rollups.ensure(connection)


def expected_tables() -> set[str]:
    """Every table the warehouse holds: bookkeeping, one per warehouse feed, and the rollups."""
    facts = {feed.name for feed in FEEDS.values() if feed.target == "warehouse"}
    return {
        "warehouse_meta",
        "batches",
        "batch_files",
        "batch_notes",
        "quarantine",
        "shop_daily_uncovered",
        *facts,
        *(r.name for r in rollups.ROLLUPS),
    }


def _snapshot_complete(settings: Settings) -> bool:
    """Whether the newest read snapshot has every table and the current schema and rollup versions: as its pointer
    says (a publisher records them), else as the snapshot file says when opened."""
    pointer = read_pointer(settings)
    if pointer is None:
        return False
    if pointer.tables is not None and pointer.meta is not None:
        tables, meta = set(pointer.tables), pointer.meta
        if not pointer.file.exists():
            return False
    else:
        try:
            with duckdb.connect(str(pointer.file), read_only=True) as connection:
                tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
                meta = dict(connection.execute("SELECT key, value FROM warehouse_meta").fetchall()) if "warehouse_meta" in tables else {}
        except duckdb.Error:
            return False
    return (
        expected_tables() <= tables
        and meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("rollup_version") == rollups.ROLLUP_VERSION
    )
