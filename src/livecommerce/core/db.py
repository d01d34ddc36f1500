"""Registry database sessions (SQLAlchemy 2): SQLite file by default, PostgreSQL when configured.

Alembic migrations in migrations/ are applied on first use of a home; ``ensure_home`` is what every command calls.
A package that keeps something of its own in the home (the warehouse: its DuckDB file and tables) registers an
initialiser with ``on_new_home``, so that core, below every package, calls it without importing it (DESIGN.md: The
flow).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from livecommerce.core.settings import Settings, get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every registry table."""

    metadata = MetaData(naming_convention=NAMING)


MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(settings: Settings | None = None) -> Engine:
    """The engine of the registry database of these settings."""
    return _engine((settings or get_settings()).registry_url)


def dispose_engines() -> None:
    """Close every pooled connection (tests switch homes)."""
    _engine.cache_clear()
    _sessionmakers.clear()


def _alembic_config(settings: Settings) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.registry_url.replace("%", "%%"))
    return config


_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(None|'([^']*)'|\"([^\"]*)\")\s*$", re.M)


def _head_revision() -> str | None:
    """The one head of migrations/versions, read from the files' ``revision`` lines without importing Alembic
    (about 0.4 s of every command's start); None when they do not form one plain line of revisions."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = {m.group(1): m.group(3) or m.group(4) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _at_head(settings: Settings) -> bool:
    """Whether the registry is at the head revision already (checked without Alembic)."""
    head = _head_revision()
    if head is None:
        return False
    try:
        with get_engine(settings).connect() as connection:
            return bool(connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head)
    except SQLAlchemyError:  # a new registry has no alembic_version yet
        return False


def migrate(settings: Settings | None = None) -> None:
    """Bring the registry schema to the newest migration (a no-op when it is there already)."""
    settings = settings or get_settings()
    if _at_head(settings):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config(settings)
    head = ScriptDirectory.from_config(config).get_current_head()
    with get_engine(settings).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        command.upgrade(config, "head")


_initialised: set[str] = set()  # homes, and "home|initialiser" pairs, done in this process
_initialisers: dict[str, Callable[[Settings], None]] = {}


def on_new_home(name: str, initialise: Callable[[Settings], None]) -> None:
    """Register what ``ensure_home`` also does for every home, after the migrations (idempotent, as they are).

    An initialiser registered after a home was first used runs on the next ``ensure_home`` of that home.
    """
    _initialisers[name] = initialise


def ensure_home(settings: Settings | None = None) -> Settings:
    """Create the data home, apply migrations and run the registered initialisers, once per process per home."""
    settings = settings or get_settings()
    key = f"{settings.home}|{settings.registry_url}|{settings.warehouse_file}"
    if key not in _initialised:
        for directory in (settings.home, settings.uploads_dir, settings.exports_dir):
            directory.mkdir(parents=True, exist_ok=True)
        migrate(settings)
        _initialised.add(key)
    for name, initialise in list(_initialisers.items()):
        if f"{key}|{name}" not in _initialised:
            initialise(settings)
            _initialised.add(f"{key}|{name}")
    return settings


def forget_initialised() -> None:
    """Tests that delete a home call this so the next use initialises it again."""
    _initialised.clear()


_sessionmakers: dict[str, sessionmaker[Session]] = {}


def session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to the registry of these settings."""
    settings = settings or get_settings()
    url = settings.registry_url
    if url not in _sessionmakers:
        _sessionmakers[url] = sessionmaker(get_engine(settings), expire_on_commit=False)
    return _sessionmakers[url]


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
