"""JSON routes of the registry through FastAPI's TestClient; the caller is set with dependency_overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from registry_data import (
    ENTERPRISE,
    HARBIN_FOOD,
    HARBIN_OFFICER,
    INSPECTOR,
    NANGANG_COOP,
    QIQIHAR_MCN,
    SYSTEM,
    audit_lines,
)
from sqlalchemy.orm import Session

from livecommerce.accounts import deps
from livecommerce.core.scope import Actor
from livecommerce.entities import api
from livecommerce.web import errors

NEW_USCC = "91230100MA1B00004L"

ClientFor = Callable[[Actor], TestClient]


@pytest.fixture
def client_for(seeded: Session) -> Iterator[ClientFor]:
    """A TestClient of the registry routes acting as the given actor."""
    app = FastAPI()
    app.include_router(api.router)
    errors.install(app)

    def make(actor: Actor) -> TestClient:
        app.dependency_overrides[deps._current_actor] = lambda: actor
        return TestClient(app)

    yield make
    app.dependency_overrides.clear()


def test_list_with_filters_and_paging(client_for: ClientFor) -> None:
    answer = client_for(SYSTEM).get("/api/entities", params={"region": "哈尔滨", "page_size": 1, "sort": "-uscc"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["total"], body["page"], body["page_size"], body["pages"]) == (2, 1, 1, 2)
    [item] = body["items"]
    assert (item["uscc"], item["kind_name"], item["region_name"]) == (NANGANG_COOP, "农民专业合作社", "哈尔滨市南岗区")


def test_list_rejects_an_unknown_region_and_unknown_parameters(client_for: ClientFor) -> None:
    client = client_for(SYSTEM)
    assert client.get("/api/entities", params={"region": "北京"}).status_code == 422
    assert client.get("/api/entities", params={"colour": "red"}).status_code == 422
    assert client.get("/api/entities", params={"page_size": 1000}).status_code == 422


def test_city_officer_list_and_get(client_for: ClientFor) -> None:
    client = client_for(HARBIN_OFFICER)
    assert [e["uscc"] for e in client.get("/api/entities").json()["items"]] == [HARBIN_FOOD, NANGANG_COOP]
    assert client.get(f"/api/entities/{HARBIN_FOOD}").json()["name"] == "冰城食品有限公司"
    assert client.get(f"/api/entities/{QIQIHAR_MCN}").status_code == 404


def test_city_officer_cannot_patch_another_city(client_for: ClientFor) -> None:
    client = client_for(HARBIN_OFFICER)
    assert client.patch(f"/api/entities/{QIQIHAR_MCN}", json={"name": "改名"}).status_code == 404
    assert client.patch(f"/api/entities/{HARBIN_FOOD}", json={"region": "齐齐哈尔"}).status_code == 403


def test_create_and_patch(client_for: ClientFor, seeded: Session) -> None:
    client = client_for(HARBIN_OFFICER)
    created = client.post(
        "/api/entities",
        json={"uscc": NEW_USCC, "name": "哈尔滨红肠有限公司", "kind": "企业", "region": "道外区", "founded_on": "2019-05-20"},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["region_code"], created.json()["kind"]) == ("230104", "enterprise")
    patched = client.patch(f"/api/entities/{NEW_USCC}", json={"local_producer": True})
    assert (patched.status_code, patched.json()["local_producer"]) == (200, True)
    assert [line.action for line in audit_lines(seeded) if line.actor == "hrb_officer"] == ["entity.create", "entity.update"]


def test_create_with_a_wrong_check_digit_is_422(client_for: ClientFor) -> None:
    answer = client_for(SYSTEM).post("/api/entities", json={"uscc": "91230100MA1B00004M", "name": "x", "kind": "企业", "region": "哈尔滨"})
    assert answer.status_code == 422
    assert "统一社会信用代码" in answer.text


def test_create_of_a_registered_uscc_is_422(client_for: ClientFor) -> None:
    answer = client_for(SYSTEM).post("/api/entities", json={"uscc": HARBIN_FOOD, "name": "x", "kind": "企业", "region": "哈尔滨"})
    assert answer.status_code == 422
    assert answer.json()["detail"] == f"统一社会信用代码 {HARBIN_FOOD} is already registered (主体已存在)"


def test_inspector_sees_nothing_and_may_not_create(client_for: ClientFor) -> None:
    client = client_for(INSPECTOR)
    assert client.get("/api/entities").json()["total"] == 0
    assert client.get(f"/api/entities/{HARBIN_FOOD}").status_code == 404
    answer = client.post("/api/entities", json={"uscc": NEW_USCC, "name": "x", "kind": "企业", "region": "哈尔滨"})
    assert answer.status_code == 403


def test_shops_streamers_bases(client_for: ClientFor) -> None:
    client = client_for(SYSTEM)
    assert [s["shop_id"] for s in client.get("/api/shops", params={"platform": "快手"}).json()["items"]] == ["KS002"]
    streamer = client.get("/api/streamers/douyin/ZB001").json()
    assert (streamer["phone"], streamer["real_name"], streamer["platform_name"]) == ("138****5678", "张*", "抖音")
    assert "13812345678" not in client.get("/api/streamers").text
    assert client.get("/api/bases/B001").json()["operator_uscc"] == HARBIN_FOOD
    assert client.get("/api/shops/douyin/NOPE").status_code == 404


def test_enterprise_sees_its_own_shops_only(client_for: ClientFor) -> None:
    client = client_for(ENTERPRISE)
    assert [s["shop_id"] for s in client.get("/api/shops").json()["items"]] == ["DY001"]
    assert client.get("/api/shops/kuaishou/KS002").status_code == 404


def test_anonymous_caller_gets_401(seeded: Session) -> None:
    app = FastAPI()
    app.include_router(api.router)
    assert TestClient(app).get("/api/entities").status_code == 401


def test_the_console_app_serves_the_registry_routes(seeded: Session) -> None:
    from livecommerce.web.app import create_app

    app = create_app()
    assert TestClient(app).get("/api/entities").status_code == 401
    app.dependency_overrides[deps._current_actor] = lambda: SYSTEM
    client = TestClient(app)
    assert client.get("/api/entities").json()["total"] == 3
    assert "冰城食品有限公司" in client.get("/entities").text
