"""The auditor's faces of the audit log: the page /admin/audit, GET /api/audit, its XLSX export and `audit list`;
and the refusals that are audited (403 denied, CSRF, API 401 with a bearer token)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from livecommerce.accounts import audit, service
from livecommerce.accounts.models import AuditEntry
from livecommerce.cli import app as cli_app
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app
from tests.web.conftest import PASSWORD, add_user, submit_login

# 2026-12-01 23:59:59 and 2026-12-02 00:00:00 in Shanghai are 15:59:59 and 16:00:00 UTC on 2026-12-01
LAST_OF_DEC_1 = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)
FIRST_OF_DEC_2 = datetime(2026, 12, 1, 16, 0, 0, tzinfo=UTC)


def add_line(
    actor: str,
    action: str,
    at: datetime,
    target: tuple[str, str] = ("user", "9"),
    before: object = None,
    after: object = None,
    outcome: str = "ok",
) -> None:
    with session_scope() as session:
        audit.record(session, actor, action, target[0], target[1], before, after, outcome=outcome).at = at


@pytest.fixture
def app_client(home: Settings) -> Iterator[TestClient]:
    """The app on a fresh home: admin, an auditor 'aud', 哈尔滨's officer 'hrb', and the lines of the dates above."""
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("aud", "auditor")
    add_user("hrb", "city_officer", scope_region="230100")
    add_line("admin", "users.update", LAST_OF_DEC_1, before={"role": "city_officer"}, after={"role": "auditor"})
    add_line("admin", "users.update", FIRST_OF_DEC_2, before={"role": "auditor"}, after={"role": "province_analyst"})
    add_line("hrb", "entity.update", FIRST_OF_DEC_2, ("entity", "91230184MA1BXKXE7G"), {"name": "旧名"}, {"name": "新名"})
    with TestClient(create_app()) as client:
        yield client


def logged_in(client: TestClient, username: str) -> TestClient:
    assert submit_login(client, username, PASSWORD).status_code == 303
    return client


def lines(action: str) -> list[AuditEntry]:
    with session_scope() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_day_is_a_day_in_shanghai_both_ends_included(app_client: TestClient) -> None:
    client = logged_in(app_client, "aud")
    answer = client.get("/api/audit", params={"from": "2026-12-02", "to": "2026-12-02"}).json()
    assert answer["total"] == 2 and [item["actor"] for item in answer["items"]] == ["hrb", "admin"]
    answer = client.get("/api/audit", params={"from": "2026-12-01", "to": "2026-12-01"}).json()
    assert answer["total"] == 1 and answer["items"][0]["at"] == "2026-12-01T23:59:59+08:00"
    assert client.get("/api/audit", params={"to": "2026-12-02"}).json()["total"] == 3


def test_the_api_filters_by_actor_action_and_target(app_client: TestClient) -> None:
    client = logged_in(app_client, "aud")
    by_actor = client.get("/api/audit", params={"actor": "hrb", "action": "entity.update"}).json()
    assert by_actor["total"] == 1
    item = by_actor["items"][0]
    assert (item["action_label"], item["target_label"], item["target_id"]) == ("修改主体", "主体", "91230184MA1BXKXE7G")
    assert item["summary"] == "name: 旧名 → 新名" and item["before"] == {"name": "旧名"} and len(item["hash"]) == 64
    assert client.get("/api/audit", params={"target_type": "user", "target_id": "9"}).json()["total"] == 2
    assert client.get("/api/audit", params={"target_type": "entity"}).json()["total"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1001",
        "offset=-1",
        "from=2026-13-01",
        "from=2026-12-09&to=2026-12-01",
        "actor=" + "x" * 65,
        "from=0001-01-01",
        "to=9999-12-31",
        "target_id=%00",
    ],
)
def test_the_api_refuses_what_is_out_of_bounds_with_a_422(app_client: TestClient, query: str) -> None:
    response = logged_in(app_client, "aud").get(f"/api/audit?{query}")
    assert response.status_code == 422, response.text


def test_the_api_pages_with_limit_and_offset_newest_first(app_client: TestClient) -> None:
    client = logged_in(app_client, "aud")
    everything = client.get("/api/audit", params={"limit": 1000}).json()
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids, reverse=True) and everything["total"] == len(ids)
    second = client.get("/api/audit", params={"limit": 2, "offset": 2}).json()
    assert [item["id"] for item in second["items"]] == ids[2:4] and second["total"] == everything["total"]


def test_only_audit_read_may_read_it_and_the_refusal_is_audited(app_client: TestClient) -> None:
    client = logged_in(app_client, "hrb")
    assert client.get("/api/audit").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.xlsx").status_code == 403
    denied = lines("denied")
    assert [(line.actor, line.target_type, line.target_id, line.outcome) for line in denied] == [
        ("hrb", "request", "GET /api/audit", "refused"),
        ("hrb", "request", "GET /admin/audit", "refused"),
        ("hrb", "request", "GET /admin/audit/export.xlsx", "refused"),
    ]
    assert json.loads(denied[0].after or "{}")["status"] == 403 and "audit.read" in (denied[0].after or "")


