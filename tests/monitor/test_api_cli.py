"""The faces of the monitor's store: `livecommerce monitor alerts|silence|replay --record` (exit codes 0 and 2, JSON and
tables, the audit line of the CLI's operator) and /api/monitor with the same words, narrowed to the caller's scope
(the evening of tests/monitor/test_store.py: 哈尔滨's HRB-1 with a resolved stall and a firing sales spike, 齐齐哈尔's
QQ-1 with firing negative chat)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from livecommerce.accounts import service as accounts
from livecommerce.accounts.models import AuditEntry
from livecommerce.accounts.sessions import issue_token
from livecommerce.cli import app
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import Settings
from livecommerce.monitor.models import MonitorAlert, MonitorAlertHistory, MonitorMinute, MonitorSession
from tests.monitor.test_store import T0, load_registry, record_evening
from tests.web.conftest import PASSWORD, add_user

runner = CliRunner()


def cli(*args: str) -> Any:
    return runner.invoke(app, ["monitor", *args], catch_exceptions=False)


@pytest.fixture
def evening(home: Settings) -> Settings:
    load_registry()
    with session_scope() as session:
        record_evening(session)
    return home


def _alert_id(rule: str) -> int:
    with session_scope() as session:
        return session.scalars(select(MonitorAlert.id).where(MonitorAlert.rule == rule)).one()


# ---------------------------------------------------------------------------------------------------------- CLI


def test_alerts_list_filters_and_prints_json(evening: Settings) -> None:
    result = cli("alerts", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["total"] == 3
    assert [(a["rule"], a["state"], a["region"]) for a in document["alerts"]] == [
        ("negative-chat", "firing", "230202"),
        ("sales-spike", "firing", "230102"),
        ("stream-stalled", "resolved", "230102"),
    ]
    firing = json.loads(cli("alerts", "list", "--state", "firing", "--city", "哈尔滨", "--format", "json").stdout)
    assert [a["rule"] for a in firing["alerts"]] == ["sales-spike"]
    table = cli("alerts", "list", "--rule", "negative-chat")
    assert table.exit_code == 0 and "负面舆情" in table.stdout and "齐齐哈尔市龙沙区" in table.stdout


def test_alerts_list_refuses_a_wrong_filter_with_exit_2(evening: Settings) -> None:
    for args, said in (
        (("--state", "burning"), "state 'burning'"),
        (("--city", "火星"), "city '火星'"),
        (("--rule", "no-such"), "rule 'no-such'"),
        (("--format", "xml"), "--format 'xml'"),
    ):
        result = cli("alerts", "list", *args)
        assert result.exit_code == 2, args
        assert said in result.output


def test_alerts_show_prints_the_history_and_an_unknown_id_is_exit_2(evening: Settings) -> None:
    result = cli("alerts", "show", str(_alert_id("sales-spike")))
    assert result.exit_code == 0, result.output
    assert "订单异常激增" in result.stdout
    assert "2025-11-11T20:01:40+08:00  待定" in result.stdout and "2025-11-11T20:02:10+08:00  告警" in result.stdout
    missing = cli("alerts", "show", "999")
    assert missing.exit_code == 2 and "no alert 999" in missing.output


def test_alerts_ack_records_assignee_note_and_the_operator(evening: Settings) -> None:
    alert_id = _alert_id("sales-spike")
    result = cli("alerts", "ack", str(alert_id), "--assignee", "张伟", "--note", "已联系主播核实订单")
    assert result.exit_code == 0, result.output
    assert f"预警 #{alert_id} 已认领: 负责人 张伟" in result.stdout
    shown = json.loads(cli("alerts", "show", str(alert_id), "--format", "json").stdout)
    assert (shown["assignee"], shown["note"], shown["acknowledged_by"]) == ("张伟", "已联系主播核实订单", "cli")
    assert [(a["by"], a["assignee"]) for a in shown["acks"]] == [("cli", "张伟")]
    with session_scope() as session:
        line = session.scalars(select(AuditEntry).where(AuditEntry.action == "monitor.acknowledge")).one()
        assert (line.actor, line.target_id) == ("cli", str(alert_id))
    assert cli("alerts", "ack", "999", "--assignee", "张伟").exit_code == 2
    empty = cli("alerts", "ack", str(alert_id), "--assignee", " ")
    assert empty.exit_code == 2 and "assignee: required" in empty.output


def test_silence_add_list_expire(evening: Settings) -> None:
    added = cli(
        "silence",
        "add",
        "--match",
        "region=2301*",
        "--match",
        "rule=stream-stalled",
        "--for",
        "2h",
        "--comment",
        "哈尔滨平台维护",
        "--format",
        "json",
    )
    assert added.exit_code == 0, added.output
    silence = json.loads(added.stdout)
    assert (silence["matchers"], silence["region"], silence["active"], silence["created_by"]) == (
        {"region": "2301*", "rule": "stream-stalled"},
        "230100",
        True,
        "cli",
    )
    listed = cli("silence", "list")
    assert listed.exit_code == 0 and f"#{silence['id']}" in listed.stdout and "region=2301* rule=stream-stalled" in listed.stdout
    assert cli("silence", "expire", str(silence["id"])).exit_code == 0
    assert "没有未结束的静默" in cli("silence", "list").stdout
    again = cli("silence", "expire", str(silence["id"]))
    assert again.exit_code == 2 and "ended already" in again.output
    assert cli("silence", "expire", "999").exit_code == 2


def test_silence_add_refuses_wrong_input_with_exit_2(evening: Settings) -> None:
    cases = [
        (("--match", "region=2301*", "--for", "2x"), "--for '2x'"),
        (("--match", "region=2301*", "--for", "0m"), "longer than zero"),
        (("--match", "colour=red", "--for", "30m"), "unknown label"),
        (("--match", "region", "--for", "30m"), "label=value"),
        (("--match", "region=9999*", "--for", "30m"), "matches no known region"),
        (("--match", "region=2301*", "--for", "31d"), "at most 30 days"),
        (("--match", "region=2301*", "--for", "30m", "--starts", "tonight"), "--starts 'tonight'"),
    ]
    for args, said in cases:
        result = cli("silence", "add", *args, "--comment", "维护")
        assert result.exit_code == 2, args
        assert said in result.output, (args, result.output)
    assert json.loads(cli("silence", "list", "--format", "json").stdout) == []


def _stall_file(tmp_path: Path) -> Path:
    """Session A (哈尔滨市道里区, shop DY-HRB) sends viewers at 20:00:00 and 20:00:01 and then nothing, while B goes on
    until 20:01:15: A has stalled for 60 s at 20:01:01."""
    lines = [
        {
            "platform": "douyin",
            "session_id": "A",
            "ts": (T0 + s) * 1000,
            "kind": "viewers",
            "online": 500,
            "region": "230102",
            "shop_id": "DY-HRB",
        }
        for s in (0, 1)
    ]
    lines += [
        {"platform": "douyin", "session_id": "B", "ts": (T0 + s) * 1000, "kind": "like", "count": 1, "region": "230202"}
        for s in range(0, 80, 5)
    ]
    path = tmp_path / "stall.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in sorted(lines, key=lambda x: x["ts"])), encoding="utf-8")
    return path


def test_replay_record_stores_what_it_saw_once(home: Settings, tmp_path: Path) -> None:
    load_registry()
    path = _stall_file(tmp_path)

    def counts() -> tuple[int, ...]:
        with session_scope() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model))
                for model in (MonitorSession, MonitorMinute, MonitorAlert, MonitorAlertHistory)
            )

    first = cli("replay", str(path), "--format", "jsonl", "--record")
    assert first.exit_code == 0, first.output
    assert [json.loads(line)["at"] for line in first.stdout.splitlines()] == ["2025-11-11T20:01:01+08:00"]
    stored = counts()
    assert stored == (2, 3, 1, 1)  # sessions A and B; minutes: A 20:00, B 20:00 and 20:01; one alert, one transition
    assert cli("replay", str(path), "--format", "jsonl", "--record").exit_code == 0
    assert counts() == stored
    listed = json.loads(cli("alerts", "list", "--format", "json").stdout)["alerts"]
    assert [(a["rule"], a["state"], a["session_id"], a["region_name"]) for a in listed] == [
        ("stream-stalled", "firing", "A", "哈尔滨市道里区")
    ]


# ---------------------------------------------------------------------------------------------------------- API


@pytest.fixture
def api(evening: Settings) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The app and a bearer token per user: analyst, hrb (哈尔滨's officer), qq (齐齐哈尔's), feed (a platform)."""
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    users = {
        "analyst": ("province_analyst", {}),
        "hrb": ("city_officer", {"scope_region": "230100"}),
        "qq": ("city_officer", {"scope_region": "230200"}),
        "feed": ("platform", {}),
    }
    tokens = {}
    for name, (role, scope) in users.items():
        add_user(name, role, **scope)
        with session_scope() as session:
            user = accounts.get_user_by_username(session, SystemActor(), name)
            tokens[name] = {"Authorization": f"Bearer {issue_token(session, SystemActor(), user.id, 'test').token}"}
    with TestClient(create_app()) as client:
        yield client, tokens


