"""Pages of accounts: 登录, 退出, 修改密码, 系统管理 (users, their tokens, the audit log). Thin: parse, call the
service, render. The user pages of 系统管理 live in accounts/admin_pages.py."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from livecommerce.accounts import audit_search, service, sessions
from livecommerce.accounts import login as logins
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.deps import (
    CHANGE_PASSWORD_PAGE,
    SESSION_COOKIE,
    Auth,
    CurrentActor,
    CurrentUser,
    DbSession,
    OptionalActor,
    app_settings,
    clear_session_cookie,
    client_of,
    set_session_cookie,
)
from livecommerce.accounts.passwords import MIN_LENGTH
from livecommerce.accounts.roles import ROLES
from livecommerce.core.errors import PermissionDenied, ValidationFailed
from livecommerce.core.privacy import mask_phone
from livecommerce.core.web.params import RowId
from livecommerce.core.web.templating import render
from livecommerce.reference.regions import regions

router = APIRouter(include_in_schema=False)

# Login CSRF: the login form carries a random value that must match this cookie (double submit).
LOGIN_CSRF_COOKIE = "lc_login_csrf"
EXPIRED = "页面已过期，请重新登录"


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(request: Request, next_path: str, error: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "accounts/login.html", {"error": error, "next": next_path, "username": username, "login_csrf": token}, status
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=app_settings(request).cookie_secure, path="/login"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: OptionalActor, next: str = "/") -> Response:
    """登录 page; a logged-in visitor goes straight on."""
    if actor is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    login_csrf: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials, open a session and go on (to 修改密码 first when the password was set by someone else);
    every refusal gets the same answer."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_csrf.encode()):
        return _login_page(request, safe_next(next), EXPIRED, username, 400)
    try:
        user = logins.authenticate(db, username, password, client_of(request), app_settings(request))
    except logins.LoginFailed:
        return _login_page(request, safe_next(next), logins.refusal_message(app_settings(request)), username, 401)
    token, _csrf = sessions.start_session(db, user, client_of(request))
    target = CHANGE_PASSWORD_PAGE if user.must_change_password else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """End the session (the form carries the CSRF token, checked by require_csrf) and return to 登录."""
    sessions.end_session(db, request.cookies.get(SESSION_COOKIE, ""), client_of(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response


def _password_page(request: Request, user: Any, status: int = 200, **extra: Any) -> Response:
    context = {"title": "修改密码", "forced": user.must_change_password, "min_length": MIN_LENGTH, "username": user.username, **extra}
    return render(request, "accounts/password.html", context, status)


@router.get(CHANGE_PASSWORD_PAGE, response_class=HTMLResponse)
def password_form(request: Request, user: CurrentUser) -> Response:
    """修改密码 page (the only page a user whose password was set by someone else may open until it changes it)."""
    return _password_page(request, user)


@router.post(CHANGE_PASSWORD_PAGE, response_class=HTMLResponse)
def change_password(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    auth: Auth,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    confirm_password: Annotated[str, Form(max_length=256)],
) -> Response:
    """Change one's own password; other sessions of the user end; a refusal names the rule broken."""
    if new_password != confirm_password:
        return _password_page(request, user, 422, error="两次输入的新密码不一致")
    try:
        service.change_own_password(
            db, user.id, current_password, new_password, keep_session=auth.login_id if auth else None, client=client_of(request)
        )
    except ValidationFailed as exc:
        return _password_page(request, user, 422, error=str(exc))
    return _password_page(request, user, done=True)


def _audit_rows(db: DbSession, actor: UserActor) -> list[dict[str, Any]]:
    """The newest lines of the audit log as the auditor's page shows them (its labels and summary)."""
    return [audit_search.as_row(entry) for entry in audit_search.search(db, actor, audit_search.AuditFilter(), 10).items]


