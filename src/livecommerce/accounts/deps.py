"""FastAPI dependencies of every route: the database session, who is asking (cookie session or bearer token), CSRF.

Routes read ``def page(db: DbSession, actor: CurrentActor)``. Anonymous requests get 401 under /api/ and a
redirect to /login elsewhere. ``require_csrf`` is applied to the whole app (web/app.py): every POST, PUT, PATCH
and DELETE made with a session cookie must carry its CSRF token; bearer-token requests are exempt.
A user whose password was set by someone else (``must_change_password``) is sent to 修改密码 from every page and
answered 403 by every API route but PASSWORD_CHANGE_PATHS until it has chosen its own; API tokens are not affected.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from livecommerce.accounts import sessions
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import User
from livecommerce.accounts.service import actor_for
from livecommerce.core.db import session_factory
from livecommerce.core.settings import Settings, get_settings

SESSION_COOKIE = "lc_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHANGE_PASSWORD_PAGE = "/account/password"
PASSWORD_CHANGE_PATHS = frozenset({CHANGE_PASSWORD_PAGE, "/api/auth/password", "/api/auth/me", "/api/auth/logout", "/logout"})
MUST_CHANGE = "password must be changed first: POST /api/auth/password (首次登录或密码被重置后须先修改密码)"


def app_settings(request: Request) -> Settings:
    """The settings the app was created with (create_app(settings)), else the process's."""
    return getattr(request.app.state, "settings", None) or get_settings()


def get_db(request: Request) -> Iterator[Session]:
    """One registry session per request, committed before the response is sent, rolled back on error."""
    session = session_factory(app_settings(request))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db, scope="function")]


@dataclass(frozen=True)
class Authenticated:
    """Who sent a request: the actor, its user row, the name to show, and the session's CSRF token (None for a
    bearer token). Error pages render after the request's session is closed, so they use ``display_name``."""

    actor: UserActor
    user: User
    csrf_token: str | None
    display_name: str = ""
    login_id: int | None = None  # the login session's id (None for a bearer token)
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User, csrf_token: str | None, login_id: int | None = None) -> Authenticated:
        must_change = login_id is not None and user.must_change_password
        return cls(actor_for(user), user, csrf_token, user.display_name or user.username, login_id, must_change)


def client_of(request: Request) -> str:
    """Address and browser of a request, as the audit log keeps them."""
    host = request.client.host if request.client else ""
    return f"{host} {request.headers.get('user-agent', '')[:150]}".strip()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def _authenticated(request: Request, db: DbSession) -> Authenticated | None:
    """Resolve the bearer token or the session cookie of a request (an invalid bearer token is a 401)."""
    auth: Authenticated | None = None
    token = _bearer(request)
    if token is not None:
        try:
            user, _row = sessions.check_token(db, token)
        except sessions.TokenRefused as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
        auth = Authenticated.of(user, None)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        found = sessions.resolve_session(db, cookie)
        if found is not None:
            auth = Authenticated.of(found[0], found[1].csrf_token, found[1].id)
    # The bookkeeping just written (last seen, last used, a session ended) is committed now: on SQLite it would
    # otherwise hold the write lock for the whole request, and a login's throttle, which commits in a transaction
    # of its own, would wait on it (30 s, then "database is locked").
    db.commit()
    request.state.auth = auth
    return auth


Auth = Annotated[Authenticated | None, Depends(_authenticated)]


def login_url(request: Request) -> str:
    """/login with the page asked for as ``next``."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='/')}"


def _optional_actor(auth: Auth) -> UserActor | None:
    return auth.actor if auth else None


def _current_actor(request: Request, auth: Auth) -> UserActor:
    """The actor of a request; 401 for the API, a redirect to /login for pages; a user who must change its password
    first is sent to 修改密码 (pages) or answered 403 (API)."""
    if auth is not None:
        if auth.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
            if request.url.path.startswith("/api/"):
                raise HTTPException(403, MUST_CHANGE)
            raise HTTPException(303, MUST_CHANGE, headers={"Location": CHANGE_PASSWORD_PAGE, "HX-Redirect": CHANGE_PASSWORD_PAGE})
        return auth.actor
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "login required (请先登录)", headers={"WWW-Authenticate": "Bearer"})
    target = login_url(request)
    raise HTTPException(303, "login required (请先登录)", headers={"Location": target, "HX-Redirect": target})


OptionalActor = Annotated[UserActor | None, Depends(_optional_actor)]
CurrentActor = Annotated[UserActor, Depends(_current_actor)]


def _current_user(auth: Auth, actor: CurrentActor) -> User:
    assert auth is not None  # CurrentActor has refused anonymous requests
    return auth.user


CurrentUser = Annotated[User, Depends(_current_user)]


async def require_csrf(request: Request, auth: Auth) -> None:
    """Refuse a write made with a session cookie unless it carries the session's CSRF token (form field or header)."""
    if request.method not in UNSAFE_METHODS or auth is None or auth.csrf_token is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), auth.csrf_token.encode()):
        request.state.refusal = "csrf"  # web/errors.py audits the 403 as action "csrf" (not "denied")
        raise HTTPException(403, "CSRF token missing or wrong (请求校验失败，请刷新页面后重试)")


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure unless settings.cookie_secure is off."""
    secure = app_settings(request).cookie_secure
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=app_settings(request).cookie_secure)
