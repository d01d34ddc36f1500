"""Login sessions (登录会话) of the web console and API tokens (接口令牌) of feeds and scripts.

Only the sha256 of a cookie or bearer token is stored; the plaintext is handed out once. A session ends after
``session_idle_minutes`` without a request (settings), at logout, or when its user is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.accounts.models import ApiToken, LoginSession, User
from livecommerce.accounts.service import MANAGE, get_user
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.settings import get_settings
from livecommerce.core.timeutil import aware, now

TOKEN_PREFIX = "lc_"


def token_hash(token: str) -> str:
    """The stored form of a cookie or bearer token: its sha256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, client: str = "") -> tuple[str, str]:
    """Open a login session; returns (cookie token, CSRF token), of which only the cookie's hash is kept."""
    cookie_token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(cookie_token), csrf_token=csrf_token, user_id=user.id,
                             created_at=now(), last_seen_at=now(), client=client[:200]))
    session.flush()
    return cookie_token, csrf_token


def resolve_session(session: Session, token: str) -> tuple[User, LoginSession] | None:
    """The user and session of a cookie token, refreshing last_seen_at; None when unknown, ended, idle or inactive."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if login is None or login.ended_at is not None:
        return None
    user = session.get(User, login.user_id)
    idle_limit = timedelta(minutes=get_settings().session_idle_minutes)
    if user is None or not user.active or now() - aware(login.last_seen_at) > idle_limit:
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


def issue_token(session: Session, actor: Actor, user_id: int, name: str) -> str:
    """A new API token acting as this user (users.manage); the plaintext is returned once, its sha256 kept."""
    ensure(actor, MANAGE)
    user = get_user(session, actor, user_id)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("a token needs a name of 1-100 characters (令牌名称)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=token_hash(token), user_id=user.id, created_at=now())
    session.add(row)
    session.flush()
    audit.record(session, actor.name, "tokens.issue", "api_token", str(row.id), None,
                 {"user": user.username, "name": name})
    return token


def resolve_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The user and token row of a bearer token, noting its use; None when unknown, revoked or the user inactive."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = now()
    return user, row


def list_tokens(session: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    """The tokens of one user the actor may manage, newest first (hashes only, never the plaintext)."""
    user = get_user(session, actor, user_id)
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke an API token (users.manage over its user); audited."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("no such token (令牌不存在)")
    get_user(session, actor, row.user_id)
    before = {"name": row.name, "revoked_at": None}
    if row.revoked_at is None:
        row.revoked_at = now()
    audit.record(session, actor.name, "tokens.revoke", "api_token", str(row.id), before,
                 {"name": row.name, "revoked_at": row.revoked_at})
    return row
