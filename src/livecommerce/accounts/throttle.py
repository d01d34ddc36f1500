"""Login throttle (登录限制): failed-login counters per (username, client address) and per client address.

An attempt first *claims* a slot with one atomic upsert (``failures = failures + 1 WHERE failures < limit``), in a
transaction of its own, before any password is checked; only then is the password verified. So N parallel clients
get at most ``limit`` passwords checked, whatever the database (SQLite or PostgreSQL). A right password gives the
slot back. When a key reaches its limit it is locked for ``login_lockout_minutes``; failures older than that with
no lock are forgotten. The username key is the name as typed (trimmed, lower case), so an unknown name is counted
and locked exactly as a real one: the lock-out tells nobody which accounts exist (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, and_, case, delete, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from livecommerce.accounts.models import LoginAttempts
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class Key:
    """One counter: an account as typed from one address, or an address for every account."""

    kind: str
    username: str
    address: str


def keys(username: str, address: str) -> tuple[Key, Key]:
    """The address key and the account key of an attempt."""
    name, place = username.strip().lower()[:64], address[:64]
    return Key(ADDRESS, "", place), Key(ACCOUNT, name, place)


def _when(moment: datetime) -> object:
    return literal(moment, DateTime(timezone=True))


def claim(db: Session, key: Key, limit: int, lockout_minutes: int) -> int | None:
    """Count one more attempt on a key unless it is at its limit (or locked); the count after it, or None if refused.
    An expired key (its lock over, or its last failure older than the lock-out) starts again at 1."""
    moment = now()
    table = LoginAttempts.__table__
    expired = and_(
        table.c.last_at <= _when(moment - timedelta(minutes=lockout_minutes)),
        or_(table.c.locked_until.is_(None), table.c.locked_until <= _when(moment)),
    )
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        kind=key.kind, username=key.username, address=key.address, failures=1, last_at=moment, locked_until=None
    )
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "username", "address"],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "last_at": _when(moment),
            "locked_until": case((expired, None), else_=table.c.locked_until),
        },
        where=or_(expired, and_(table.c.failures < limit, table.c.locked_until.is_(None))),
    ).returning(table.c.failures)
    return db.execute(statement).scalar_one_or_none()


def give_back(db: Session, address_key: Key, account_key: Key) -> None:
    """A right password: the address key gets its slot back, the account key starts again (rows are always taken
    address first, then account, as claim does, so two logins never wait on each other in a cycle)."""
    db.execute(update(LoginAttempts).where(*_match(address_key), LoginAttempts.failures > 0).values(failures=LoginAttempts.failures - 1))
    db.execute(update(LoginAttempts).where(*_match(account_key)).values(failures=0, locked_until=None))


def lock_if_full(db: Session, key: Key, limit: int, lockout_minutes: int) -> bool:
    """A failed attempt: lock the key for the lock-out when it has reached its limit; whether it is locked now."""
    result = db.execute(
        update(LoginAttempts)
        .where(*_match(key), LoginAttempts.failures >= limit, LoginAttempts.locked_until.is_(None))
        .values(locked_until=now() + timedelta(minutes=lockout_minutes))
    )
    return bool(getattr(result, "rowcount", 0))


def forget_account(db: Session, username: str) -> None:
    """Clear every lock and count of one account (a new password was set)."""
    db.execute(delete(LoginAttempts).where(LoginAttempts.kind == ACCOUNT, LoginAttempts.username == username.strip().lower()[:64]))


def purge(db: Session, settings: Settings) -> None:
    """Delete counters that have nothing left to say: no lock in force and no failure within the lock-out."""
    moment = now()
    db.execute(
        delete(LoginAttempts).where(
            LoginAttempts.last_at <= moment - timedelta(minutes=settings.login_lockout_minutes),
            or_(LoginAttempts.locked_until.is_(None), LoginAttempts.locked_until <= moment),
        )
    )


def _match(key: Key) -> tuple[ColumnElement[bool], ...]:
    return (LoginAttempts.kind == key.kind, LoginAttempts.username == key.username, LoginAttempts.address == key.address)