def test_api_alerts_are_narrowed_to_the_callers_city(api: Any) -> None:
    client, auth = api
    hrb = client.get("/api/monitor/alerts", headers=auth["hrb"]).json()
    assert (hrb["total"], sorted(a["rule"] for a in hrb["alerts"])) == (2, ["sales-spike", "stream-stalled"])
    qq = client.get("/api/monitor/alerts?state=firing", headers=auth["qq"]).json()
    assert [(a["rule"], a["region_name"], a["title"]) for a in qq["alerts"]] == [("negative-chat", "齐齐哈尔市龙沙区", "负面舆情")]
    negative = _alert_id("negative-chat")
    assert client.get(f"/api/monitor/alerts/{negative}", headers=auth["hrb"]).status_code == 404
    detail = client.get(f"/api/monitor/alerts/{negative}", headers=auth["qq"]).json()
    assert [(h["state"], h["at"]) for h in detail["history"]] == [("firing", "2025-11-11T20:03:20+08:00")]
    bad = client.get("/api/monitor/alerts?rule=no-such", headers=auth["analyst"])
    assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "rule"
    assert client.get("/api/monitor/alerts").status_code == 401


def test_api_sessions_and_one_session(api: Any) -> None:
    client, auth = api
    listed = client.get("/api/monitor/sessions", headers=auth["hrb"]).json()
    assert [(s["session_id"], s["gmv"], s["alerts_firing"]) for s in listed] == [("HRB-1", "434.50", 1)]
    one = client.get("/api/monitor/sessions/douyin/HRB-1", headers=auth["hrb"]).json()
    assert [m["gmv"] for m in one["minutes"]] == ["300.00", "134.50"] and one["hits"][0]["text"] == "包治百病"
    assert client.get("/api/monitor/sessions/douyin/QQ-1", headers=auth["hrb"]).status_code == 404
    assert client.get("/api/monitor/sessions?status=dancing", headers=auth["hrb"]).status_code == 422


