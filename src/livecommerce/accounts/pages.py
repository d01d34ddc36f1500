"""Pages of accounts: 登录, 退出, 系统管理 (users and the audit log). Thin: parse, call the service, render."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from livecommerce.accounts import service, sessions
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.deps import (
    SESSION_COOKIE,
    CurrentActor,
    DbSession,
    OptionalActor,
    app_settings,
    clear_session_cookie,
    client_of,
    set_session_cookie,
)
from livecommerce.accounts.roles import ROLES
from livecommerce.core.errors import PermissionDenied, ValidationFailed
from livecommerce.core.privacy import mask_phone
from livecommerce.reference.regions import regions
from livecommerce.web.templating import render

router = APIRouter(include_in_schema=False)

# Login CSRF: the login form carries a random value that must match this cookie (double submit).
LOGIN_CSRF_COOKIE = "lc_login_csrf"
WRONG = "用户名或密码错误"
EXPIRED = "页面已过期，请重新登录"
AUDIT_ACTIONS = {"login": "登录", "logout": "退出", "users.create": "新建用户", "users.update": "修改用户",
                 "users.set_password": "设置密码", "tokens.issue": "签发令牌", "tokens.revoke": "吊销令牌"}
OUTCOMES = {"ok": "成功", "failed": "失败", "locked": "已锁定"}
TARGETS = {"user": "用户", "api_token": "令牌"}
SUMMARY_KEYS = ("username", "role", "scope_region", "scope_entity", "user", "name", "reason", "password")


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(request: Request, next_path: str, error: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "accounts/login.html", {"error": error, "next": next_path, "username": username,
                                                       "login_csrf": token}, status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=app_settings(request).cookie_secure, path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: OptionalActor, next: str = "/") -> Response:
    """登录 page; a logged-in visitor goes straight on."""
    if actor is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: DbSession, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], login_csrf: Annotated[str, Form(max_length=64)] = "",
          next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    """Check the credentials, open a session and go on; a refusal says why in Chinese."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_csrf.encode()):
        return _login_page(request, safe_next(next), EXPIRED, username, 400)
    try:
        user = service.authenticate(db, username, password, client_of(request))
    except service.LoginFailed as exc:
        message = f"账户已锁定，请{exc.locked_minutes}分钟后再试" if exc.locked_minutes else WRONG
        return _login_page(request, safe_next(next), message, username, 401)
    token, _csrf = sessions.start_session(db, user, client_of(request))
    response = RedirectResponse(safe_next(next), status_code=303)
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


def audit_summary(before: str | None, after: str | None) -> str:
    """One line of what an audit entry changed: 'role: a → b' for updates, the key fields of a creation."""
    old, new = json.loads(before) if before else {}, json.loads(after) if after else {}
    if old and new:
        changed = [key for key in new if old.get(key) != new.get(key)]
        return "；".join(f"{key}: {old.get(key)} → {new.get(key)}" for key in changed)
    return "；".join(f"{key}: {new[key]}" for key in SUMMARY_KEYS if new.get(key) not in (None, ""))


def _audit_rows(db: DbSession, actor: UserActor) -> list[dict[str, Any]]:
    return [{"entry": entry, "action": AUDIT_ACTIONS.get(entry.action, entry.action),
             "outcome": OUTCOMES.get(entry.outcome, entry.outcome),
             "target": TARGETS.get(entry.target_type, entry.target_type),
             "summary": audit_summary(entry.before, entry.after)} for entry in service.recent_audit(db, actor, 100)]


def _admin_page(request: Request, db: DbSession, actor: UserActor, status: int = 200, **extra: Any) -> Response:
    """系统管理: users (phones masked) for users.manage, the last 100 audit lines for audit.read."""
    can_manage = not actor.grant("users.manage").nothing
    can_audit = not actor.grant("audit.read").nothing
    if not (can_manage or can_audit):
        raise PermissionDenied("系统管理仅限省级管理员和审计人员")
    users = service.list_users(db, actor) if can_manage else []
    context = {"title": "系统管理", "users": users, "audit": _audit_rows(db, actor) if can_audit else [],
               "can_manage": can_manage, "can_audit": can_audit, "roles": ROLES, "mask_phone": mask_phone,
               "region_name": regions().full_name, "locked": service.minutes_locked, "form": {}, **extra}
    return render(request, "accounts/admin.html", context, status)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """系统管理 page."""
    return _admin_page(request, db, actor)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_add_user(request: Request, db: DbSession, actor: CurrentActor,
                   username: Annotated[str, Form(max_length=64)], role: Annotated[str, Form(max_length=32)],
                   display_name: Annotated[str, Form(max_length=100)] = "",
                   scope_region: Annotated[str, Form(max_length=40)] = "",
                   scope_entity: Annotated[str, Form(max_length=18)] = "",
                   phone: Annotated[str, Form(max_length=20)] = "") -> Response:
    """新建用户 from the 系统管理 page; the generated password is shown once."""
    password = service.generate_password()
    form = {"username": username, "role": role, "display_name": display_name, "scope_region": scope_region,
            "scope_entity": scope_entity, "phone": phone}
    try:
        user = service.create_user(db, actor, username, role, password, scope_region=scope_region or None,
                                   scope_entity=scope_entity or None, display_name=display_name, phone=phone or None)
    except ValidationFailed as exc:
        return _admin_page(request, db, actor, 422, error=str(exc), form=form)
    return _admin_page(request, db, actor, created=user, password=password)
