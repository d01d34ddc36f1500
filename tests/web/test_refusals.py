"""One mapping of refusals to HTTP (issue 15 point 2; docs/security.md "Refusals"): the same kind of refused input
gets the same status and the same JSON shape from every package — 422 with {"detail", "problems": [{row, column,
value, rule, file}]} for a value that breaks a rule, 400 for a body that cannot be read, 404 for what is not there."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.test_bounds import admin_client  # noqa: F401  (the fixture)

PROBLEM_KEYS = {"row", "column", "value", "rule", "file"}

# (package, method, path, params, JSON body) of a value that breaks a rule
RULE_BROKEN = [
    ("stats", "GET", "/api/stats/query", {"indicator": "online_retail", "by": "moon"}, None),
    ("policy", "POST", "/api/policy/runs", None, {"year": 2025, "budget": "lots"}),
    ("compliance", "POST", "/api/compliance/scan", None, {"text": "最好", "packs": ["no-such-pack"]}),
    ("monitor", "GET", "/api/monitor/alerts", {"rule": "no-such-rule"}, None),
    ("monitor", "POST", "/api/monitor/silences", None, {"matchers": {"region": "2301*"}, "duration": "soon", "comment": "x"}),
]


def _send(client: TestClient, method: str, path: str, params: Any, body: Any) -> Any:
    return client.request(method, path, params=params, json=body)


@pytest.mark.parametrize(("package", "method", "path", "params", "body"), RULE_BROKEN, ids=[row[0] + row[2] for row in RULE_BROKEN])
def test_a_broken_rule_is_a_422_with_its_problems_in_every_package(
    admin_client: TestClient,  # noqa: F811
    package: str,
    method: str,
    path: str,
    params: Any,
    body: Any,
) -> None:
    response = _send(admin_client, method, path, params, body)
    assert response.status_code == 422, (package, response.text)
    answer = response.json()
    assert isinstance(answer["detail"], str) and answer["detail"]
    assert answer["problems"] and all(set(problem) == PROBLEM_KEYS for problem in answer["problems"])


@pytest.mark.parametrize("path", ["/api/policy/evaluate", "/api/compliance/scan", "/api/monitor/silences"])
def test_a_body_that_is_not_json_is_a_400_with_the_same_shape(admin_client: TestClient, path: str) -> None:  # noqa: F811
    response = admin_client.post(path, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert "not JSON" in response.json()["detail"]
    assert [set(problem) for problem in response.json()["problems"]] == [PROBLEM_KEYS]


@pytest.mark.parametrize("path", ["/api/policy/runs/999999", "/api/monitor/alerts/999999", "/api/monitor/sessions/douyin/nobody"])
def test_what_is_not_there_is_a_404_with_the_same_shape(admin_client: TestClient, path: str) -> None:  # noqa: F811
    response = admin_client.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["detail"] and [set(problem) for problem in response.json()["problems"]] == [PROBLEM_KEYS]


def test_an_upload_page_refused_for_its_feed_shows_the_form_again_with_422(admin_client: TestClient) -> None:  # noqa: F811
    page = admin_client.post("/ingest", data={"feed": "weather"}, files=[("files", ("a.csv", b"x\n1\n", "text/csv"))])
    assert page.status_code == 422 and "weather" in page.text and "<form" in page.text
