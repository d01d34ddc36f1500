"""Engines that run the Ibis expressions: DuckDB over the warehouse file (the embedded default) and Apache Spark
through Ibis's PySpark backend (the scale-out path; DESIGN.md: Storage and engines).

Both expose the same tables by name: the fact tables, ``shop_daily_uncovered`` and the rollups. Spark reads them from
a Parquet export of the warehouse (`livecommerce stats export-parquet DIR`), one directory per table; in a deployment
that outgrows one machine the same directories live on shared storage and are written by the platforms' pipelines.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pandas as pd

from livecommerce.core.settings import Settings, get_settings
from livecommerce.warehouse.rollups import ROLLUPS

TABLES = ("orders", "shop_daily", "shop_daily_uncovered", "live_sessions", "parcels", *(r.name for r in ROLLUPS))


class Engine(Protocol):
    """What a query needs of an engine: its tables by name, and running an expression to a DataFrame."""

    name: str

    def table(self, name: str) -> ir.Table: ...

    def execute(self, expr: ir.Expr) -> pd.DataFrame: ...


class DuckDBEngine:
    """Queries on the warehouse file through one DuckDB connection (opened per use: see ``open_duckdb``)."""

    name = "duckdb"

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.backend = ibis.duckdb.from_connection(connection)
        self._tables: dict[str, ir.Table] = {}
        # compiled SQL may be kept per database file (query._SQL_CACHE)
        self.cache_scope = str(
            connection.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
        )

    def records(self, sql: str) -> list[dict[str, Any]]:
        """Rows of compiled SQL as dicts, DECIMAL as Decimal (exact), DATE as date."""
        cursor = self.connection.execute(sql)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def table(self, name: str) -> ir.Table:
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def execute(self, expr: ir.Expr) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = self.backend.execute(expr)
        return result if isinstance(result, pd.DataFrame) else pd.DataFrame({"value": [result]})


@contextmanager
def open_duckdb(settings: Settings | None = None) -> Iterator[DuckDBEngine]:
    """A DuckDB engine on the warehouse of this home, for the duration of a query."""
    from livecommerce.core.db import ensure_home
    from livecommerce.warehouse.engine import connect

    settings = settings or ensure_home()
    with connect(settings, read_only=True) as connection:  # the read snapshot: never waits for an ingest
        yield DuckDBEngine(connection)


class SparkEngine:
    """Queries on Spark (local[2] in CI, a cluster in production) over Parquet directories of the same tables."""

    name = "spark"

    def __init__(self, session: Any, parquet_dir: Path) -> None:
        self.session = session
        self.backend = ibis.pyspark.connect(session)
        self.parquet_dir = Path(parquet_dir)
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        if name not in self._tables:
            frame = self.session.read.parquet(str(self.parquet_dir / name))
            view = f"lc_{name}"
            frame.createOrReplaceTempView(view)
            self._tables[name] = self.backend.table(view)
        return self._tables[name]

    def execute(self, expr: ir.Expr) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            result = self.backend.execute(expr)
        return result if isinstance(result, pd.DataFrame) else pd.DataFrame({"value": [result]})


_SPARK_LOCK = threading.Lock()


def spark_session(master: str = "local[2]", app: str = "livecommerce") -> Any:
    """A Spark session in Asia/Shanghai; never fetches packages (no spark.jars.packages: DESIGN.md Testing notes)."""
    from pyspark.sql import SparkSession

    with _SPARK_LOCK:
        return (
            SparkSession.builder.master(master)
            .appName(app)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "Asia/Shanghai")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )


def export_parquet(directory: Path, settings: Settings | None = None) -> dict[str, int]:
    """Write every table the queries read to ``directory/<table>/data.parquet``; returns rows per table."""
    from livecommerce.warehouse.engine import connect

    settings = settings or get_settings()
    directory = Path(directory)
    counts: dict[str, int] = {}
    with connect(settings, read_only=True) as connection:
        for name in TABLES:
            target = directory / name
            target.mkdir(parents=True, exist_ok=True)
            connection.execute(f"COPY {name} TO '{(target / 'data.parquet').as_posix()}' (FORMAT parquet)")
            counts[name] = int(connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
    return counts
