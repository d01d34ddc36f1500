"""Migration 0006 on a registry with users and tokens from before it, on SQLite and PostgreSQL, up and down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from livecommerce.core import db
from livecommerce.core.settings import get_settings


def _alembic(settings, action: str, revision: str) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    getattr(command, action)(db._alembic_config(settings), revision)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_0006_gives_old_tokens_90_days_and_old_users_no_forced_change(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(tmp_path / "home"))
    if backend == "postgres":
        monkeypatch.setenv("LIVECOMMERCE_DATABASE_URL", request.getfixturevalue("pg_database"))
    else:
        monkeypatch.delenv("LIVECOMMERCE_DATABASE_URL", raising=False)
    (tmp_path / "home").mkdir()
    get_settings.cache_clear()
    db.dispose_engines()
    settings = get_settings()
    _alembic(settings, "upgrade", "0005")
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with db.get_engine(settings).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, can_view_personal_data, active, "
                "failed_logins, created_at) VALUES (1, 'douyin', '', 'platform', 'x', false, true, 2, :at)"
            ),
            {"at": created},
        )
        connection.execute(
            text("INSERT INTO api_tokens (id, name, token_hash, user_id, created_at) VALUES (1, 'feed', :hash, 1, :at)"),
            {"hash": "a" * 64, "at": created},
        )
    _alembic(settings, "upgrade", "0006")
    with db.get_engine(settings).connect() as connection:
        must_change = connection.execute(text("SELECT must_change_password FROM users")).scalar_one()
        expires = connection.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
        attempts = connection.execute(text("SELECT count(*) FROM login_attempts")).scalar_one()
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(str(expires))
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert not must_change and attempts == 0
    assert timedelta(days=89, hours=23) < expires - datetime.now(UTC) <= timedelta(days=90)
    _alembic(settings, "downgrade", "0005")
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(text("SELECT failed_logins FROM users")).scalar_one() == 0
        assert connection.execute(text("SELECT name FROM api_tokens")).scalar_one() == "feed"
    db.dispose_engines()
    get_settings.cache_clear()
