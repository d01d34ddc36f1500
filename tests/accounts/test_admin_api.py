"""Tokens and accounts through the JSON API and the 系统管理 pages: issue, list, revoke, expire, deactivate, activate,
reset; each audited; ids bounded; a city officer reaches none of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from livecommerce.accounts import service
from livecommerce.accounts.models import ApiToken, AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now
from livecommerce.web.app import create_app
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login


@pytest.fixture
def admin_api(home: Settings) -> Iterator[TestClient]:
    """A client logged in through the API as the admin, sending its CSRF token; the feed account 'douyin' exists."""
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("douyin", "platform")
    with TestClient(create_app()) as client:
        answer = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client


def user_id(name: str) -> int:
    with session_scope() as session:
        return service.get_user_by_username(session, SystemActor(), name).id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_issue_list_use_and_revoke_a_token(admin_api: TestClient) -> None:
    feed = user_id("douyin")
    issued = admin_api.post(f"/api/users/{feed}/tokens", json={"name": "抖音数据推送", "expires_days": 30})
    assert issued.status_code == 201 and set(issued.json()) == {"id", "token", "expires_at"}
    token, token_id = issued.json()["token"], issued.json()["id"]
    assert admin_api.get("/api/ingest/batches", headers=bearer(token)).status_code == 200
    listed = admin_api.get(f"/api/users/{feed}/tokens").json()
    assert [(row["id"], row["name"], row["state"], row["created_by"]) for row in listed] == [(token_id, "抖音数据推送", "active", "admin")]
    assert listed[0]["last_used_at"] is not None and "token" not in listed[0]
    assert [row["id"] for row in admin_api.get("/api/tokens").json()] == [token_id]
    revoked = admin_api.post(f"/api/tokens/{token_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    refused = admin_api.get("/api/ingest/batches", headers=bearer(token))
    assert (refused.status_code, refused.json()["detail"]) == (401, "API token revoked (令牌已吊销)")


def test_an_expired_token_answers_401_saying_so(admin_api: TestClient) -> None:
    token = admin_api.post(f"/api/users/{user_id('douyin')}/tokens", json={"name": "抖音"}).json()["token"]
    with session_scope() as session:
        session.execute(update(ApiToken).values(expires_at=now() - timedelta(minutes=1)))
    refused = admin_api.get("/api/ingest/batches", headers=bearer(token))
    assert refused.status_code == 401
    assert "API token expired" in refused.json()["detail"] and "令牌已于" in refused.json()["detail"]


def test_deactivation_stops_the_users_tokens_at_once_and_activation_does_not_revive_them(admin_api: TestClient) -> None:
    feed = user_id("douyin")
    token = admin_api.post(f"/api/users/{feed}/tokens", json={"name": "抖音"}).json()["token"]
    assert admin_api.post(f"/api/users/{feed}/deactivate").json()["active"] is False
    assert admin_api.get("/api/ingest/batches", headers=bearer(token)).status_code == 401
    assert admin_api.post(f"/api/users/{feed}/activate").json()["active"] is True
    assert admin_api.get("/api/ingest/batches", headers=bearer(token)).status_code == 401
    assert [row["state"] for row in admin_api.get(f"/api/users/{feed}/tokens").json()] == ["revoked"]


def test_a_reset_returns_a_password_once_and_revokes_tokens_unless_kept(admin_api: TestClient) -> None:
    feed = user_id("douyin")
    token = admin_api.post(f"/api/users/{feed}/tokens", json={"name": "抖音"}).json()["token"]
    kept = admin_api.post(f"/api/users/{feed}/password", json={"keep_tokens": True}).json()
    assert kept["tokens_revoked"] == 0 and len(kept["password"]) == 24 and kept["user"]["must_change_password"]
    assert admin_api.get("/api/ingest/batches", headers=bearer(token)).status_code == 200
    weak = admin_api.post(f"/api/users/{feed}/password", json={"password": "douyin-feed-2025"})
    assert weak.status_code == 422 and "密码不得包含用户名" in weak.json()["detail"]
    reset = admin_api.post(f"/api/users/{feed}/password", json={"password": "kq7#vp2!wz9m-x"}).json()
    assert reset["tokens_revoked"] == 1 and reset["password"] is None
    assert admin_api.get("/api/ingest/batches", headers=bearer(token)).status_code == 401


def test_every_account_write_is_audited(admin_api: TestClient) -> None:
    feed = user_id("douyin")
    token_id = admin_api.post(f"/api/users/{feed}/tokens", json={"name": "抖音"}).json()["id"]
    admin_api.post(f"/api/tokens/{token_id}/revoke")
    admin_api.post(f"/api/users/{feed}/deactivate")
    admin_api.post(f"/api/users/{feed}/activate")
    admin_api.post(f"/api/users/{feed}/password", json={})
    with session_scope() as session:
        lines = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.action.not_in(["login", "users.create"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [(actor, action) for actor, action, _ in lines] == [
        ("admin", "tokens.issue"),
        ("admin", "tokens.revoke"),
        ("admin", "users.update"),
        ("admin", "users.update"),
        ("admin", "users.set_password"),
    ]
    assert [json.loads(after or "{}").get("active") for _, action, after in lines if action == "users.update"] == [False, True]


@pytest.mark.parametrize(
    "path",
    ["/api/users/0/tokens", "/api/users/9223372036854775808/tokens", "/api/tokens/-1/revoke", "/api/users/99999999999999999999/deactivate"],
)
def test_ids_out_of_bounds_are_422(admin_api: TestClient, path: str) -> None:
    method = admin_api.get if path.endswith("tokens") else admin_api.post
    assert method(path).status_code == 422


def test_unknown_ids_are_404(admin_api: TestClient) -> None:
    assert admin_api.post("/api/tokens/9223372036854775807/revoke").status_code == 404
    assert admin_api.post("/api/users/9223372036854775807/deactivate").status_code == 404


def test_a_city_officer_reaches_no_token_and_no_user(admin_api: TestClient) -> None:
    feed = user_id("douyin")
    token_id = admin_api.post(f"/api/users/{feed}/tokens", json={"name": "抖音"}).json()["id"]
    add_user("hrb", "city_officer", scope_region="230100")
    with TestClient(admin_api.app) as officer:
        officer.headers["X-CSRF-Token"] = officer.post("/api/auth/login", json={"username": "hrb", "password": PASSWORD}).json()[
            "csrf_token"
        ]
        assert officer.get("/api/tokens").json() == []
        for path in (f"/api/tokens/{token_id}/revoke", f"/api/users/{feed}/deactivate", f"/api/users/{feed}/password"):
            assert officer.post(path, json={}).status_code in (403, 404), path
        assert officer.get(f"/admin/users/{feed}").status_code in (403, 404)
    assert admin_api.get(f"/api/users/{feed}/tokens").json()[0]["state"] == "active"


def test_the_admin_user_page_issues_shows_once_and_revokes(home: Settings) -> None:
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("douyin", "platform")
    feed = user_id("douyin")
    with TestClient(create_app()) as client:
        submit_login(client, "admin", PASSWORD)
        assert f'href="/admin/users/{feed}"' in client.get("/admin").text
        page = client.get(f"/admin/users/{feed}")
        assert page.status_code == 200 and "尚无接口令牌" in page.text and 'value="90"' in page.text
        csrf = hidden(page.text, "csrf_token")
        issued = client.post(f"/admin/users/{feed}/tokens", data={"csrf_token": csrf, "name": "抖音", "expires_days": "7"})
        assert issued.status_code == 200 and "该令牌只显示这一次" in issued.text
        with session_scope() as session:
            token_id = session.scalars(select(ApiToken.id)).one()
        again = client.get(f"/admin/users/{feed}").text
        assert "lc_" not in again and "有效" in again and f"/admin/tokens/{token_id}/revoke" in again
        revoked = client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf})
        assert "已吊销令牌" in revoked.text and f"/admin/tokens/{token_id}/revoke" not in revoked.text
        stopped = client.post(f"/admin/users/{feed}/deactivate", data={"csrf_token": csrf})
        assert "已停用" in stopped.text and "启用账户" in stopped.text
        reset = client.post(f"/admin/users/{feed}/password", data={"csrf_token": csrf, "keep_tokens": "true"})
        assert "已重置密码" in reset.text and "接口令牌保留" in reset.text
