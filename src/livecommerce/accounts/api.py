"""JSON routes of accounts: /api/auth (login, logout, me, password), /api/users and /api/tokens. Thin: parse, call
the service, answer. Ids in paths are 1 to 2^63−1 (core.web.params.RowId)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from livecommerce.accounts import login as logins
from livecommerce.accounts import service, sessions
from livecommerce.accounts.deps import (
    SESSION_COOKIE,
    Auth,
    CurrentActor,
    CurrentUser,
    DbSession,
    app_settings,
    clear_session_cookie,
    client_of,
    set_session_cookie,
)
from livecommerce.accounts.schemas import (
    LoginAnswer,
    LoginRequest,
    PasswordChange,
    PasswordReset,
    PasswordResetAnswer,
    TokenIssue,
    TokenIssued,
    TokenPublic,
    UserCreate,
    UserCreated,
    UserPublic,
)
from livecommerce.core.web.params import RowId

router = APIRouter(prefix="/api", tags=["accounts 账户"])


@router.post("/auth/login")
def login(body: LoginRequest, request: Request, response: Response, db: DbSession) -> LoginAnswer:
    """Log in with username and password: sets the session cookie and returns the CSRF token for writes. Every
    refusal (unknown user, wrong password, locked, throttled) is the same 401. When ``user.must_change_password``
    is true, only POST /api/auth/password, GET /api/auth/me and logout answer until the password is changed."""
    try:
        user = logins.authenticate(db, body.username, body.password, client_of(request), app_settings(request))
    except logins.LoginFailed as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, logins.refusal_message(app_settings(request))) from exc
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


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, request: Request, db: DbSession, user: CurrentUser, auth: Auth) -> None:
    """Change one's own password: the current one is required, the new one must pass the policy (422 naming the
    rule otherwise); every other login session of the user ends, this one stays; audited."""
    service.change_own_password(
        db, user.id, body.current_password, body.new_password, keep_session=auth.login_id if auth else None, client=client_of(request)
    )


@router.get("/users")
def list_users(db: DbSession, actor: CurrentActor) -> list[UserPublic]:
    """Users the caller may manage (users.manage), phones masked."""
    return [UserPublic.of(user) for user in service.list_users(db, actor)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, db: DbSession, actor: CurrentActor) -> UserCreated:
    """Create a user; without a password one is generated and returned this once. Either way the user must change
    it at first login."""
    password = body.password or service.generate_password(body.username)
    user = service.create_user(
        db,
        actor,
        body.username,
        body.role,
        password,
        scope_region=body.scope_region,
        scope_entity=body.scope_entity,
        display_name=body.display_name,
        phone=body.phone,
        can_view_personal_data=body.can_view_personal_data,
    )
    return UserCreated(user=UserPublic.of(user), password=None if body.password else password)


@router.post("/users/{user_id}/deactivate")
def deactivate_user(user_id: RowId, db: DbSession, actor: CurrentActor) -> UserPublic:
    """停用 a user: its sessions end and its tokens are revoked at once (reactivation does not revive them)."""
    return UserPublic.of(service.deactivate(db, actor, user_id))


@router.post("/users/{user_id}/activate")
def activate_user(user_id: RowId, db: DbSession, actor: CurrentActor) -> UserPublic:
    """启用 a deactivated user again."""
    return UserPublic.of(service.activate(db, actor, user_id))


@router.post("/users/{user_id}/password")
def reset_password(user_id: RowId, body: PasswordReset, db: DbSession, actor: CurrentActor) -> PasswordResetAnswer:
    """Reset a user's password (generated and returned once when none is given): its sessions end, its tokens are
    revoked unless ``keep_tokens``, and it must change the password at its next login."""
    user = service.get_user(db, actor, user_id)
    password = body.password or service.generate_password(user.username)
    live = sum(row.revoked_at is None for row, _ in sessions.list_tokens(db, actor, user_id))
    service.set_password(db, actor, user_id, password, keep_tokens=body.keep_tokens)
    return PasswordResetAnswer(
        user=UserPublic.of(user), password=None if body.password else password, tokens_revoked=0 if body.keep_tokens else live
    )


@router.get("/users/{user_id}/tokens")
def list_user_tokens(user_id: RowId, db: DbSession, actor: CurrentActor) -> list[TokenPublic]:
    """The API tokens of one user, newest first (never the plaintext)."""
    return [TokenPublic.of(row, user, sessions.token_state(row)) for row, user in sessions.list_tokens(db, actor, user_id)]


@router.post("/users/{user_id}/tokens", status_code=status.HTTP_201_CREATED)
def issue_token(user_id: RowId, body: TokenIssue, request: Request, db: DbSession, actor: CurrentActor) -> TokenIssued:
    """Issue an API token acting as this user; the plaintext is in this answer only."""
    issued = sessions.issue_token(db, actor, user_id, body.name, body.expires_days, client=client_of(request))
    return TokenIssued(id=issued.id, token=issued.token, expires_at=issued.expires_at)


@router.get("/tokens")
def list_tokens(db: DbSession, actor: CurrentActor) -> list[TokenPublic]:
    """The API tokens of every user the caller may manage, newest first."""
    return [TokenPublic.of(row, user, sessions.token_state(row)) for row, user in sessions.list_tokens(db, actor)]


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, request: Request, db: DbSession, actor: CurrentActor) -> TokenPublic:
    """Revoke an API token at once (a revoked one stays revoked)."""
    row = sessions.revoke_token(db, actor, token_id, client=client_of(request))
    user = service.get_user(db, actor, row.user_id)
    return TokenPublic.of(row, user, sessions.token_state(row))
