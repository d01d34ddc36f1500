"""Login: right and wrong passwords, unknown users, the lock-out per account and address, the throttle per address,
and an audit line with its reason for every attempt (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from livecommerce.accounts import login as logins
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry, LoginAttempts, User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now

from .conftest import PASSWORD

HERE, THERE = "10.0.0.1 pytest", "10.0.0.2 pytest"


def login(username: str, password: str, client: str = HERE) -> User:
    with session_scope() as session:
        return logins.authenticate(session, username, password, client=client)


def fail(username: str, password: str, client: str = HERE) -> str:
    """The audit reason of a refused login."""
    with pytest.raises(logins.LoginFailed) as caught:
        login(username, password, client)
    return caught.value.reason


def login_lines() -> list[tuple[str, str, str]]:
    """(actor, outcome, reason) of every login line, oldest first."""
    with session_scope() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "login").order_by(AuditEntry.id))
        return [(entry.actor, entry.outcome, json.loads(entry.after or "{}").get("reason", "")) for entry in entries]


def test_right_password_logs_in_and_is_audited_as_ok(admin: User) -> None:
    assert login("admin", PASSWORD).id == admin.id
    assert login_lines() == [("admin", "ok", "ok")]


def test_wrong_unknown_and_inactive_fail_alike_and_are_audited_with_their_reason(
    admin_actor: UserActor, make_user: Callable[..., User]
) -> None:
    from livecommerce.accounts import service

    analyst = make_user("analyst", "province_analyst")
    with session_scope() as session:
        service.deactivate(session, admin_actor, analyst.id)
    assert [fail("admin", "not-the-password"), fail("nobody", PASSWORD), fail("analyst", PASSWORD)] == [
        "wrong password",
        "unknown user",
        "inactive",
    ]
    assert login_lines() == [("admin", "failed", "wrong password"), ("nobody", "failed", "unknown user"), ("analyst", "failed", "inactive")]


def test_one_failure_fewer_than_the_limit_does_not_lock(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    assert login("admin", PASSWORD).id == admin.id


def test_exactly_the_limit_of_failures_locks_and_the_right_password_is_then_not_checked(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures):
        assert fail("admin", "not-the-password") == "wrong password"
    assert fail("admin", PASSWORD) == "locked"
    assert login_lines()[-1] == ("admin", "locked", "locked")


def test_the_lock_holds_for_one_address_only(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures):
        fail("admin", "not-the-password", HERE)
    assert fail("admin", PASSWORD, HERE) == "locked"
    assert login("admin", PASSWORD, THERE).id == admin.id  # another address is not locked out


def test_an_unknown_user_is_locked_exactly_as_a_real_one(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures):
        assert fail("nobody", "not-the-password") == "unknown user"
    assert fail("nobody", "not-the-password") == "locked"


def test_a_lock_ends_after_its_minutes(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures):
        fail("admin", "not-the-password")
    minutes = timedelta(minutes=few_failures.login_lockout_minutes, seconds=1)
    with session_scope() as session:
        session.execute(update(LoginAttempts).values(last_at=now() - minutes, locked_until=now() - timedelta(seconds=1)))
    assert login("admin", PASSWORD).id == admin.id


def test_success_resets_the_failure_count(admin: User, few_failures: Settings) -> None:
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    login("admin", PASSWORD)
    for _ in range(few_failures.login_max_failures - 1):
        fail("admin", "not-the-password")
    assert login("admin", PASSWORD).id == admin.id


@pytest.fixture
def small_address_limit(registry_home: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """login_address_max_failures = 4, login_max_failures = 3."""
    from livecommerce.core.settings import get_settings

    monkeypatch.setenv("LIVECOMMERCE_LOGIN_ADDRESS_MAX_FAILURES", "4")
    monkeypatch.setenv("LIVECOMMERCE_LOGIN_MAX_FAILURES", "3")
    get_settings.cache_clear()
    return get_settings()


def test_an_address_with_too_many_failures_is_refused_for_every_account(admin: User, small_address_limit: Settings) -> None:
    for name in ("a1", "a2", "a3", "a4"):  # four different names: no account lock, the address's limit
        assert fail(name, "not-the-password") == "unknown user"
    assert fail("admin", PASSWORD) == "throttled"
    assert login_lines()[-1] == ("admin", "locked", "throttled")
    assert login("admin", PASSWORD, THERE).id == admin.id  # the account stays open to everyone else


def test_unknown_wrong_and_locked_do_the_same_work(admin: User, few_failures: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timing cannot tell them apart because each refusal costs exactly one argon2 verification (counted, not
    timed: wall-clock times on a shared CI machine vary more than the difference we would look for)."""
    from livecommerce.accounts import passwords

    checks: list[str] = []
    verify = passwords.verify_password

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password_hash)
        return verify(password_hash, password)

    for _ in range(few_failures.login_max_failures):
        fail("admin", "not-the-password", "10.9.9.9 lock")
    monkeypatch.setattr(passwords, "verify_password", counted)
    for username, password, client in (
        ("admin", "not-the-password", "10.0.0.3 a"),
        ("nobody", PASSWORD, "10.0.0.4 b"),
        ("admin", PASSWORD, "10.9.9.9 lock"),
    ):
        checks.clear()
        with pytest.raises(logins.LoginFailed):
            login(username, password, client)
        assert len(checks) == 1, (username, client, len(checks))  # wrong, unknown, locked: one check each
