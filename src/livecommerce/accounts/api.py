"""JSON routes of accounts: /api/auth (login, logout, me) and /api/users. Thin: parse, call the service, answer."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from livecommerce.accounts import service, sessions
from livecommerce.accounts.deps import (
    SESSION_COOKIE,
    CurrentActor,
    CurrentUser,
    DbSession,
    clear_session_cookie,
    client_of,
    set_session_cookie,
)
from livecommerce.accounts.schemas import LoginAnswer, LoginRequest, UserCreate, UserCreated, UserPublic

router = APIRouter(prefix="/api", tags=["accounts 账户"])


@router.post("/auth/login")
def login(body: LoginRequest, request: Request, response: Response, db: DbSession) -> LoginAnswer:
    """Log in with username and password: sets the session cookie and returns the CSRF token for writes."""
    try:
        user = service.authenticate(db, body.username, body.password, client_of(request))
    except service.LoginFailed as exc:
        message = f"账户已锁定，请{exc.locked_minutes}分钟后再试" if exc.locked_minutes else "用户名或密码错误"
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, message) from exc
    token, csrf_token = sessions.start_session(db, user, client_of(request))
    set_session_cookie(response, request, token)
    return LoginAnswer(user=UserPublic.of(user), csrf_token=csrf_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, db: DbSession, actor: CurrentActor) -> None:
    """End the cookie session (send X-CSRF-Token); a bearer token stays valid until revoked."""
    if token := request.cookies.get(SESSION_COOKIE):
        sessions.end_session(db, token, client_of(request))
    clear_session_cookie(response, request)


@router.get("/auth/me")
def me(user: CurrentUser) -> UserPublic:
    """Who the caller is."""
    return UserPublic.of(user)


@router.get("/users")
def list_users(db: DbSession, actor: CurrentActor) -> list[UserPublic]:
    """Users the caller may manage (users.manage), phones masked."""
    return [UserPublic.of(user) for user in service.list_users(db, actor)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, db: DbSession, actor: CurrentActor) -> UserCreated:
    """Create a user; without a password one is generated and returned this once."""
    password = body.password or service.generate_password()
    user = service.create_user(db, actor, body.username, body.role, password, scope_region=body.scope_region,
                               scope_entity=body.scope_entity, display_name=body.display_name, phone=body.phone,
                               can_view_personal_data=body.can_view_personal_data)
    return UserCreated(user=UserPublic.of(user), password=None if body.password else password)
