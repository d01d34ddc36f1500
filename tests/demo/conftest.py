"""Generated demo provinces shared by the demo tests: generating takes seconds, so each is made once per session."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from livecommerce.demo.generator import generate
from livecommerce.demo.scales import get_scale


def _make(factory: pytest.TempPathFactory, scale: str, seed: int, name: str) -> Path:
    directory = factory.mktemp("demo") / name
    generate(get_scale(scale), seed, directory)
    return directory


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny province of seed 1."""
    return _make(tmp_path_factory, "tiny", 1, "tiny-seed1")


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small province of seed 1 (what `make demo` loads)."""
    return _make(tmp_path_factory, "small", 1, "small-seed1")


@pytest.fixture(scope="session")
def small_db(small: Path) -> duckdb.DuckDBPyConnection:
    """Views over the small province's files: orders (Parquet and the Chinese CSV), sessions, parcels, daily."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW orders AS SELECT * FROM read_parquet('{small}/orders-*.parquet')").fetchall()
    con.execute(f"CREATE VIEW live_sessions AS SELECT * FROM '{small}/live_sessions.parquet'").fetchall()
    con.execute(f"CREATE VIEW parcels AS SELECT * FROM read_parquet('{small}/parcels-*.parquet')").fetchall()
    return con