def test_api_acknowledge(api: Any) -> None:
    client, auth = api
    spike = _alert_id("sales-spike")
    done = client.post(f"/api/monitor/alerts/{spike}/ack", json={"assignee": "张伟", "note": "核实中"}, headers=auth["hrb"])
    assert done.status_code == 200, done.text
    assert (done.json()["assignee"], done.json()["note"], done.json()["acknowledged_by"]) == ("张伟", "核实中", "hrb")
    assert client.post(f"/api/monitor/alerts/{spike}/ack", json={"assignee": "王"}, headers=auth["qq"]).status_code == 404
    missing = client.post(f"/api/monitor/alerts/{spike}/ack", json={"note": "x"}, headers=auth["hrb"])
    assert missing.status_code == 422 and missing.json()["problems"][0]["column"] == "assignee"
    not_json = client.post(f"/api/monitor/alerts/{spike}/ack", content=b"assignee=x", headers=auth["hrb"])
    assert not_json.status_code == 400
    acked = client.get("/api/monitor/alerts?acknowledged=true", headers=auth["analyst"]).json()
    assert [a["id"] for a in acked["alerts"]] == [spike]


def test_api_silences(api: Any) -> None:
    client, auth = api
    made = client.post(
        "/api/monitor/silences", json={"matchers": {"region": "230102"}, "duration": "30m", "comment": "道里区断网"}, headers=auth["hrb"]
    )
    assert made.status_code == 201, made.text
    silence = made.json()
    assert (silence["region_name"], silence["active"], silence["created_by"]) == ("哈尔滨市道里区", True, "hrb")
    assert [s["id"] for s in client.get("/api/monitor/silences", headers=auth["hrb"]).json()] == [silence["id"]]
    assert client.get("/api/monitor/silences", headers=auth["qq"]).json() == []
    both = client.post(
        "/api/monitor/silences",
        json={"matchers": {"region": "230102"}, "duration": "30m", "ends": "2099-01-01T00:00:00", "comment": "x"},
        headers=auth["hrb"],
    )
    assert both.status_code == 422
    wrong = client.post(
        "/api/monitor/silences", json={"matchers": {"region": "230102"}, "duration": "soon", "comment": "x"}, headers=auth["hrb"]
    )
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["column"] == "duration"
    assert client.post(f"/api/monitor/silences/{silence['id']}/expire", headers=auth["qq"]).status_code == 404
    ended = client.post(f"/api/monitor/silences/{silence['id']}/expire", headers=auth["hrb"])
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert client.post(f"/api/monitor/silences/{silence['id']}/expire", headers=auth["hrb"]).status_code == 422


