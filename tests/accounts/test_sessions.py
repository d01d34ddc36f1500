"""Login sessions (idle timeout, logout) and API tokens (shown once, stored hashed, revocable)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from livecommerce.accounts import sessions
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import ApiToken, AuditEntry, LoginSession, User
from livecommerce.core.db import session_scope
from livecommerce.core.errors import NotFound, PermissionDenied
from livecommerce.core.scope import Grant
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


def test_api_token_is_shown_once_stored_hashed_and_revocable(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    feed = make_user("douyin", "platform")
    with session_scope() as session:
        token = sessions.issue_token(session, admin_actor, feed.id, "抖音数据推送").token
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


def test_a_busy_session_ends_at_its_absolute_lifetime(admin: User, registry_home: Settings) -> None:
    token, _ = start(admin)
    lifetime = timedelta(hours=registry_home.session_max_hours)
    with session_scope() as session:
        session.execute(update(LoginSession).values(created_at=now() - lifetime + timedelta(minutes=1)))
    assert resolve(token) is not None  # a minute short of the lifetime, just used
    with session_scope() as session:
        session.execute(update(LoginSession).values(created_at=now() - lifetime - timedelta(minutes=1)))
    assert resolve(token) is None  # never idle, but too old


def issue(actor: UserActor, user: User, days: int | None = None) -> sessions.IssuedToken:
    with session_scope() as session:
        return sessions.issue_token(session, actor, user.id, "抖音数据推送", days)


def test_a_token_expires_with_a_reason_in_chinese_and_english(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    issued = issue(admin_actor, make_user("douyin", "platform"), 1)
    with session_scope() as session:
        session.execute(update(ApiToken).values(expires_at=now() + timedelta(seconds=30)))
    with session_scope() as session:
        assert sessions.check_token(session, issued.token)[0].username == "douyin"
        session.execute(update(ApiToken).values(expires_at=now() - timedelta(seconds=1)))
    with session_scope() as session, pytest.raises(sessions.TokenRefused, match="API token expired at .*令牌已于"):
        sessions.check_token(session, issued.token)


def test_a_token_notes_its_last_use_and_lists_without_its_secret(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    feed = make_user("douyin", "platform")
    first, second = issue(admin_actor, feed), issue(admin_actor, feed, 365)
    with session_scope() as session:
        sessions.check_token(session, first.token)
    with session_scope() as session:
        listed = [
            (row.id, row.last_used_at is not None, sessions.token_state(row), row.created_by)
            for row, _user in sessions.list_tokens(session, admin_actor, feed.id)
        ]
    assert listed == [(second.id, False, "active", "admin"), (first.id, True, "active", "admin")]


def test_token_days_are_bounded(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    from livecommerce.core.errors import ValidationFailed

    feed = make_user("douyin", "platform")
    for days in (0, 366):
        with pytest.raises(ValidationFailed, match="1 to 365 days"):
            issue(admin_actor, feed, days)


def test_a_city_officer_cannot_list_or_revoke_another_citys_tokens(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    from livecommerce.accounts import service

    harbin = service.actor_for(make_user("hrb", "city_officer", scope_region="230100"))
    token = issue(admin_actor, make_user("qqhr", "city_officer", scope_region="230200"))
    with session_scope() as session:
        assert sessions.list_tokens(session, harbin) == []
        with pytest.raises(PermissionDenied, match="has no users.manage"):
            sessions.revoke_token(session, harbin, token.id)
        with pytest.raises(NotFound, match="no such token"):
            sessions.get_token(session, RegionManager("230100"), token.id)


class RegionManager:
    """A stand-in actor that may manage users of one region only: another region's token is not there for it."""

    name = "region-manager"

    def __init__(self, code: str) -> None:
        from livecommerce.reference.regions import regions

        self.regions = regions().descendants(code)

    def grant(self, action: str) -> Grant:
        return Grant(regions=self.regions, reason="test") if action == "users.manage" else Grant()
