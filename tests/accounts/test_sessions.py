"""Login sessions (idle timeout, logout) and API tokens (shown once, stored hashed, revocable)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from livecommerce.accounts import sessions
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import ApiToken, AuditEntry, LoginSession, User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now


def start(user: User) -> tuple[str, str]:
    with session_scope() as session:
        return sessions.start_session(session, user, "127.0.0.1 pytest")


def resolve(token: str) -> tuple[User, LoginSession] | None:
    with session_scope() as session:
        return sessions.resolve_session(session, token)


def idle_for(token: str, minutes: float) -> None:
    """Pretend the session's last request was this many minutes ago."""
    with session_scope() as session:
        login = session.scalar(select(LoginSession).where(LoginSession.token_hash == sessions.token_hash(token)))
        assert login is not None
        login.last_seen_at = now() - timedelta(minutes=minutes)


def test_only_the_hash_of_the_cookie_is_stored(admin: User) -> None:
    token, csrf = start(admin)
    with session_scope() as session:
        stored = session.scalars(select(LoginSession.token_hash)).all()
    assert stored == [sessions.token_hash(token)] and token not in stored
    found = resolve(token)
    assert found is not None and found[0].id == admin.id and found[1].csrf_token == csrf


def test_a_session_idle_just_under_the_limit_lives(admin: User, registry_home: Settings) -> None:
    token, _ = start(admin)
    idle_for(token, registry_home.session_idle_minutes - 0.5)
    assert resolve(token) is not None


def test_a_session_idle_over_the_limit_ends(admin: User, registry_home: Settings) -> None:
    token, _ = start(admin)
    idle_for(token, registry_home.session_idle_minutes + 0.5)
    assert resolve(token) is None
    idle_for(token, 0)
    assert resolve(token) is None  # ended for good, not only while idle


def test_logout_ends_the_session_and_is_audited(admin: User) -> None:
    token, _ = start(admin)
    with session_scope() as session:
        sessions.end_session(session, token, "127.0.0.1 pytest")
    assert resolve(token) is None
    with session_scope() as session:
        assert session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "logout")).all() == ["admin"]


def test_unknown_cookie_resolves_to_nobody(admin: User) -> None:
    assert resolve("not-a-token") is None


def test_api_token_is_shown_once_stored_hashed_and_revocable(
    admin_actor: UserActor, make_user: Callable[..., User]
) -> None:
    feed = make_user("douyin", "platform")
    with session_scope() as session:
        token = sessions.issue_token(session, admin_actor, feed.id, "抖音数据推送")
    with session_scope() as session:
        row = session.scalar(select(ApiToken))
        assert row is not None and row.token_hash == sessions.token_hash(token) and token not in row.token_hash
        found = sessions.resolve_token(session, token)
        assert found is not None and found[0].username == "douyin"
        sessions.revoke_token(session, admin_actor, row.id)
    with session_scope() as session:
        assert sessions.resolve_token(session, token) is None
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "api_token")).all()
    assert actions == ["tokens.issue", "tokens.revoke"]