def test_api_events_need_a_platform_token_and_json_lines(api: Any) -> None:
    client, auth = api
    body = b'{"platform": "douyin", "session_id": "X"}\n'
    assert client.post("/api/monitor/events", content=body, headers={**auth["hrb"], "content-type": "text/plain"}).status_code == 403
    assert client.post("/api/monitor/events", content=body, headers={**auth["feed"], "content-type": "application/json"}).status_code == 415
    pytest.importorskip("livecommerce.monitor.hub")
    good = json.dumps(
        {"platform": "douyin", "session_id": "LIVE-1", "ts": int(time.time() * 1000), "kind": "viewers", "online": 10, "total": 12}
    )
    answer = client.post(
        "/api/monitor/events",
        content=(good + "\n" + "not json\n").encode(),
        headers={**auth["feed"], "content-type": "application/x-ndjson"},
    )
    assert answer.status_code == 202, answer.text
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (1, 1)


def test_the_api_is_documented(api: Any) -> None:
    client, _ = api
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/monitor/sessions",
        "/api/monitor/sessions/{platform}/{session_id}",
        "/api/monitor/alerts",
        "/api/monitor/alerts/{alert_id}",
        "/api/monitor/alerts/{alert_id}/ack",
        "/api/monitor/silences",
        "/api/monitor/silences/{silence_id}/expire",
        "/api/monitor/events",
    ):
        assert path in paths, path
    assert "application/x-ndjson" in paths["/api/monitor/events"]["post"]["requestBody"]["content"]
    assert "assignee" in json.dumps(paths["/api/monitor/alerts/{alert_id}/ack"]["post"]["requestBody"])
