"""A password set by someone else must be changed at first login (pages and API); 修改密码 and POST /api/auth/password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from livecommerce.accounts import service, sessions
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login

NEW = "冰城-sunflower-2026"


@pytest.fixture
def app_client(home: Settings) -> Iterator[TestClient]:
    """The console with the admin 'admin' as `users create-admin` makes it: its password must be changed first."""
    service.create_first_admin("admin", PASSWORD)
    with TestClient(create_app()) as client:
        yield client


def change_form(client: TestClient, current: str, new: str, confirm: str | None = None) -> dict[str, str]:
    token = hidden(client.get("/account/password").text, "csrf_token")
    return {"csrf_token": token, "current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}


def test_login_leads_to_the_change_page_and_every_page_goes_there(app_client: TestClient) -> None:
    response = submit_login(app_client, "admin", PASSWORD, "/stats")
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    for path in ("/", "/admin", "/stats", "/entities"):
        moved = app_client.get(path, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (303, "/account/password"), path
    page = app_client.get("/account/password")
    assert page.status_code == 200 and "须先修改密码才能继续使用系统" in page.text


def test_the_api_answers_403_but_for_me_password_and_logout(app_client: TestClient) -> None:
    csrf = app_client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf}
    refused = app_client.get("/api/users")
    assert refused.status_code == 403 and "首次登录或密码被重置后须先修改密码" in refused.json()["detail"]
    assert app_client.get("/api/entities").status_code == 403
    assert app_client.get("/api/auth/me").json()["must_change_password"] is True
    weak = app_client.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "admin-password-1"}, headers=headers)
    assert weak.status_code == 422 and "密码不得包含用户名" in weak.json()["detail"]
    changed = app_client.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=headers)
    assert changed.status_code == 204
    assert app_client.get("/api/users").status_code == 200
    assert app_client.post("/api/auth/logout", headers=headers).status_code == 204


def test_a_token_of_a_user_who_must_change_is_not_affected(app_client: TestClient) -> None:
    with session_scope() as session:
        admin = service.get_user_by_username(session, SystemActor(), "admin")
        token = sessions.issue_token(session, SystemActor(), admin.id, "script").token
    assert app_client.get("/api/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_change_page_names_the_broken_rule_then_changes_and_ends_other_sessions(app_client: TestClient) -> None:
    other = TestClient(app_client.app)
    assert submit_login(other, "admin", PASSWORD).status_code == 303
    submit_login(app_client, "admin", PASSWORD)
    mismatch = app_client.post("/account/password", data=change_form(app_client, PASSWORD, NEW, NEW + "x"))
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    short = app_client.post("/account/password", data=change_form(app_client, PASSWORD, "a1-short"))
    assert short.status_code == 422 and "密码至少12位" in short.text
    wrong = app_client.post("/account/password", data=change_form(app_client, "not-the-password", NEW))
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    done = app_client.post("/account/password", data=change_form(app_client, PASSWORD, NEW))
    assert done.status_code == 200 and "密码已修改" in done.text
    assert app_client.get("/admin").status_code == 200  # this session goes on, now free
    assert other.get("/", follow_redirects=False).headers["location"] == "/login?next=/"  # the other one ended
    with session_scope() as session:
        outcomes = session.scalars(
            select(AuditEntry.outcome).where(AuditEntry.action == "users.change_password").order_by(AuditEntry.id)
        ).all()
    assert outcomes == ["failed", "failed", "ok"]  # the mismatch is caught by the page before the service


def test_a_user_without_the_flag_goes_straight_on_and_may_change_its_password(app_client: TestClient) -> None:
    add_user("analyst", "province_analyst")
    assert submit_login(app_client, "analyst", PASSWORD).headers["location"] == "/"
    assert "修改密码" in app_client.get("/").text  # the link in the header
    page = app_client.get("/account/password")
    assert page.status_code == 200 and "须先修改密码" not in page.text
    assert app_client.post("/account/password", data=change_form(app_client, PASSWORD, NEW)).status_code == 200
    app_client.cookies.clear()
    assert submit_login(app_client, "analyst", NEW).status_code == 303
