"""The console's frame: navigation, 建设中 pages, 数据接入概况's batches, offline docs, assets, security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from livecommerce.core.settings import Settings
from livecommerce.web import home as web_home
from livecommerce.web.app import create_app
from livecommerce.web.nav import NAV

NAV_LABELS = "总览 统计分析 直播监测 预警中心 政策兑现 合规检测 主体库 数据接入 报告 系统管理".split()


def test_navigation_has_every_capability_in_order(logged_in: Callable[[str], TestClient]) -> None:
    page = logged_in("admin").get("/").text
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    assert re.findall(r">([^<>]+)</a>", nav) == NAV_LABELS
    assert [item.label for item in NAV] == NAV_LABELS


def test_pages_not_built_yet_say_so(logged_in: Callable[[str], TestClient]) -> None:
    page = logged_in("admin").get("/reports")
    assert page.status_code == 200 and "建设中" in page.text and "<h1>报告</h1>" in page.text


def test_header_shows_scope_user_and_logout(logged_in: Callable[[str], TestClient]) -> None:
    page = logged_in("admin").get("/").text
    assert "数据范围：<strong>全省</strong>" in page
    assert "系统管理员" in page and 'action="/logout"' in page


def fake_ingest(batches: list[object], counts: dict[str, int]) -> SimpleNamespace:
    return SimpleNamespace(list_batches=lambda actor, limit=50: batches, table_counts=lambda actor: counts)


def test_home_lists_batches_rows_per_feed_and_rejections(logged_in: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    batch = SimpleNamespace(
        batch="b-0001",
        feed="orders",
        sources="orders_2025-01.csv",
        sha256="ab" * 32,
        read=120,
        accepted=117,
        rejected=3,
        replaced=2,
        actor="admin",
        status="loaded",
        started_at=datetime(2025, 1, 31, 1, 30, tzinfo=UTC),
    )
    monkeypatch.setattr(web_home, "_ingest_service", lambda: fake_ingest([batch], {"orders": 1234567}))
    page = logged_in("admin").get("/ingest/overview").text
    assert "平台订单明细" in page and "1,234,567" in page
    assert "orders_2025-01.csv" in page and "2025-01-31 09:30" in page  # Shanghai time
    assert 'href="/ingest/batches/b-0001/rejected.csv"' in page


def test_home_without_ingest_read_says_so(logged_in: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import add_user

    monkeypatch.setattr(web_home, "_ingest_service", lambda: fake_ingest([], {}))
    add_user("audit", "auditor")
    assert "无数据接入查看权限" in logged_in("audit").get("/ingest/overview").text


def test_docs_work_offline(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert urls and all(url.startswith("/static/vendor/") for url in urls), urls
    assert "://" not in page.text
    assert client.get("/openapi.json").json()["info"]["title"] == "龙江直播电商监测服务平台"


def test_pages_reference_nothing_off_site(client: TestClient, logged_in: Callable[[str], TestClient]) -> None:
    assert "://" not in client.get("/login").text
    logged_in("admin")
    for path in ("/", "/screen", "/admin", "/stats", "/stats/rank", "/ingest/overview"):
        assert "://" not in client.get(path).text


def test_vendor_assets_come_from_assets_dir(home: Settings, tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    (assets / "swagger-ui").mkdir(parents=True)
    (assets / "swagger-ui" / "swagger-ui.css").write_text("/* local */", encoding="utf-8")
    with TestClient(create_app(home.model_copy(update={"assets_dir": assets}))) as client:
        response = client.get("/static/vendor/swagger-ui/swagger-ui.css")
        assert response.status_code == 200 and response.text == "/* local */"
        assert client.get("/static/css/app.css").status_code == 200


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def test_unknown_page_is_a_chinese_404(logged_in: Callable[[str], TestClient]) -> None:
    page = logged_in("admin").get("/no-such-page")
    assert page.status_code == 404 and "页面不存在" in page.text
