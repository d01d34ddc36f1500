"""The console's login, logout, protected pages and CSRF, through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from livecommerce.accounts import service
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app

from .conftest import PASSWORD, add_user, hidden, submit_login


def test_login_page_is_in_chinese(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    for text in ("登录", "用户名", "密码"):
        assert text in page.text


REFUSED = "用户名或密码错误；连续失败5次后需等待15分钟再试"


def test_wrong_password_says_so_in_chinese(client: TestClient) -> None:
    response = submit_login(client, "admin", "not-the-password")
    assert response.status_code == 401
    assert REFUSED in response.text


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    response = submit_login(client, "nobody", PASSWORD)
    assert response.status_code == 401 and REFUSED in response.text


def test_a_locked_account_gets_the_same_answer_as_a_wrong_password(client: TestClient, home: Settings) -> None:
    for _ in range(home.login_max_failures - 1):
        submit_login(client, "admin", "not-the-password")
    response = submit_login(client, "admin", PASSWORD)
    assert response.status_code == 303  # one failure fewer than the limit does not lock
    client.cookies.clear()
    for _ in range(home.login_max_failures):
        submit_login(client, "admin", "not-the-password")
    locked = submit_login(client, "admin", PASSWORD)
    assert locked.status_code == 401 and REFUSED in locked.text
    api = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD})
    assert (api.status_code, api.json()) == (unknown.status_code, unknown.json()) == (401, {"detail": REFUSED})


def test_login_form_without_its_login_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD, "login_csrf": "forged"}, follow_redirects=False)
    assert response.status_code == 400 and "页面已过期" in response.text


def test_login_sets_a_safe_cookie_and_leads_home(client: TestClient) -> None:
    response = submit_login(client, "admin", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "lc_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    home = client.get("/")
    assert home.status_code == 200
    assert "<h1>总览</h1>" in home.text


def test_session_cookie_is_secure_unless_turned_off(home: Settings) -> None:
    service.create_first_admin("admin", PASSWORD)
    app = create_app(home.model_copy(update={"cookie_secure": True}))
    with TestClient(app, base_url="https://testserver") as client:
        answer = submit_login(client, "admin", PASSWORD)
    cookie = answer.headers["set-cookie"]
    assert "lc_session=" in cookie and "Secure" in cookie
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_on_plain_http(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/login").headers


def test_login_goes_on_to_the_page_asked_for_but_never_off_site(client: TestClient) -> None:
    assert submit_login(client, "admin", PASSWORD, "/admin").headers["location"] == "/admin"
    client.cookies.clear()
    assert submit_login(client, "admin", PASSWORD, "//evil.example/").headers["location"] == "/"


@pytest.mark.parametrize("path", ["/", "/admin", "/stats", "/entities"])
def test_protected_pages_redirect_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_api_without_login_is_401(client: TestClient) -> None:
    assert client.get("/api/users").status_code == 401


def test_logout_needs_the_csrf_token(logged_in: Callable[[str], TestClient]) -> None:
    client = logged_in("admin")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    token = hidden(client.get("/").text, "csrf_token")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_api_write_with_cookie_needs_the_csrf_header(client: TestClient) -> None:
    answer = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert answer.status_code == 200
    new_user = {"username": "analyst", "role": "province_analyst"}
    assert client.post("/api/users", json=new_user).status_code == 403
    created = client.post("/api/users", json=new_user, headers={"X-CSRF-Token": answer.json()["csrf_token"]})
    assert created.status_code == 201 and len(created.json()["password"]) >= 20


def test_bearer_token_requests_need_no_csrf(client: TestClient) -> None:
    from livecommerce.accounts import sessions
    from livecommerce.core.db import session_scope
    from livecommerce.core.scope import SystemActor

    with session_scope() as session:
        admin = service.get_user_by_username(session, SystemActor(), "admin")
        token = sessions.issue_token(session, SystemActor(), admin.id, "script").token
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/users", json={"username": "analyst", "role": "province_analyst"}, headers=headers)
    assert response.status_code == 201
    refused = client.get("/api/users", headers={"Authorization": "Bearer wrong"})
    assert (refused.status_code, refused.json()["detail"]) == (401, "invalid API token (令牌无效)")


def test_admin_page_lists_users_with_masked_phones_and_the_audit_log(
    logged_in: Callable[[str], TestClient],
) -> None:
    add_user("hrb", "city_officer", scope_region="230100", phone="13812345678")
    page = logged_in("admin").get("/admin")
    assert page.status_code == 200
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert "审计日志" in page.text and "新建用户" in page.text and "登录" in page.text


def test_admin_page_creates_a_user_and_shows_its_password_once(logged_in: Callable[[str], TestClient]) -> None:
    client = logged_in("admin")
    token = hidden(client.get("/admin").text, "csrf_token")
    form = {"csrf_token": token, "username": "qqhr", "role": "city_officer", "scope_region": "齐齐哈尔"}
    page = client.post("/admin/users", data=form)
    assert page.status_code == 200 and "已创建用户" in page.text and "齐齐哈尔市" in page.text
    form["username"] = "bad"
    form["scope_region"] = "道里区"
    assert "新建用户失败" in client.post("/admin/users", data=form).text


def test_auditor_sees_the_audit_log_but_not_the_users(logged_in: Callable[[str], TestClient]) -> None:
    add_user("audit", "auditor")
    page = logged_in("audit").get("/admin")
    assert page.status_code == 200 and "审计日志" in page.text and 'action="/admin/users"' not in page.text


def test_city_officer_may_not_open_admin_and_sees_its_city(logged_in: Callable[[str], TestClient]) -> None:
    add_user("hrb", "city_officer", scope_region="230100")
    client = logged_in("hrb")
    assert "数据范围：<strong>哈尔滨市</strong>" in client.get("/").text
    page = client.get("/admin")
    assert page.status_code == 403 and "无权访问" in page.text
