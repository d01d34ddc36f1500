"""Login (登录): check a username and password, with the throttle of accounts/throttle.py; every try is audited.

Unknown user, wrong password, inactive account, locked account and throttled address all raise the same
``LoginFailed`` (one status, one message, one argon2 check each), so an answer tells nobody whether an account
exists. The audit line (action ``login``) keeps the true reason in ``after.reason``: ``ok``, ``wrong password``,
``unknown user``, ``inactive``, ``locked`` (refused without checking) or ``throttled`` (the address is refused).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from livecommerce.accounts import audit, passwords, throttle
from livecommerce.accounts.models import User
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.settings import Settings, get_settings
from livecommerce.core.timeutil import now

logger = logging.getLogger(__name__)


class LoginFailed(LiveCommerceError):
    """A refused login; ``reason`` is for the audit log only, never for the person trying."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refusal_message(settings: Settings | None = None) -> str:
    """The one answer to every refused login (Chinese), which states the lock-out rule without saying if it applied."""
    settings = settings or get_settings()
    return f"用户名或密码错误；连续失败{settings.login_max_failures}次后需等待{settings.login_lockout_minutes}分钟再试"


def address_of(client: str) -> str:
    """The client address of an audit ``client`` string ("<address> <user agent>")."""
    return client.split(" ", 1)[0] if client else ""


def _claim(db: Session, username: str, address: str, settings: Settings) -> str | None:
    """Claim this attempt on the address and account counters in a committed transaction of its own; the refusal
    reason ("throttled" or "locked") or None when the password may be checked."""
    address_key, account_key = throttle.keys(username, address)
    minutes = settings.login_lockout_minutes
    _purge(db, settings)
    with Session(bind=db.get_bind()) as own, own.begin():
        if throttle.claim(own, address_key, settings.login_address_max_failures, minutes) is None:
            return "throttled"
        if throttle.claim(own, account_key, settings.login_max_failures, minutes) is None:
            return "locked"
    return None


def _purge(db: Session, settings: Settings) -> None:
    """Delete spent counters in a transaction of their own; two logins purging at once may deadlock on PostgreSQL,
    and then one simply leaves it to the next login."""
    try:
        with Session(bind=db.get_bind()) as own, own.begin():
            throttle.purge(own, settings)
    except DBAPIError:
        logger.info("login counters not purged this time (another login was purging)", exc_info=True)


def _settle(db: Session, username: str, address: str, ok: bool, settings: Settings) -> None:
    """After the check: give the slot back for a right password, else lock the counters that are full."""
    address_key, account_key = throttle.keys(username, address)
    minutes = settings.login_lockout_minutes
    with Session(bind=db.get_bind()) as own, own.begin():
        if ok:
            throttle.give_back(own, address_key, account_key)
            return
        throttle.lock_if_full(own, address_key, settings.login_address_max_failures, minutes)
        throttle.lock_if_full(own, account_key, settings.login_max_failures, minutes)


def _refuse(db: Session, username: str, user: User | None, client: str, reason: str) -> LoginFailed:
    """Audit a refused attempt in a transaction of its own (the request answers 401 and writes nothing else)."""
    outcome = "locked" if reason in ("locked", "throttled") else "failed"
    with Session(bind=db.get_bind()) as own, own.begin():
        audit.record(
            own,
            username.strip()[:64],
            "login",
            "user",
            str(user.id) if user else "",
            None,
            {"reason": reason},
            outcome=outcome,
            client=client,
        )
    return LoginFailed(reason)


def authenticate(db: Session, username: str, password: str, client: str = "", settings: Settings | None = None) -> User:
    """The user whose password this is, or LoginFailed; every attempt is audited (action 'login')."""
    settings = settings or get_settings()
    address = address_of(client)
    user = db.scalar(select(User).where(User.username == username.strip()))
    refused = _claim(db, username, address, settings)
    if refused is not None:
        passwords.verify_password(passwords.dummy_hash(), password)
        raise _refuse(db, username, user, client, refused)
    matches = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    ok = matches and user is not None and user.active
    _settle(db, username, address, ok, settings)
    if user is None:
        raise _refuse(db, username, None, client, "unknown user")
    if not matches:
        raise _refuse(db, username, user, client, "wrong password")
    if not user.active:
        raise _refuse(db, username, user, client, "inactive")
    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hasher.hash(password)
    user.last_login_at = now()
    audit.record(db, user.username, "login", "user", str(user.id), None, {"reason": "ok"}, outcome="ok", client=client)
    return user
