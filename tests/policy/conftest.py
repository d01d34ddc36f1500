"""The province of the policy faces' tests (the one of test_runs.py, every figure checkable by hand) and a declarations
file, on a home shared by a module's tests, with one user per role that matters:

  A  enterprise 哈尔滨 道里区: 地产品实物 2024 10,000,000.00 · 2025 16,000,000.00 on the platforms
     → LIVE20/1a 2% × 6,000,000.00 = 120,000.00; declares 国家级电子商务示范企业 2025 → LIVE20/2 1,000,000.00,
       and 地产品实物 2025 19,200,000.00 — 20% above the platforms' 16,000,000.00 → 需复核
  B  mcn 齐齐哈尔 龙沙区: 60,000,000.00 in 2025 → LIVE20/3 2‰ = 120,000.00
  C  enterprise 哈尔滨 南岗区: 3,000,000.00 → nothing
  G  南岗区政府 (county_government) declares 省级电商直播示范县 2025 → LIVE20/5 10,000,000.00
Granted 11,240,000.00 = 1,124.00 万元; 哈尔滨's (A, G) 11,120,000.00; 齐齐哈尔's (B) 120,000.00.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from livecommerce.core.settings import Settings
from tests.policy.test_runs import ENTITIES, ORDERS, PARCELS, A, B, C, G
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login

DECLARED = {
    "year": 2025,
    "entities": [
        {
            "id": A,
            "uscc": A,
            "name": "哈尔滨甲农业有限公司",
            "kind": "enterprise",
            "facts": {
                "national_demo_enterprise_recognized": 2025,
                "local_physical_online_retail": {"2024": "10000000.00", "2025": "19200000.00"},
            },
        },
        {
            "id": G,
            "uscc": G,
            "name": "哈尔滨市南岗区人民政府",
            "kind": "county_government",
            "facts": {"provincial_demo_county_recognized": 2025},
        },
    ],
}
E01 = {
    "year": 2025,
    "entities": [
        {
            "id": "E01",
            "name": "哈尔滨甲农业有限公司",
            "kind": "enterprise",
            "region": "230102",
            "facts": {
                "local_physical_online_retail": {"2024": "20000000.00", "2025": "26000000.00"},
                "physical_online_retail": {"2024": "20000000.00", "2025": "26000000.00"},
            },
        }
    ],
}
__all__ = ["A", "B", "C", "G", "DECLARED", "E01"]


def load_province() -> None:
    from livecommerce.core.scope import SystemActor
    from livecommerce.ingest.service import ingest_records

    for feed, rows in (("entities", ENTITIES), ("orders", ORDERS), ("parcels", PARCELS)):
        result = ingest_records(feed, rows, SystemActor(), source_name=feed)
        assert result.rejected == 0, result.problems


@pytest.fixture(scope="module")
def policy_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, int]]:
    """The province, its users and one run of 2025 with DECLARED (started by the analyst); yields (settings, run id)."""
    from livecommerce.accounts import service as accounts
    from livecommerce.accounts.actors import UserActor
    from livecommerce.core import db
    from livecommerce.core.db import session_scope
    from livecommerce.core.settings import get_settings
    from livecommerce.policy import service
    from tests.conftest import _use_home

    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _use_home(tmp_path_factory.mktemp("policy") / "home", None, monkeypatch)
        load_province()
        accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
        add_user("analyst", "province_analyst", display_name="省厅业务员")
        add_user("hrb", "city_officer", scope_region="230100")
        add_user("qq", "city_officer", scope_region="230200")
        add_user("mcn", "enterprise", scope_entity=B)
        add_user("audit", "auditor")
        with session_scope() as session:
            run = service.start_run(
                session, UserActor(2, "analyst", "province_analyst"), 2025, declared=DECLARED, declared_name="申报.json"
            )
        yield settings, run.id
        db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def as_user(policy_home: tuple[Settings, int]) -> Iterator[Callable[[str], TestClient]]:
    """Log in as a user of the policy home; each gets a client of its own (closed afterwards)."""
    from livecommerce.web.app import create_app

    clients: list[TestClient] = []

    def log_in(username: str) -> TestClient:
        client = TestClient(create_app(policy_home[0]))
        clients.append(client)
        assert submit_login(client, username, PASSWORD).status_code == 303
        client.headers["X-CSRF-Token"] = hidden(client.get("/policy/clauses").text, "csrf_token")
        return client

    yield log_in
    for client in clients:
        client.close()


def run_id(policy_home: tuple[Settings, int]) -> int:
    return policy_home[1]


def csrf(client: TestClient) -> Any:
    return client.headers["X-CSRF-Token"]
