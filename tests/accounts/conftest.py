"""Fixtures of the accounts tests: a first administrator, an officer per city, a valid USCC."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from stdnum.cn import uscc

from livecommerce.accounts import service
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings, get_settings

PASSWORD = "correct-horse-battery"


def valid_uscc(body: str = "91230100MA1B2C3D4") -> str:
    """A 统一社会信用代码 with its check digit computed (stdnum.cn.uscc)."""
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def admin(registry_home: Settings) -> User:
    """The first province_admin of the home, with the password PASSWORD."""
    user, _ = service.create_first_admin("admin", PASSWORD)
    return user


@pytest.fixture
def admin_actor(admin: User) -> UserActor:
    return service.actor_for(admin)


@pytest.fixture
def make_user(admin_actor: UserActor) -> Callable[..., User]:
    """Create a user as the administrator: make_user('hrb', 'city_officer', scope_region='230100')."""

    def make(username: str, role: str, password: str = PASSWORD, **kwargs: object) -> User:
        with session_scope() as session:
            return service.create_user(session, admin_actor, username, role, password, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def few_failures(registry_home: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with login_max_failures = 3 and login_lockout_minutes = 15."""
    monkeypatch.setenv("LIVECOMMERCE_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("LIVECOMMERCE_LOGIN_LOCKOUT_MINUTES", "15")
    get_settings.cache_clear()
    return get_settings()
