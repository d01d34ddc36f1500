"""目标进度 on the hand-checkable province: the figures each target is measured by, the viewer's scope, and the page
where a province administrator corrects a target (audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.stats.goals import open_statuses
from tests.stats.conftest import load_hand_province
from tests.stats.test_exact import CityOfficer
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login

TODAY = date(2025, 3, 15)  # figures run to the end of the last complete month: 2025-02-28


def _by_code(actor: Any, settings: Settings) -> dict[str, dict[str, Any]]:
    return {s.target.code: s.to_json() for s in open_statuses(actor, settings, TODAY)}


def test_progress_of_the_2027_targets_from_the_warehouse_and_the_registry(hand_home: Settings) -> None:
    rows = _by_code(SystemActor(), hand_home)
    retail = rows["p2027-online-retail"]
    assert retail["as_of"] == "2025-02-28"
    assert retail["actual"] == "620.00"  # January 570.00 + February 50.00
    assert retail["on_track"] is False and "低于目标1,200.00亿元" in retail["statement"]
    assert rows["p2027-sellers-over-100m"]["actual"] == "0"
    assert rows["p2027-live-entities"]["actual"] == "2"  # the two entities of the registry
    assert rows["p2022-live-online-retail"]["reason"] == "数据仓库中没有2022年的直播带货销售额数据"
    assert "需由主管部门填报" in rows["p2027-demonstration-bases"]["reason"]


def test_a_city_officer_sees_province_targets_without_the_province_figures(hand_home: Settings) -> None:
    rows = _by_code(CityOfficer(), hand_home)
    retail = rows["p2027-online-retail"]
    assert "actual" not in retail and retail["reason"] == "黑龙江省的数据不在您的权限范围内"
    assert "heihe2022-live-online-retail" not in rows  # 黑河's targets are not hers


def test_an_administrator_corrects_a_target_and_the_audit_keeps_before_and_after(home: Settings) -> None:
    from livecommerce.accounts import service
    from livecommerce.accounts.models import AuditEntry
    from livecommerce.web.app import create_app

    load_hand_province()
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("harbin", "city_officer", scope_region="230100")
    with TestClient(create_app()) as client:
        assert submit_login(client, "admin", PASSWORD).status_code == 303
        board = client.get("/")
        assert 'id="goals-table"' in board.text and "到2027年底全省网络零售额突破1200亿元" in board.text
        assert "未达进度" in board.text  # 620 元 in two months is far from 1200亿
        page = client.get("/stats/targets")
        assert page.status_code == 200 and "到2027年底全省网络零售额突破1200亿元" in page.text and "修改" in page.text
        form = client.get("/stats/targets/p2027-online-retail/edit")
        data = {
            "csrf_token": hidden(form.text, "csrf_token"),
            "title": "到2027年底全省网络零售额突破1200亿元",
            "target_value": "130000000000.00",
            "comparison": "over",
            "period_start": "2025-01-01",
            "due_date": "2027-12-31",
            "note": "按省政府新要求调整",
        }
        bad = client.post("/stats/targets/p2027-online-retail/edit", data=data | {"target_value": "12.345"})
        assert bad.status_code == 422 and "保存失败" in bad.text
        saved = client.post("/stats/targets/p2027-online-retail/edit", data=data, follow_redirects=False)
        assert saved.status_code == 303
        assert "1,300.00亿元" in client.get("/stats/targets").text
        client.post("/logout", data={"csrf_token": hidden(client.get("/stats/targets").text, "csrf_token")})
        client.cookies.clear()
        assert submit_login(client, "harbin", PASSWORD).status_code == 303
        officer_form = client.get("/stats/targets")
        refused = client.post(
            "/stats/targets/p2027-online-retail/edit",
            data=data | {"csrf_token": hidden(officer_form.text, "csrf_token"), "target_value": "1"},
        )
        assert refused.status_code == 403
    with session_scope() as session:
        entries = session.query(AuditEntry).filter(AuditEntry.action == "target.update").all()
    assert len(entries) == 1 and entries[0].actor == "admin"
    assert '"target_value": "130000000000.00"' in entries[0].after or "130000000000" in entries[0].after
    assert "120000000000" in entries[0].before
