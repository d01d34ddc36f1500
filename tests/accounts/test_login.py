"""Login: right and wrong passwords, unknown users, the lock-out boundary, and an audit line for every attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from livecommerce.accounts import service
from livecommerce.accounts.models import AuditEntry, User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now

from .conftest import PASSWORD


def login(username: str, password: str) -> User:
    with session_scope() as session:
        return service.authenticate(session, username, password, client="127.0.0.1 pytest")


def fail(username: str, password: str) -> service.LoginFailed:
    with pytest.raises(service.LoginFailed) as caught:
        login(username, password)
    return caught.value


def login_lines() -> list[tuple[str, str, str]]:
    """(actor, outcome, reason) of every login line, oldest first."""
    with session_scope() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "login").order_by(AuditEntry.id))
        return [(entry.actor, entry.outcome, (entry.after or "")) for entry in entries]


def test_right_password_logs_in_and_is_audited(admin: User) -> None:
    assert login("admin", PASSWORD).id == admin.id
    assert login_lines() == [("admin", "ok", "")]


def test_wrong_password_and_unknown_user_fail_alike_and_are_audited(admin: User) -> None:
    wrong, unknown = fail("admin", "not-the-password"), fail("nobody", PASSWORD)
    assert wrong.locked_minutes is None and unknown.locked_minutes is None
    lines = login_lines()
    assert [(actor, outcome) for actor, outcome, _ in lines] == [("admin", "failed"), ("nobody", "failed")]
    assert "wrong password" in lines[0][2] and "unknown user" in lines[1][2]


def test_one_failure_fewer_than_the_limit_does_not_lock(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    assert login("admin", PASSWORD).failed_logins == 0


def test_exactly_the_limit_of_failures_locks(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures - 1):
        assert fail("admin", "not-the-password").locked_minutes is None
    assert fail("admin", "not-the-password").locked_minutes == 15
    locked = fail("admin", PASSWORD)
    assert locked.locked_minutes == 15
    assert login_lines()[-1][:2] == ("admin", "locked")


def test_a_lock_ends_after_its_minutes(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures):
        fail("admin", "not-the-password")
    with session_scope() as session:
        user = session.get(User, admin.id)
        assert user is not None and user.locked_until is not None
        user.locked_until = now() - timedelta(seconds=1)
    assert login("admin", PASSWORD).locked_until is None


def test_success_resets_the_failure_count(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    login("admin", PASSWORD)
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    assert login("admin", PASSWORD).id == admin.id