def test_a_csrf_refusal_is_audited_as_csrf(app_client: TestClient) -> None:
    client = logged_in(app_client, "aud")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert [(line.actor, line.action, line.target_id, line.outcome) for line in lines("csrf")] == [
        ("aud", "csrf", "POST /logout", "refused")
    ]
    assert lines("denied") == []


def test_a_bad_bearer_token_is_audited_but_an_anonymous_visit_is_not(app_client: TestClient) -> None:
    assert app_client.get("/api/audit", headers={"Authorization": "Bearer lc_forged"}).status_code == 401
    assert app_client.get("/api/audit").status_code == 401
    assert app_client.get("/admin/audit", follow_redirects=False).status_code == 303
    assert [(line.actor, line.target_id, line.outcome) for line in lines("auth")] == [("", "GET /api/audit", "refused")]
    assert lines("denied") == []


def test_the_page_shows_labels_summaries_and_pages_of_fifty(app_client: TestClient) -> None:
    for n in range(120):
        add_line("admin", "users.update", FIRST_OF_DEC_2, before={"role": "r"}, after={"role": f"r{n}"})
    client = logged_in(app_client, "aud")
    page = client.get("/admin/audit", params={"actor": "admin", "action": "users.update"})
    assert page.status_code == 200
    assert "共 122 条" in page.text and "第 1 / 3 页" in page.text and page.text.count("<tr>") == 51
    assert "修改用户" in page.text and "role: r → r119" in page.text and "已拒绝" not in page.text
    second = client.get("/admin/audit", params={"actor": "admin", "action": "users.update", "page": 2})
    assert "第 2 / 3 页" in second.text and "role: r → r69" in second.text and "role: r → r119" not in second.text
    assert 'href="/admin/audit?actor=admin&amp;action=users.update&amp;page=3"' in second.text
    assert client.get("/admin/audit", params={"page": 99}).status_code == 200  # beyond the end: the last page


def test_the_page_says_what_is_wrong_with_a_date(app_client: TestClient) -> None:
    page = logged_in(app_client, "aud").get("/admin/audit", params={"from": "2026-02-30"})
    assert page.status_code == 422 and "起始日期「2026-02-30」不是日期" in page.text


def test_the_export_holds_the_filtered_lines_and_is_itself_audited(app_client: TestClient) -> None:
    client = logged_in(app_client, "aud")
    response = client.get("/admin/audit/export.xlsx", params={"from": "2026-12-02", "to": "2026-12-02"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "审计日志" and "日期 2026-12-02 至 2026-12-02" in str(values[1][0]) and "共 2 条" in str(values[2][0])
    header = values[3]
    assert header[:4] == ["序号", "时间", "操作人", "操作"]
    data = values[4:]
    assert [(row[2], row[3], row[9]) for row in data] == [
        ("hrb", "修改主体", "name: 旧名 → 新名"),
        ("admin", "修改用户", "role: auditor → province_analyst"),
    ]
    assert data[1][1] == datetime(2026, 12, 2, 0, 0, 0)  # Shanghai wall time
    [download] = lines("download")
    assert (download.actor, download.target_type, download.target_id) == ("aud", "export", "audit_log")
    assert json.loads(download.after or "{}")["rows"] == 2


def test_the_admin_may_read_it_too(app_client: TestClient) -> None:
    client = logged_in(app_client, "admin")
    assert client.get("/admin/audit").status_code == 200
    assert client.get("/api/audit").json()["total"] >= 3


def test_audit_list_as_json_and_as_a_table(app_client: TestClient) -> None:
    result = CliRunner().invoke(
        cli_app, ["audit", "list", "--actor", "admin", "--from", "2026-12-02", "--to", "2026-12-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["total"] == 1 and answer["items"][0]["summary"] == "role: auditor → province_analyst"
    table = CliRunner().invoke(cli_app, ["audit", "list", "--action", "entity.update"], terminal_width=200)
    assert table.exit_code == 0 and "修改主体" in table.output and "hrb" in table.output
    bad = CliRunner().invoke(cli_app, ["audit", "list", "--from", "yesterday"])
    assert bad.exit_code == 2 and "--from「yesterday」不是日期" in bad.output


def test_the_search_keeps_shanghai_days_on_both_backends(registry_home: Settings) -> None:
    """The same day boundary on SQLite (naive UTC text) and PostgreSQL (timestamptz)."""
    from livecommerce.accounts import audit_search
    from livecommerce.accounts.audit_search import AuditFilter
    from livecommerce.core.scope import SystemActor

    add_line("admin", "users.update", LAST_OF_DEC_1)
    add_line("admin", "users.update", FIRST_OF_DEC_2)
    december_2 = AuditFilter(date_from=datetime(2026, 12, 2).date(), date_to=datetime(2026, 12, 2).date())
    with session_scope() as session:
        found = audit_search.search(session, SystemActor(), december_2)
        assert found.total == 1 and audit_search.as_row(found.items[0])["at"].isoformat() == "2026-12-02T00:00:00+08:00"
        assert audit_search.count(session, SystemActor(), AuditFilter(date_to=datetime(2026, 12, 1).date())) == 1
