"""Ingest through the web: an upload by a logged-in clerk, a platform's JSON push with its token."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from livecommerce.accounts import service as accounts
from livecommerce.accounts import sessions
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from tests.ingest.helpers import HEADER, order, warehouse_rows
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login


def csv_bytes(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(row[key] for key in HEADER) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def client(home) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    with TestClient(create_app()) as test_client:
        yield test_client


def test_an_upload_through_the_page_loads_a_batch_and_links_the_rejected_rows(client: TestClient, home) -> None:  # type: ignore[no-untyped-def]
    assert submit_login(client, "admin", PASSWORD).status_code == 303
    token = hidden(client.get("/ingest").text, "csrf_token")
    files = [("files", ("一月订单.csv", csv_bytes(order("A1"), order("A2", paid_amount="-3")), "text/csv"))]
    page = client.post("/ingest", data={"feed": "orders", "csrf_token": token}, files=files)
    assert page.status_code == 200
    assert "部分入库" in page.text and "下载被拒收的行" in page.text
    batch = warehouse_rows(home, "SELECT batch_id, source_name, actor FROM batches")[0]
    assert batch[1:] == ("一月订单.csv", "admin")
    rejected = client.get(f"/ingest/batches/{batch[0]}/rejected.csv")
    assert rejected.status_code == 200 and "paid_amount=-3" in rejected.content.decode("utf-8-sig")


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient, home) -> None:  # type: ignore[no-untyped-def]
    submit_login(client, "admin", PASSWORD)
    files = [("files", ("o.csv", csv_bytes(order("A1")), "text/csv"))]
    assert client.post("/api/ingest/orders", files=files).status_code == 403
    assert warehouse_rows(home, "SELECT count(*) FROM orders") == [(0,)]


def test_a_platform_pushes_rows_with_its_token(client: TestClient, home) -> None:  # type: ignore[no-untyped-def]
    add_user("douyin-feed", "platform")
    with session_scope() as session:
        user = accounts.get_user_by_username(session, SystemActor(), "douyin-feed")
        token = sessions.issue_token(session, SystemActor(), user.id, "抖音推送").token
    body = {"source": "douyin-2025-03-01", "rows": [order("A1", paid_amount="88.80"), order("A2")]}
    response = client.post("/api/feeds/orders", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in ("read", "accepted", "rejected", "replaced")} == {
        "read": 2,
        "accepted": 2,
        "rejected": 0,
        "replaced": 0,
    }
    assert warehouse_rows(home, "SELECT sum(paid_amount) FROM orders") == [(Decimal("188.80"),)]
    assert warehouse_rows(home, "SELECT actor, source_name FROM batches") == [("douyin-feed", "douyin-2025-03-01")]


def test_push_needs_a_token(client: TestClient) -> None:
    response = client.post("/api/feeds/orders", json={"rows": [order("A1")]})
    assert response.status_code == 401
    bad = client.post("/api/feeds/orders", json={"rows": [order("A1")]}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
