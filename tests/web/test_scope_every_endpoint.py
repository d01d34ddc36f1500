"""A city officer cannot read another city's rows through any endpoint (DESIGN.md: Scopes).

Every GET route of the app is called as 哈尔滨's officer, with its path parameters filled with the keys of
齐齐哈尔's rows; no response may contain any of them. A new route with a new parameter makes this test fail until
the parameter is added below, so no endpoint escapes the check.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from livecommerce.accounts import service as accounts
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.web.conftest import PASSWORD, add_user, submit_login

HARBIN_USCC = "91230184MA1BXKXE7G"
QIQIHAR_USCC = "91230202MA1C00001X"
QIQIHAR_MARKERS = ("鹤城绿色食品", "DY-QQ", "QQ-STREAMER", "QQ-BASE", "QQ-ORDER", "qqofficer")


def _valid(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _seed(tmp: Path) -> str:
    """Rows of 哈尔滨 and 齐齐哈尔 in every table; returns the batch that holds 齐齐哈尔's rejected order."""
    qq = _valid(QIQIHAR_USCC[:17])
    system = SystemActor(name="seed")
    ingest(
        "entities",
        [
            _write(
                tmp / "e.csv",
                f"uscc,name,kind,region\n{HARBIN_USCC},五常稻花香米业,enterprise,230184\n{qq},鹤城绿色食品有限公司,enterprise,230202\n",
            )
        ],
        system,
    )
    ingest(
        "shops",
        [
            _write(
                tmp / "s.csv",
                "platform,shop_id,shop_name,uscc,region\n"
                f"douyin,DY-HRB,稻花香旗舰店,{HARBIN_USCC},230184\ndouyin,DY-QQ,鹤城旗舰店,{qq},230202\n",
            )
        ],
        system,
    )
    ingest(
        "streamers",
        [
            _write(
                tmp / "t.csv",
                "platform,streamer_id,nickname,uscc,region,phone\n"
                f"douyin,HRB-STREAMER,冰城小米,{HARBIN_USCC},230184,13800001111\n"
                f"douyin,QQ-STREAMER,鹤城大叔,{qq},230202,13900002222\n",
            )
        ],
        system,
    )
    ingest(
        "bases",
        [
            _write(
                tmp / "b.csv",
                f"base_id,name,operator_uscc,region\nHRB-BASE,五常直播基地,{HARBIN_USCC},230184\nQQ-BASE,鹤城直播基地,{qq},230202\n",
            )
        ],
        system,
    )
    header = "platform,order_id,shop_id,seller_region,product_id,product_name,category,local_product,physical,channel,paid_at,paid_amount\n"
    orders = _write(
        tmp / "o.csv",
        header + "douyin,HRB-ORDER,DY-HRB,230184,P1,五常大米,crops,1,1,live,2025-03-01 10:00,100\n"
        "douyin,QQ-ORDER,DY-QQ,230202,P2,鹤城大豆,crops,1,1,live,2025-03-01 10:00,-5\n",
    )
    return ingest("orders", [orders], system).batch


def _policy_run() -> int:
    """A policy run of 2025 in which both cities' entities get an award (a declared recognition each)."""
    from livecommerce.policy import service as policy

    declared = {
        "year": 2025,
        "entities": [
            {"id": uscc, "uscc": uscc, "kind": "enterprise", "facts": {"national_demo_enterprise_recognized": 2025}}
            for uscc in (HARBIN_USCC, _valid(QIQIHAR_USCC[:17]))
        ],
    }
    with session_scope() as session:
        return policy.start_run(session, SystemActor(name="seed"), 2025, declared=declared, declared_name="申报.json").id


def _monitor_seed() -> None:
    """A live session of 齐齐哈尔's shop (ended, stored) with a firing alert; SSE streams send one snapshot and end."""
    from livecommerce.monitor import recording
    from livecommerce.monitor.alerts import Transition, fingerprint
    from livecommerce.monitor.state import SessionState

    windows = dict.fromkeys(("viewers-drop", "sales-spike", "refund-surge", "negative-chat", "complaint-surge"), 60.0)
    state = SessionState("douyin", "DY-QQ-LIVE1", 1740830400.0, windows)
    state.labels.update(shop="DY-QQ", streamer="QQ-STREAMER", region="230202")
    state.status, state.ended_at = "ended", 1740830580.0
    labels = dict(state.labels)
    alert = Transition(
        "stream-stalled", "firing", 1740830500.0, labels, "DY-QQ 60 s 无事件", "critical", fingerprint("stream-stalled", labels)
    )
    with session_scope() as session:
        recording.record(session, transitions=[alert], sessions=[state])


