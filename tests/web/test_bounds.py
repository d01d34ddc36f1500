"""Bounds of path and query parameters (issue 13, point 7): an id beyond 64 bits is a 422 naming the parameter and
its bound, the largest 64-bit id a plain 404; a limit outside 1..1000 a 422 — never a 500."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from livecommerce.accounts import service as accounts
from livecommerce.accounts import sessions
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor

BEYOND = 2**64
LARGEST = 2**63 - 1
ID_ROUTES = [
    ("GET", "/api/monitor/alerts/{}", "alert_id"),
    ("GET", "/api/policy/runs/{}", "run_id"),
    ("GET", "/alerts/{}", "alert_id"),
    ("GET", "/policy/runs/{}", "run_id"),
    ("POST", "/api/monitor/silences/{}/expire", "silence_id"),
]


@pytest.fixture
def admin_client(home) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client of the app acting as the administrator through a bearer token (no CSRF for bearer requests)."""
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", "Lj-" + secrets.token_urlsafe(18) + "-9a")
    with session_scope() as session:
        admin = accounts.get_user_by_username(session, SystemActor(), "admin")
        issued = sessions.issue_token(session, SystemActor(), admin.id, "bounds")
    token = getattr(issued, "token", issued)
    with TestClient(create_app(), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "name"), ID_ROUTES)
def test_an_id_beyond_64_bits_is_refused_with_its_bound(admin_client: TestClient, method: str, path: str, name: str) -> None:
    response = admin_client.request(method, path.format(BEYOND))
    assert response.status_code == 422, response.text
    assert name in response.text and str(LARGEST) in response.text


@pytest.mark.parametrize(("method", "path", "name"), ID_ROUTES)
def test_the_largest_64_bit_id_is_simply_not_found(admin_client: TestClient, method: str, path: str, name: str) -> None:
    assert admin_client.request(method, path.format(LARGEST)).status_code == 404


@pytest.mark.parametrize("value", [0, -1])
def test_an_id_below_1_is_refused(admin_client: TestClient, value: int) -> None:
    response = admin_client.get(f"/api/policy/runs/{value}")
    assert response.status_code == 422 and "run_id" in response.text


@pytest.mark.parametrize(("query", "name"), [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=-1", "limit")])
def test_a_limit_outside_1_to_1000_is_refused(admin_client: TestClient, query: str, name: str) -> None:
    response = admin_client.get(f"/api/monitor/sessions?{query}")
    assert response.status_code == 422, response.text
    assert name in response.text


def test_a_limit_of_1000_is_answered(admin_client: TestClient) -> None:
    assert admin_client.get("/api/monitor/sessions?limit=1000").status_code == 200


@pytest.mark.parametrize("query", ["top=0", "top=1001", f"top={BEYOND}"])
def test_a_rank_of_more_than_1000_or_none_is_refused(admin_client: TestClient, query: str) -> None:
    response = admin_client.get(f"/api/stats/rank?indicator=online_retail&{query}")
    assert response.status_code == 422 and "top" in response.text


def test_a_text_parameter_of_10000_characters_is_refused(admin_client: TestClient) -> None:
    response = admin_client.get("/api/stats/query?indicator=" + "x" * 10_000)
    assert response.status_code == 422 and "indicator" in response.text


def test_a_growth_target_without_last_years_12_months_says_so(admin_client: TestClient, tmp_path: Path) -> None:
    """Orders of March 2025 only: a 2025 growth target cannot be computed, and the answer says why instead of 500."""
    from tests.web.test_scope_every_endpoint import _seed

    _seed(tmp_path)
    response = admin_client.get("/api/stats/targets")
    assert response.status_code == 200, response.text
    reasons = [target["reason"] for target in response.json()]
    assert any("不满12个月" in reason for reason in reasons), reasons


DEEP = "[" * 100_000 + "]" * 100_000
BODIES = [
    ("/api/policy/evaluate", DEEP),
    ("/api/compliance/scan", DEEP),
    ("/api/monitor/silences", DEEP),
    ("/api/policy/runs", '{"year": 2025, "budget": "1e400"}'),
    ("/api/policy/runs", '{"year": 2025, "budget": 340282366920938463463374607431768211456}'),
    ("/api/monitor/silences", '{"matchers": {"region": "2301*"}, "duration": "99999999999999h", "comment": "x"}'),
    ("/api/monitor/silences", '{"matchers": {"region": "2301*"}, "starts": "0001-01-01T00:00:00", "duration": "1h", "comment": "x"}'),
]


@pytest.mark.parametrize(
    ("path", "body"),
    BODIES,
    ids=["deep-evaluate", "deep-scan", "deep-silence", "budget-1e400", "budget-2^128", "duration-overflow", "starts-year-1"],
)
def test_a_body_beyond_what_can_be_held_is_refused_with_its_reason(admin_client: TestClient, path: str, body: str) -> None:
    response = admin_client.post(path, content=body, headers={"content-type": "application/json"})
    # nested too deep to be read is an unreadable body (400); a value past a bound breaks a rule (422): docs/security.md
    assert response.status_code == (400 if body == DEEP else 422), response.text
    assert response.json()["detail"] and response.json()["problems"]


def test_a_what_if_with_a_nan_parameter_is_refused(admin_client: TestClient) -> None:
    from tests.web.test_scope_every_endpoint import _policy_run

    run_id = _policy_run()
    response = admin_client.post(f"/api/policy/runs/{run_id}/what-if", json={"overrides": {"LIVE20/1a.cap": "NaN"}})
    assert response.status_code == 422, response.text
    assert "LIVE20/1a.cap" in response.text


def test_a_page_refusing_a_parameter_says_so_in_chinese_naming_the_field(admin_client: TestClient) -> None:
    response = admin_client.get(f"/alerts/{BEYOND}")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "输入有误" in response.text and "alert_id" in response.text and str(BEYOND) in response.text
