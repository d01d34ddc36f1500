"""Accounts service: users, passwords and login checks; the only module (with sessions.py) that touches accounts tables.

Every write is audited with before and after (DESIGN.md: Every write); every list and get goes through
``core.scope.restrict`` with the action ``users.manage`` (DESIGN.md: Scopes).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from livecommerce.accounts import audit
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry, LoginSession, User
from livecommerce.accounts.roles import ROLES
from livecommerce.accounts.schemas import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, USERNAME_PATTERN
from livecommerce.core.db import session_scope
from livecommerce.core.errors import LiveCommerceError, NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.privacy import mask_phone
from livecommerce.core.scope import Actor, SystemActor, ensure, restrict
from livecommerce.core.settings import get_settings
from livecommerce.core.timeutil import aware, now
from livecommerce.reference.regions import regions

MANAGE = "users.manage"
ADMIN_ROLE = "province_admin"
REGION_ROLES = {"city_officer": "city", "county_officer": "county"}
ENTITY_ROLES = {"enterprise"}
UPDATABLE = {"display_name", "phone", "role", "scope_region", "scope_entity", "can_view_personal_data", "active"}

_hasher = PasswordHasher()


class LoginFailed(LiveCommerceError):
    """A refused login; ``locked_minutes`` is set when the account is (now) locked, else the reason stays vague."""

    def __init__(self, reason: str, locked_minutes: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked_minutes = locked_minutes


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash checked against when the user is unknown, so timing does not reveal who exists."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of a password that passes the policy (at least 10 characters)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters "
                               f"(密码至少{MIN_PASSWORD_LENGTH}位)")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (False for a malformed hash, never an exception)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A strong random password (24 URL-safe characters), shown once and never stored in the clear."""
    return secrets.token_urlsafe(18)


def actor_for(user: User) -> UserActor:
    """The actor a user acts as: name, role and scope."""
    return UserActor(user_id=user.id, name=user.username, role=user.role, scope_region=user.scope_region,
                     scope_entity=user.scope_entity, can_view_personal_data=user.can_view_personal_data)


def snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: everything but the hash, phone masked."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "scope_region": user.scope_region, "scope_entity": user.scope_entity, "phone": mask_phone(user.phone),
            "can_view_personal_data": user.can_view_personal_data, "active": user.active}


def _normalise_scope(role: str, scope_region: str | None, scope_entity: str | None) -> tuple[str | None, str | None]:
    """Check a role and its scope: officers need a region of their level, enterprises a valid USCC, others neither."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    region = _region_code(role, scope_region) if role in REGION_ROLES else None
    if role not in REGION_ROLES and scope_region:
        raise ValidationFailed(f"role {role} takes no region scope")
    if role in ENTITY_ROLES:
        if not scope_entity or not uscc.is_valid(scope_entity):
            raise ValidationFailed(f"role {role} needs a valid 统一社会信用代码 as its entity scope, "
                                   f"got {scope_entity!r}")
        return None, uscc.compact(scope_entity)
    if scope_entity:
        raise ValidationFailed(f"role {role} takes no entity scope")
    return region, None


def _region_code(role: str, scope_region: str | None) -> str:
    """The code of an officer's region (code or name accepted), which must be of the role's level."""
    level = REGION_ROLES[role]
    if not scope_region:
        raise ValidationFailed(f"role {role} needs a {level} region scope")
    try:
        region = regions().find(scope_region)
    except NotFound as exc:
        raise ValidationFailed(str(exc)) from exc
    if region.level != level:
        raise ValidationFailed(f"role {role} needs a {level} region, {region.name} ({region.code}) is a {region.level}")
    return region.code


def _ensure_manage(actor: Actor, scope_region: str | None, scope_entity: str | None) -> None:
    """Require users.manage over the scope the user gets; a province-wide user needs a province-wide grant."""
    grant = ensure(actor, MANAGE)
    if grant.everything or ((scope_region or scope_entity) and grant.allows(scope_region, scope_entity)):
        return
    raise PermissionDenied(f"{actor.name} may not manage users outside its scope ({grant.reason})")


def _validate_username(session: Session, username: str) -> str:
    username = username.strip()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise ValidationFailed(f"username {username!r} must be 2-64 letters, digits or . _ @ -")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(f"username {username!r} is taken (用户名已存在)")
    return username


def _contact(display_name: str | None, phone: str | None) -> tuple[str, str | None]:
    """A display name (at most 100 characters) and a phone (at most 20, blank → None), trimmed."""
    name, number = (display_name or "").strip(), (phone or "").strip() or None
    if len(name) > 100 or (number is not None and len(number) > 20):
        raise ValidationFailed("display name has at most 100 characters, phone at most 20 (姓名或手机号过长)")
    return name, number


def create_user(session: Session, actor: Actor, username: str, role: str, password: str,
                scope_region: str | None = None, scope_entity: str | None = None, display_name: str = "",
                phone: str | None = None, can_view_personal_data: bool = False) -> User:
    """Add a user with a role and scope (users.manage), its password hashed; audited."""
    region, entity = _normalise_scope(role, scope_region, scope_entity)
    _ensure_manage(actor, region, entity)
    display_name, phone = _contact(display_name, phone)
    user = User(username=_validate_username(session, username), role=role, scope_region=region, scope_entity=entity,
                display_name=display_name, phone=phone,
                password_hash=hash_password(password), can_view_personal_data=can_view_personal_data,
                active=True, failed_logins=0)
    session.add(user)
    session.flush()
    audit.record(session, actor.name, "users.create", "user", str(user.id), None, snapshot(user))
    return user


def create_first_admin(username: str, password: str | None = None) -> tuple[User, str]:
    """The first province_admin of an installation, with a generated password unless one is given; once only."""
    with session_scope() as session:
        if session.scalar(select(User.id).where(User.role == ADMIN_ROLE).limit(1)) is not None:
            raise ValidationFailed("a province_admin exists already; add users with `livecommerce users add` "
                                   "(已存在省级管理员)")
        password = password or generate_password()
        user = create_user(session, SystemActor(), username, ADMIN_ROLE, password, display_name="系统管理员")
    return user, password


def _get(session: Session, actor: Actor, condition: ColumnElement[bool]) -> User:
    user = session.scalar(restrict(select(User).where(condition), actor, MANAGE))
    if user is None:
        raise NotFound("no such user (用户不存在)")
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    """Every user the actor may manage, by username."""
    return list(session.scalars(restrict(select(User).order_by(User.username), actor, MANAGE)))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """One user by id, if the actor may manage it (NotFound otherwise, without saying which)."""
    return _get(session, actor, User.id == user_id)


def get_user_by_username(session: Session, actor: Actor, username: str) -> User:
    """One user by username, if the actor may manage it."""
    return _get(session, actor, User.username == username.strip())


def _other_active_admins(session: Session, user: User) -> int:
    query = select(User.id).where(User.role == ADMIN_ROLE, User.active.is_(True), User.id != user.id)
    return len(session.scalars(query).all())


def update_user(session: Session, actor: Actor, user_id: int, **changes: Any) -> User:
    """Change a user's name, phone, role, scope, personal-data permission or active flag; audited before/after."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}")
    user = get_user(session, actor, user_id)
    before = snapshot(user)
    role = changes.get("role", user.role)
    region, entity = _normalise_scope(role, changes.get("scope_region", user.scope_region),
                                      changes.get("scope_entity", user.scope_entity))
    _ensure_manage(actor, region, entity)
    display_name, phone = _contact(changes.get("display_name", user.display_name), changes.get("phone", user.phone))
    losing_admin = user.role == ADMIN_ROLE and (role != ADMIN_ROLE or changes.get("active") is False)
    if losing_admin and not _other_active_admins(session, user):
        raise ValidationFailed("the last active province_admin must stay (至少保留一名省级管理员)")
    for name, value in changes.items():
        setattr(user, name, value)
    user.display_name, user.phone = display_name, phone
    user.scope_region, user.scope_entity = region, entity
    if changes.get("active") is False:
        _end_all_sessions(session, user)
    session.flush()
    audit.record(session, actor.name, "users.update", "user", str(user.id), before, snapshot(user))
    return user


