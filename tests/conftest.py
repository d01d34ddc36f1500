"""Shared fixtures: a fresh data home per test, and the registry on SQLite or on a real PostgreSQL server.

PostgreSQL: set LIVECOMMERCE_TEST_PG_DSN (e.g. postgresql+psycopg://lc:lc@127.0.0.1/lc); .ci/run starts Debian's
server and sets it. Each test that asks for ``registry_backend`` == "postgres" gets a database of its own.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import livecommerce.warehouse  # noqa: F401  (registers the warehouse with core.db.on_new_home, as the CLI and the app do)
from livecommerce.core import db
from livecommerce.core.settings import Settings, get_settings

PG_DSN = os.environ.get("LIVECOMMERCE_TEST_PG_DSN")
# Rich sizes CLI output to the terminal; test workers (pytest-xdist) have none, so give every run the same width.
os.environ["COLUMNS"] = "200"


def _use_home(home: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(home))
    monkeypatch.setenv("LIVECOMMERCE_COOKIE_SECURE", "false")
    if database_url:
        monkeypatch.setenv("LIVECOMMERCE_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("LIVECOMMERCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("LIVECOMMERCE_CONFIG", raising=False)
    get_settings.cache_clear()
    db.dispose_engines()
    db.forget_initialised()
    return db.ensure_home(get_settings())


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised SQLite home per test run; each test gets a copy (migrating costs about half a second)."""
    path = tmp_path_factory.mktemp("template") / "home"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_home(path, None, monkeypatch)
    db.dispose_engines()
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_home: Path) -> Iterator[Settings]:
    """A new, initialised data home on SQLite (migrations applied, warehouse created)."""
    shutil.copytree(template_home, tmp_path / "home")
    settings = _use_home(tmp_path / "home", None, monkeypatch)
    yield settings
    db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own on the server of LIVECOMMERCE_TEST_PG_DSN, dropped afterwards."""
    if not PG_DSN:
        pytest.skip("LIVECOMMERCE_TEST_PG_DSN is not set: no PostgreSQL server to test on (CI always sets it)")
    server = make_url(PG_DSN)
    name = f"lc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        db.dispose_engines()
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Any, name: str) -> None:
    """Drop a test database. FORCE ends our own leftover sessions, but not an autovacuum worker that the server
    may have started on it (a non-superuser may not end those): wait for it a little and try again."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture(params=["sqlite", "postgres"])
def registry_home(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A data home whose registry is SQLite or a real PostgreSQL database: registry tests run on both."""
    url = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    settings = _use_home(tmp_path / "home", url, monkeypatch)
    yield settings
    db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def session(registry_home: Settings) -> Iterator[Any]:
    """A registry session on the backend of ``registry_home`` (SQLite, then PostgreSQL), rolled back afterwards."""
    registry = db.session_factory(registry_home)()
    try:
        yield registry
    finally:
        registry.rollback()
        registry.close()
