"""Accounts service: users, passwords and login checks; the only module (with sessions.py) that touches accounts tables.

Every write is audited with before and after (DESIGN.md: Every write); every list and get goes through
``core.scope.restrict`` with the action ``users.manage`` (DESIGN.md: Scopes).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from livecommerce.accounts import audit, passwords, throttle
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import ApiToken, LoginSession, User
from livecommerce.accounts.roles import ROLES
from livecommerce.accounts.schemas import USERNAME_PATTERN
from livecommerce.core.db import session_scope
from livecommerce.core.errors import NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.privacy import mask_phone
from livecommerce.core.scope import Actor, SystemActor, ensure, restrict
from livecommerce.core.timeutil import now
from livecommerce.reference.regions import regions

MANAGE = "users.manage"
ADMIN_ROLE = "province_admin"
REGION_ROLES = {"city_officer": "city", "county_officer": "county"}
ENTITY_ROLES = {"enterprise"}
UPDATABLE = {"display_name", "phone", "role", "scope_region", "scope_entity", "can_view_personal_data", "active"}

WeakPassword = passwords.WeakPassword
verify_password = passwords.verify_password
generate_password = passwords.generate_password


def hash_password(password: str, username: str = "") -> str:
    """The argon2id hash of a password that passes the policy (accounts/passwords.py); WeakPassword otherwise."""
    return passwords.hash_password(password, username)


def actor_for(user: User) -> UserActor:
    """The actor a user acts as: name, role and scope."""
    return UserActor(
        user_id=user.id,
        name=user.username,
        role=user.role,
        scope_region=user.scope_region,
        scope_entity=user.scope_entity,
        can_view_personal_data=user.can_view_personal_data,
    )


def snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: everything but the hash, phone masked."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "scope_region": user.scope_region,
        "scope_entity": user.scope_entity,
        "phone": mask_phone(user.phone),
        "can_view_personal_data": user.can_view_personal_data,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def _normalise_scope(role: str, scope_region: str | None, scope_entity: str | None) -> tuple[str | None, str | None]:
    """Check a role and its scope: officers need a region of their level, enterprises a valid USCC, others neither."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    region = _region_code(role, scope_region) if role in REGION_ROLES else None
    if role not in REGION_ROLES and scope_region:
        raise ValidationFailed(f"role {role} takes no region scope")
    if role in ENTITY_ROLES:
        if not scope_entity or not uscc.is_valid(scope_entity):
            raise ValidationFailed(f"role {role} needs a valid 统一社会信用代码 as its entity scope, got {scope_entity!r}")
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


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    scope_region: str | None = None,
    scope_entity: str | None = None,
    display_name: str = "",
    phone: str | None = None,
    can_view_personal_data: bool = False,
    must_change_password: bool = True,
) -> User:
    """Add a user with a role and scope (users.manage), its password checked by the policy and hashed; audited.
    A password chosen by someone else must be changed at first login unless ``must_change_password`` is False."""
    region, entity = _normalise_scope(role, scope_region, scope_entity)
    _ensure_manage(actor, region, entity)
    display_name, phone = _contact(display_name, phone)
    username = _validate_username(session, username)
    user = User(
        username=username,
        role=role,
        scope_region=region,
        scope_entity=entity,
        display_name=display_name,
        phone=phone,
        password_hash=hash_password(password, username),
        can_view_personal_data=can_view_personal_data,
        active=True,
        must_change_password=must_change_password,
        password_changed_at=now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor.name, "users.create", "user", str(user.id), None, snapshot(user))
    return user


