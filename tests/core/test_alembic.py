"""The registry's migrations: one head, and head → base → head leaves exactly the tables the models declare, with no
difference autogenerate would write, on SQLite and on a real PostgreSQL server (a database of its own, dropped after)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import livecommerce.models  # noqa: F401  (registers every table on Base.metadata, as migrations/env.py does)
from livecommerce.core import db

ROOT = Path(__file__).resolve().parents[2]


def _config(url: str | None = None) -> Config:
    """alembic.ini as a developer runs `alembic` from the repository root, its script location made absolute."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / config.get_main_option("script_location", "")))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def test_one_head_and_it_is_the_scripts_the_app_migrates_with() -> None:
    scripts = ScriptDirectory.from_config(_config())
    assert len(scripts.get_heads()) == 1, f"more than one head: {scripts.get_heads()} (merge them)"
    # The app migrates from core.db.MIGRATIONS_DIR; alembic.ini must point at the same scripts.
    assert Path(scripts.dir).resolve() == db.MIGRATIONS_DIR.resolve()
    assert scripts.get_current_head() == "0007"


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


# migrations/versions/0007_audit_chain.py: the audit log is append-only by triggers, which the models cannot declare.
AUDIT_TRIGGERS = {
    "sqlite": {"audit_log_no_update", "audit_log_no_delete", "audit_chain_head_no_delete", "audit_chain_head_forward"},
    "postgres": {"audit_log_no_change", "audit_log_no_truncate", "audit_chain_head_no_change", "audit_chain_head_no_truncate"},
}


def _triggers(url: str) -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if url.startswith("sqlite")
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), db.Base.metadata))
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_downgrade_upgrade_gives_the_models_tables(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = request.getfixturevalue("pg_database") if backend == "postgres" else f"sqlite:///{tmp_path / 'registry.sqlite'}"
    config = _config(url)
    declared = set(db.Base.metadata.tables)
    assert {"users", "api_tokens", "entities", "policy_runs", "monitor_alerts", "audit_log"} <= declared

    command.upgrade(config, "head")
    assert _tables(url) == declared | {"alembic_version"}
    assert _triggers(url) == AUDIT_TRIGGERS[backend]

    command.downgrade(config, "base")
    assert _tables(url) == {"alembic_version"}, "a downgrade left tables behind"
    assert _triggers(url) == set()

    command.upgrade(config, "head")
    assert _tables(url) == declared | {"alembic_version"}
    assert _triggers(url) == AUDIT_TRIGGERS[backend]
    assert _differences(url) == [], "the models and the migrations disagree: write a migration"