def deactivate(session: Session, actor: Actor, user_id: int) -> User:
    """Deactivate a user (its login sessions end; tokens stop working); audited."""
    return update_user(session, actor, user_id, active=False)


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Set a new password (users.manage, or the user itself); clears a lock-out and ends the user's sessions."""
    own = isinstance(actor, UserActor) and actor.user_id == user_id
    user = session.get(User, user_id) if own else get_user(session, actor, user_id)
    if user is None:
        raise NotFound("no such user (用户不存在)")
    if not own:
        _ensure_manage(actor, user.scope_region, user.scope_entity)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    _end_all_sessions(session, user)
    audit.record(session, actor.name, "users.set_password", "user", str(user.id), None, {"password": "changed"})
    return user


def _end_all_sessions(session: Session, user: User) -> None:
    session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                    .values(ended_at=now()))


def minutes_locked(user: User) -> int:
    """Whole minutes (rounded up) until a lock-out ends; 0 when the account is not locked."""
    if user.locked_until is None:
        return 0
    seconds = (aware(user.locked_until) - now()).total_seconds()
    return max(0, -(-int(seconds) // 60))


def _login_failed(session: Session, user: User | None, username: str, client: str, reason: str,
                  outcome: str = "failed", locked_minutes: int | None = None) -> LoginFailed:
    """Audit a refused attempt and commit it (the caller sees an error, the record must stay)."""
    audit.record(session, username[:64], "login", "user", str(user.id) if user else "", None, {"reason": reason},
                 outcome=outcome, client=client)
    session.commit()
    return LoginFailed(reason, locked_minutes)


def _count_failure(session: Session, user: User, client: str) -> LoginFailed:
    """Count a wrong password; the login_max_failures-th in a row locks the account for login_lockout_minutes."""
    settings = get_settings()
    user.failed_logins += 1
    if user.failed_logins < settings.login_max_failures:
        return _login_failed(session, user, user.username, client, "wrong password")
    user.failed_logins = 0
    user.locked_until = now() + timedelta(minutes=settings.login_lockout_minutes)
    return _login_failed(session, user, user.username, client, "wrong password; account locked",
                         locked_minutes=settings.login_lockout_minutes)


def authenticate(session: Session, username: str, password: str, client: str = "") -> User:
    """The user whose password this is, or LoginFailed; every attempt is audited (action 'login')."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(_dummy_hash(), password)
        raise _login_failed(session, None, username, client, "unknown user")
    matches = verify_password(user.password_hash, password)
    if minutes_locked(user):
        raise _login_failed(session, user, username, client, "locked", "locked", minutes_locked(user))
    if not user.active:
        raise _login_failed(session, user, username, client, "inactive")
    if not matches:
        raise _count_failure(session, user, client)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now()
    audit.record(session, user.username, "login", "user", str(user.id), None, None, outcome="ok", client=client)
    return user


def recent_audit(session: Session, actor: Actor, limit: int = 100) -> list[AuditEntry]:
    """The newest lines of the audit log, newest first (audit.read: administrators and auditors)."""
    ensure(actor, "audit.read")
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(max(1, min(limit, 1000)))
    return list(session.scalars(query))