def create_first_admin(username: str, password: str | None = None, must_change_password: bool = True) -> tuple[User, str]:
    """The first province_admin of an installation, with a generated password unless one is given; once only.
    The operator chose or printed the password, so it must be changed at first login (unless told otherwise)."""
    with session_scope() as session:
        if session.scalar(select(User.id).where(User.role == ADMIN_ROLE).limit(1)) is not None:
            raise ValidationFailed("a province_admin exists already; add users with `livecommerce users add` (已存在省级管理员)")
        password = password or generate_password(username)
        user = create_user(
            session, SystemActor(), username, ADMIN_ROLE, password, display_name="系统管理员", must_change_password=must_change_password
        )
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
    """Change a user's name, phone, role, scope, personal-data permission or active flag; audited before/after.
    Deactivation ends the user's login sessions and revokes its API tokens at once."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}")
    user = get_user(session, actor, user_id)
    before = snapshot(user)
    role = changes.get("role", user.role)
    region, entity = _normalise_scope(role, changes.get("scope_region", user.scope_region), changes.get("scope_entity", user.scope_entity))
    _ensure_manage(actor, region, entity)
    display_name, phone = _contact(changes.get("display_name", user.display_name), changes.get("phone", user.phone))
    losing_admin = user.role == ADMIN_ROLE and (role != ADMIN_ROLE or changes.get("active") is False)
    if losing_admin and not _other_active_admins(session, user):
        raise ValidationFailed("the last active province_admin must stay (至少保留一名省级管理员)")
    for name, value in changes.items():
        setattr(user, name, value)
    user.display_name, user.phone = display_name, phone
    user.scope_region, user.scope_entity = region, entity
    revoked: list[int] = []
    if changes.get("active") is False:
        end_all_sessions(session, user)
        revoked = revoke_all_tokens(session, user)
    session.flush()
    after = snapshot(user) | ({"tokens_revoked": revoked} if revoked else {})
    audit.record(session, actor.name, "users.update", "user", str(user.id), before, after)
    return user


def deactivate(session: Session, actor: Actor, user_id: int) -> User:
    """Deactivate a user (停用): its login sessions end and its API tokens are revoked at once; audited.
    Reactivation does not revive the revoked tokens: new ones are issued (docs/security.md)."""
    return update_user(session, actor, user_id, active=False)


def activate(session: Session, actor: Actor, user_id: int) -> User:
    """Reactivate a user (启用); it logs in with its password again; audited."""
    return update_user(session, actor, user_id, active=True)


def set_password(session: Session, actor: Actor, user_id: int, password: str, keep_tokens: bool = False) -> User:
    """Reset a user's password (users.manage): the policy applies, the user must change it at first login, its
    login sessions end, its lock-outs clear and its API tokens are revoked unless ``keep_tokens`` (a feed account);
    audited."""
    user = get_user(session, actor, user_id)
    _ensure_manage(actor, user.scope_region, user.scope_entity)
    user.password_hash = hash_password(password, user.username)
    user.must_change_password, user.password_changed_at = True, now()
    end_all_sessions(session, user)
    revoked = [] if keep_tokens else revoke_all_tokens(session, user)
    throttle.forget_account(session, user.username)
    audit.record(
        session,
        actor.name,
        "users.set_password",
        "user",
        str(user.id),
        None,
        {"password": "reset", "must_change_password": True, "tokens_revoked": revoked, "keep_tokens": keep_tokens},
    )
    return user


def change_own_password(session: Session, user_id: int, current: str, new: str, keep_session: int | None = None, client: str = "") -> User:
    """A user changes its own password (修改密码): the current one is required, the policy applies, the new one must
    differ, every other login session of the user ends; audited (a refusal too, in a transaction of its own)."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("no such user (用户不存在)")
    problem = None
    if not verify_password(user.password_hash, current):
        problem = "当前密码不正确 (the current password is wrong)"
    elif current == new:
        problem = "新密码不能与当前密码相同 (the new password must differ from the current one)"
    else:
        problem = passwords.policy_problem(new, user.username)
    if problem is not None:
        audit.record_apart(
            user.username, "users.change_password", "user", str(user.id), None, {"reason": problem}, outcome="failed", client=client
        )
        raise WeakPassword(problem)
    user.password_hash = passwords.hasher.hash(new)
    user.must_change_password, user.password_changed_at = False, now()
    end_all_sessions(session, user, keep=keep_session)
    audit.record(session, user.username, "users.change_password", "user", str(user.id), None, {"password": "changed"}, client=client)
    return user


def end_all_sessions(session: Session, user: User, keep: int | None = None) -> None:
    """End every open login session of a user (but the one whose id is ``keep``)."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    session.execute(query.values(ended_at=now()))


def revoke_all_tokens(session: Session, user: User) -> list[int]:
    """Revoke every live API token of a user; the ids revoked."""
    ids = list(session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    if ids:
        session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=now()))
    return ids