@pytest.fixture
def harbin_client(home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    from livecommerce.monitor import pages as monitor_pages
    from livecommerce.web.app import create_app

    batch = _seed(tmp_path)
    _policy_run()
    _monitor_seed()
    monkeypatch.setattr(monitor_pages, "STREAM_SECONDS", 0)
    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("hrbofficer", "city_officer", scope_region="230100")
    add_user("qqofficer", "city_officer", scope_region="230200", display_name="鹤城绿色食品")
    with TestClient(create_app()) as client:
        assert submit_login(client, "hrbofficer", PASSWORD).status_code == 303
        yield client, batch


def _routes(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Every APIRoute of the app with its full path (FastAPI nests included routers)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            context = route.include_context
            extra = context.get("prefix", "") if isinstance(context, dict) else getattr(context, "prefix", "")
            yield from _routes(route.original_router.routes, prefix + (extra or ""))


def _text(response) -> str:  # type: ignore[no-untyped-def]
    if "spreadsheet" in response.headers.get("content-type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        return " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row)
    return response.content.decode("utf-8", errors="replace")


def test_no_get_endpoint_shows_another_citys_rows(harbin_client) -> None:  # type: ignore[no-untyped-def]
    client, batch = harbin_client
    with session_scope() as session:
        qq_user = accounts.get_user_by_username(session, SystemActor(), "qqofficer").id
    values = {
        "uscc": _valid(QIQIHAR_USCC[:17]),
        "platform": "douyin",
        "shop_id": "DY-QQ",
        "streamer_id": "QQ-STREAMER",
        "base_id": "QQ-BASE",
        "batch": batch,
        "user_id": str(qq_user),
        "code": "heihe2022-live-online-retail",
        "city_code": "230200",
        "run_id": "1",
        "entity_id": _valid(QIQIHAR_USCC[:17]),
        "session_id": "DY-QQ-LIVE1",
        "alert_id": "1",
        "token_id": "1",
    }
    urls = {
        "/api/entities?region=230200",
        "/entities?region=230200",
        "/entities/export.xlsx?region=230200",
        "/api/shops?region=230200",
        "/api/streamers?region=230200",
        "/api/bases?region=230200",
        "/api/stats/query?indicator=online_retail&by=county&period=2025",
        "/api/stats/query?indicator=online_retail&by=city&region=230200&period=2025-03&compare=yoy",
        "/api/stats/query.xlsx?indicator=online_retail&by=county&period=2025",
        "/api/stats/rank?indicator=online_retail&of=product&period=2025",
        "/api/stats/rank?indicator=online_retail&of=shop&period=2025",
        "/api/stats/rank.xlsx?indicator=online_retail&of=entity&period=2025",
        "/?region=230200&period=2025-03",
        "/?period=2025-03",
        "/screen?region=230200&period=2025-03",
        "/stats?indicator=online_retail&by=county&region=230200&period=2025",
        "/stats?indicator=online_retail&by=county,platform&period=2025",
        "/stats/rank?indicator=online_retail&of=shop&period=2025",
        "/stats/rank?indicator=online_retail&of=entity&region=230200&period=2025",
        "/api/policy/runs/1/awards?city=230200",
        "/api/policy/runs/1/awards?granted=all",
        "/api/policy/runs/1/awards.xlsx?city=230200",
        "/policy/runs/1?city=230200",
        "/policy/runs/1?granted=all",
        "/monitor?city=230200",
        "/monitor/stream?city=230200",
        "/alerts?city=230200",
        "/alerts?state=firing",
        "/api/monitor/sessions?city=230200",
        "/api/monitor/alerts?city=230200",
        "/api/monitor/silences",
    }
    for path, route in _routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in route.methods or path in ("/logout",):
            continue
        for name in route.param_convertors:
            assert name in values, f"{path}: add a value for parameter {name!r} to this test"
            path = path.replace("{" + name + "}", values[name])
        urls.add(path)
    assert len(urls) > 20
    for url in sorted(urls):
        response = client.get(url, follow_redirects=False)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if any(marker in url for marker in QIQIHAR_MARKERS):
            assert response.status_code in (303, 403, 404), f"{url}: {response.status_code}"
        body = _text(response)
        # a "not found" may repeat the key it was asked for; nothing else of 齐齐哈尔's may appear
        leaked = [marker for marker in QIQIHAR_MARKERS if marker in body and marker not in url]
        assert not leaked, f"{url} shows {leaked}"
    # and the officer does see her own city's rows
    assert "五常稻花香米业" in client.get("/api/entities").text
    assert "DY-HRB" in client.get("/api/shops").text
    assert "五常稻花香米业" in client.get("/api/policy/runs/1/awards").text


def test_no_monitor_write_reaches_another_citys_alerts(harbin_client) -> None:  # type: ignore[no-untyped-def]
    """The POST routes of /api/monitor as 哈尔滨's officer: 齐齐哈尔's alert and silence are not there for her, a
    silence must stay inside her city, and live events need a platform's token (monitor.ingest)."""
    from datetime import timedelta

    from livecommerce.core.timeutil import now
    from livecommerce.monitor import service as monitor
    from tests.web.conftest import hidden

    client, _ = harbin_client
    client.headers["X-CSRF-Token"] = hidden(client.get("/entities").text, "csrf_token")
    with session_scope() as session:
        qq_silence = monitor.create_silence(
            session, SystemActor(), matchers={"region": "2302*"}, starts=now(), ends=now() + timedelta(hours=1), comment="鹤城维护"
        )["id"]
    assert client.post("/api/monitor/alerts/1/ack", json={"assignee": "张", "note": ""}).status_code == 404
    assert client.post(f"/api/monitor/silences/{qq_silence}/expire").status_code == 404
    refused = client.post("/api/monitor/silences", json={"matchers": {"region": "2302*"}, "duration": "1h", "comment": "x"})
    assert refused.status_code == 403
    own = client.post("/api/monitor/silences", json={"matchers": {"region": "2301*"}, "duration": "1h", "comment": "x"})
    assert own.status_code == 201, own.text
    events = client.post("/api/monitor/events", content=b"{}\n", headers={"content-type": "application/x-ndjson"})
    assert events.status_code == 403
    assert [s["id"] for s in client.get("/api/monitor/silences").json()] == [own.json()["id"]]
