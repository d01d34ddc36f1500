"""Fixtures of the web tests: an app on a fresh home, its TestClient, and a way to log in through the form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from livecommerce.accounts import service
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app

PASSWORD = "correct-horse-battery"


def hidden(html: str, name: str) -> str:
    """The value of a hidden form field of a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match is not None, f"no field {name}"
    return match.group(1)


def submit_login(client: TestClient, username: str, password: str, next_path: str = "/"):  # type: ignore[no-untyped-def]
    """Open the login page and post its form, as a browser does (no redirect followed)."""
    page = client.get("/login")
    form = {"username": username, "password": password, "login_csrf": hidden(page.text, "login_csrf"), "next": next_path}
    return client.post("/login", data=form, follow_redirects=False)


def add_user(username: str, role: str, **kwargs: object) -> None:
    """A user with the password PASSWORD, created by the operator; it need not change its password at first login
    unless the test says ``must_change_password=True``."""
    kwargs.setdefault("must_change_password", False)
    with session_scope() as session:
        service.create_user(session, SystemActor(), username, role, PASSWORD, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def client(home: Settings) -> Iterator[TestClient]:
    """A client of the app on a fresh SQLite home with the administrator 'admin' (no forced password change)."""
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def logged_in(client: TestClient) -> Callable[[str], TestClient]:
    """Log the client in as a user (password PASSWORD) and hand it back."""

    def log_in(username: str = "admin") -> TestClient:
        response = submit_login(client, username, PASSWORD)
        assert response.status_code == 303, response.text
        return client

    return log_in
