"""Login sessions (登录会话) of the web console and API tokens (接口令牌) of feeds and scripts.

Only the sha256 of a cookie or bearer token is stored; the plaintext is handed out once. A session ends after
``session_idle_minutes`` without a request, ``session_max_hours`` after login however busy (settings), at logout,
when its user is deactivated or its password is reset or changed elsewhere. A token lives until its ``expires_at``
(``token_default_days`` unless told, at most 365 days), until revoked, or until its user is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.accounts.models import ApiToken, LoginSession, User
from livecommerce.accounts.service import MANAGE, get_user, list_users
from livecommerce.core.errors import LiveCommerceError, NotFound, ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.settings import get_settings
from livecommerce.core.timeutil import aware, now

TOKEN_PREFIX = "lc_"
MAX_TOKEN_DAYS = 365
LAST_USED_PRECISION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token


class TokenRefused(LiveCommerceError):
    """A bearer token that does not let its holder in, with the reason in Chinese and English (answered as 401)."""


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its id, the plaintext (shown this once) and when it expires."""

    id: int
    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """The stored form of a cookie or bearer token: its sha256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, client: str = "") -> tuple[str, str]:
    """Open a login session; returns (cookie token, CSRF token), of which only the cookie's hash is kept."""
    cookie_token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_hash(cookie_token),
            csrf_token=csrf_token,
            user_id=user.id,
            created_at=now(),
            last_seen_at=now(),
            client=client[:200],
        )
    )
    session.flush()
    return cookie_token, csrf_token


def _session_over(login: LoginSession) -> bool:
    """Whether a session has been idle too long or lived past its absolute lifetime."""
    settings = get_settings()
    moment = now()
    idle = moment - aware(login.last_seen_at) > timedelta(minutes=settings.session_idle_minutes)
    return idle or moment - aware(login.created_at) > timedelta(hours=settings.session_max_hours)


def resolve_session(session: Session, token: str) -> tuple[User, LoginSession] | None:
    """The user and session of a cookie token, refreshing last_seen_at; None when unknown, ended, idle, too old or
    its user inactive."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if login is None or login.ended_at is not None:
        return None
    user = session.get(User, login.user_id)
    if user is None or not user.active or _session_over(login):
        login.ended_at = now()
        session.flush()
        return None
    login.last_seen_at = now()
    return user, login


def end_session(session: Session, token: str, client: str = "") -> None:
    """Log out: end the session of this cookie token (a no-op for an unknown or ended one); audited."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if login is None or login.ended_at is not None:
        return
    login.ended_at = now()
    user = session.get(User, login.user_id)
    audit.record(session, user.username if user else "", "logout", "user", str(login.user_id), client=client)


def token_days(expires_days: int | None) -> int:
    """Days a new token lives: the given number (1 to 365) or settings.token_default_days."""
    days = get_settings().token_default_days if expires_days is None else expires_days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(f"a token lives 1 to {MAX_TOKEN_DAYS} days, got {days} (令牌有效期须为1至365天)")
    return days


def issue_token(session: Session, actor: Actor, user_id: int, name: str, expires_days: int | None = None, client: str = "") -> IssuedToken:
    """A new API token acting as this user (users.manage); the plaintext is returned once, its sha256 kept; audited."""
    ensure(actor, MANAGE)
    user = get_user(session, actor, user_id)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("a token needs a name of 1-100 characters (令牌名称须为1至100个字符)")
    if not user.active:
        raise ValidationFailed(f"user {user.username} is deactivated: activate it first (用户已停用，不能签发令牌)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now() + timedelta(days=token_days(expires_days))
    row = ApiToken(
        name=name, token_hash=token_hash(token), user_id=user.id, created_at=now(), created_by=actor.name[:64], expires_at=expires_at
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.name,
        "tokens.issue",
        "api_token",
        str(row.id),
        None,
        {"user": user.username, "name": name, "expires_at": expires_at},
        client=client,
    )
    return IssuedToken(row.id, token, expires_at)


def check_token(session: Session, token: str) -> tuple[User, ApiToken]:
    """The user and token row of a bearer token, noting its use (at most once a minute); TokenRefused saying why
    when it is unknown, revoked, expired, or its user deactivated."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        raise TokenRefused("invalid API token (令牌无效)")
    if row.revoked_at is not None:
        raise TokenRefused("API token revoked (令牌已吊销)")
    moment = now()
    if aware(row.expires_at) <= moment:
        day = aware(row.expires_at).strftime("%Y-%m-%d %H:%M UTC")
        raise TokenRefused(f"API token expired at {day}; ask for a new one (令牌已于 {day} 过期，请重新申请)")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise TokenRefused("the token's user is deactivated (令牌所属用户已停用)")
    if row.last_used_at is None or moment - aware(row.last_used_at) >= LAST_USED_PRECISION:
        row.last_used_at = moment
    return user, row


def resolve_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The user and token row of a bearer token, or None when check_token refuses it."""
    try:
        return check_token(session, token)
    except TokenRefused:
        return None


def token_state(row: ApiToken) -> str:
    """有效 / 已过期 / 已吊销 as a code: active, expired or revoked."""
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if aware(row.expires_at) <= now() else "active"


def list_tokens(session: Session, actor: Actor, user_id: int | None = None) -> list[tuple[ApiToken, User]]:
    """Tokens (with their users) of one user, or of every user the actor may manage, newest first; never the
    plaintext."""
    users = [get_user(session, actor, user_id)] if user_id is not None else list_users(session, actor)
    by_id = {user.id: user for user in users}
    if not by_id:
        return []
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id.in_(by_id)).order_by(ApiToken.id.desc()))
    return [(row, by_id[row.user_id]) for row in rows]


def get_token(session: Session, actor: Actor, token_id: int) -> tuple[ApiToken, User]:
    """One token and its user, if the actor may manage that user (NotFound otherwise)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("no such token (令牌不存在)")
    try:
        return row, get_user(session, actor, row.user_id)
    except NotFound:
        raise NotFound("no such token (令牌不存在)") from None


def revoke_token(session: Session, actor: Actor, token_id: int, client: str = "") -> ApiToken:
    """Revoke an API token (users.manage over its user); revoking a revoked token changes nothing; audited."""
    ensure(actor, MANAGE)
    row, user = get_token(session, actor, token_id)
    before = {"user": user.username, "name": row.name, "revoked_at": row.revoked_at}
    if row.revoked_at is None:
        row.revoked_at = now()
    audit.record(
        session,
        actor.name,
        "tokens.revoke",
        "api_token",
        str(row.id),
        before,
        {"user": user.username, "name": row.name, "revoked_at": row.revoked_at},
        client=client,
    )
    return row