def _admin_page(request: Request, db: DbSession, actor: UserActor, status: int = 200, **extra: Any) -> Response:
    """系统管理: users (phones masked) for users.manage, the last 100 audit lines for audit.read."""
    can_manage = not actor.grant("users.manage").nothing
    can_audit = not actor.grant("audit.read").nothing
    if not (can_manage or can_audit):
        raise PermissionDenied("系统管理仅限省级管理员和审计人员")
    users = service.list_users(db, actor) if can_manage else []
    context = {
        "title": "系统管理",
        "users": users,
        "audit": _audit_rows(db, actor) if can_audit else [],
        "can_manage": can_manage,
        "can_audit": can_audit,
        "roles": ROLES,
        "mask_phone": mask_phone,
        "region_name": regions().full_name,
        "form": {},
        **extra,
    }
    return render(request, "accounts/admin.html", context, status)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """系统管理 page."""
    return _admin_page(request, db, actor)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_add_user(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    display_name: Annotated[str, Form(max_length=100)] = "",
    scope_region: Annotated[str, Form(max_length=40)] = "",
    scope_entity: Annotated[str, Form(max_length=18)] = "",
    phone: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """新建用户 from the 系统管理 page; the generated password is shown once and must be changed at first login."""
    password = service.generate_password(username)
    form = {
        "username": username,
        "role": role,
        "display_name": display_name,
        "scope_region": scope_region,
        "scope_entity": scope_entity,
        "phone": phone,
    }
    try:
        user = service.create_user(
            db,
            actor,
            username,
            role,
            password,
            scope_region=scope_region or None,
            scope_entity=scope_entity or None,
            display_name=display_name,
            phone=phone or None,
        )
    except ValidationFailed as exc:
        return _admin_page(request, db, actor, 422, error=str(exc), form=form)
    return _admin_page(request, db, actor, created=user, password=password)


def _user_page(request: Request, db: DbSession, actor: UserActor, user_id: int, status: int = 200, **extra: Any) -> Response:
    """One user on 系统管理: its state, its API tokens with revoke, issue token, deactivate/activate, reset password."""
    user = service.get_user(db, actor, user_id)
    tokens = [(row, sessions.token_state(row)) for row, _ in sessions.list_tokens(db, actor, user_id)]
    context = {
        "title": f"用户 {user.username}",
        "user": user,
        "tokens": tokens,
        "roles": ROLES,
        "mask_phone": mask_phone,
        "region_name": regions().full_name,
        "default_days": app_settings(request).token_default_days,
        "states": TOKEN_STATES,
        **extra,
    }
    return render(request, "accounts/user.html", context, status)


TOKEN_STATES = {"active": ("有效", "ok"), "expired": ("已过期", "muted"), "revoked": ("已吊销", "failed")}


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def admin_user(request: Request, db: DbSession, actor: CurrentActor, user_id: RowId) -> Response:
    """用户详情 on 系统管理 (users.manage)."""
    return _user_page(request, db, actor, user_id)


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def admin_issue_token(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    user_id: RowId,
    name: Annotated[str, Form(max_length=100)],
    expires_days: Annotated[int, Form(ge=1, le=365)],
) -> Response:
    """签发令牌: the plaintext is shown on the answer page, this once."""
    try:
        issued = sessions.issue_token(db, actor, user_id, name, expires_days, client=client_of(request))
    except ValidationFailed as exc:
        return _user_page(request, db, actor, user_id, 422, error=str(exc))
    return _user_page(request, db, actor, user_id, issued=issued, issued_name=name.strip())


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def admin_revoke_token(request: Request, db: DbSession, actor: CurrentActor, token_id: RowId) -> Response:
    """吊销令牌 at once."""
    row = sessions.revoke_token(db, actor, token_id, client=client_of(request))
    return _user_page(request, db, actor, row.user_id, message=f"已吊销令牌 #{row.id}（{row.name}）")


@router.post("/admin/users/{user_id}/deactivate", response_class=HTMLResponse)
def admin_deactivate(request: Request, db: DbSession, actor: CurrentActor, user_id: RowId) -> Response:
    """停用: the user's sessions end and its tokens are revoked at once."""
    try:
        service.deactivate(db, actor, user_id)
    except ValidationFailed as exc:
        return _user_page(request, db, actor, user_id, 422, error=str(exc))
    return _user_page(request, db, actor, user_id, message="已停用：该用户的登录会话已结束，接口令牌已全部吊销")


@router.post("/admin/users/{user_id}/activate", response_class=HTMLResponse)
def admin_activate(request: Request, db: DbSession, actor: CurrentActor, user_id: RowId) -> Response:
    """启用 again (tokens revoked at deactivation stay revoked)."""
    service.activate(db, actor, user_id)
    return _user_page(request, db, actor, user_id, message="已启用：停用时吊销的令牌不会恢复，如需请重新签发")


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def admin_reset_password(
    request: Request, db: DbSession, actor: CurrentActor, user_id: RowId, keep_tokens: Annotated[bool, Form()] = False
) -> Response:
    """重置密码: a generated password shown once, to be changed at first login; sessions end, tokens revoked unless
    kept."""
    user = service.get_user(db, actor, user_id)
    password = service.generate_password(user.username)
    service.set_password(db, actor, user_id, password, keep_tokens=keep_tokens)
    return _user_page(request, db, actor, user_id, new_password=password, kept_tokens=keep_tokens)
