"""The faces of 合规检测: `livecommerce compliance scan|check|packs` (the JSON lines, exit codes 0/1/2 like grep, stdin,
--pack, a bad line named) and the API with the same words (one text or many records, bounds, packs, who may scan).

Offsets are counted by hand: 全網最低價 is characters 0–4 of its text, so [0, 5); 加V信 of 加V信领券 is [0, 3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.compliance import service
from livecommerce.core.settings import Settings
from tests.web.conftest import PASSWORD, add_user, hidden, submit_login

runner = CliRunner()
RECORDS = [{"id": 1, "text": "全網最低價"}, {"id": 2, "text": "第一次来直播间"}, {"id": "c", "text": "加V信领券"}]
AD_LAW_9 = "《中华人民共和国广告法》第九条第（三）项"
PRIVATE = "《网络直播营销行为规范（中国广告协会，2020）》条号未能核对"


def suggestion(rule: str) -> str:
    """A rule's suggestion, from the packs (the wording of the packs may be improved without touching this test)."""
    return next(r["suggestion"] for p in service.packs_table() for r in p["rules"] if r["id"] == rule)


def price_hit(start: int = 0) -> dict[str, Any]:
    return {
        "rule": "AD-ABS-PRICE",
        "category": "absolute",
        "severity": "medium",
        "law": AD_LAW_9,
        "start": start,
        "end": start + 5,
        "text": "全網最低價",
        "suggestion": suggestion("AD-ABS-PRICE"),
    }


def contact_hit() -> dict[str, Any]:
    return {
        "rule": "PF-PRIV-CONTACT",
        "category": "private-trade",
        "severity": "medium",
        "law": PRIVATE,
        "start": 0,
        "end": 3,
        "text": "加V信",
        "suggestion": suggestion("PF-PRIV-CONTACT"),
    }


def line(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def jsonl(tmp_path: Path, records: list[Any], name: str = "records.jsonl", blank: bool = False) -> str:
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text(("\n\n" if blank else "\n").join(lines) + "\n", encoding="utf-8")
    return str(path)


def cli(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, ["compliance", *args], input=stdin, catch_exceptions=False, terminal_width=200)


# ---------------------------------------------------------------------------------------------------------- CLI


def test_scan_writes_one_exact_json_line_per_record_and_exits_1(tmp_path: Path) -> None:
    result = cli("scan", jsonl(tmp_path, RECORDS, blank=True))
    assert result.exit_code == 1  # something was found (like grep)
    assert result.stdout.splitlines() == [
        line({"id": 1, "hits": [price_hit()]}),
        line({"id": 2, "hits": []}),  # 第一次 is a time order (指南 第六条第（六）项), not a superlative
        line({"id": "c", "hits": [contact_hit()]}),
    ]
    assert '"全網最低價"' in result.stdout  # ensure_ascii=False: the text as it was written


def test_scan_reads_standard_input_and_exits_0_when_clean() -> None:
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n"
    result = cli("scan", "-", stdin=stdin)
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 3
    clean = cli("scan", "-", stdin='{"id": "x", "text": "五常大米，第一次来直播间的宝宝点关注"}\n\n')
    assert clean.exit_code == 0
    assert clean.stdout == '{"id": "x", "hits": []}\n'


def test_pack_restricts_the_rules(tmp_path: Path) -> None:
    file = jsonl(tmp_path, RECORDS)
    result = cli("scan", file, "--pack", "platform")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        line({"id": 1, "hits": []}),
        line({"id": 2, "hits": []}),
        line({"id": "c", "hits": [contact_hit()]}),
    ]
    only_ad_law = cli("scan", file, "--pack", "ad-law", "--pack", "red-line")
    assert [json.loads(x)["hits"] for x in only_ad_law.stdout.splitlines()] == [[price_hit()], [], []]
    unknown = cli("scan", file, "--pack", "nope")
    assert unknown.exit_code == 2 and "no rule pack nope" in unknown.stderr


def test_a_bad_line_exits_2_naming_the_file_and_line(tmp_path: Path) -> None:
    file = jsonl(tmp_path, [RECORDS[0], "", '{"id": 3, "text": 全网}'], name="bad.jsonl")
    result = cli("scan", file)
    assert result.exit_code == 2
    assert f"{file} line 3: not JSON" in result.stderr  # the blank line 2 is skipped, and still counted
    not_a_record = cli("scan", "-", stdin='{"id": 1, "text": "好"}\n\n\n["a", "list"]\n')
    assert not_a_record.exit_code == 2
    assert '<stdin> line 4: a record is {"id": …, "text": "…"}' in not_a_record.stderr
    no_text = cli("scan", "-", stdin='{"id": 1, "words": "好"}\n')
    assert no_text.exit_code == 2 and "<stdin> line 1" in no_text.stderr
    missing = cli("scan", str(tmp_path / "missing.jsonl"))
    assert missing.exit_code == 2 and "cannot be read" in missing.stderr
    (tmp_path / "gbk.jsonl").write_bytes('{"id": 1, "text": "最好"}\n'.encode("gb18030"))
    not_utf8 = cli("scan", str(tmp_path / "gbk.jsonl"))
    assert not_utf8.exit_code == 2 and "line 1: not UTF-8" in not_utf8.stderr


def test_scan_table_shows_the_hits_in_chinese(tmp_path: Path) -> None:
    result = cli("scan", jsonl(tmp_path, RECORDS), "--format", "table")
    assert result.exit_code == 1
    for words in (
        "位置",
        "原文",
        "类别",
        "严重程度",
        "法律依据",
        "建议",
        "第 1–5 字",
        "全網最低價",
        "绝对化用语",
        "较重",
        "诱导私下交易",
        "共 3 条记录，2 条有违规，共 2 处",
    ):
        assert words in result.stdout, words
    assert cli("scan", jsonl(tmp_path, RECORDS), "--format", "xml").exit_code == 2


def test_check_marks_each_hit_and_exits_1() -> None:
    result = cli("check", "家人们，这款米是全網最低價，吃了能降血糖")
    assert result.exit_code == 1
    assert "家人们，这款米是【全網最低價】，吃了能【降血糖】" in result.stdout
    assert "共 2 处：绝对化用语 1 处，医疗功效宣称 1 处" in result.stdout
    assert "第 9–13 字" in result.stdout and "第 18–20 字" in result.stdout
    # hits of two categories that overlap (最好 [0, 2) and 好评返现 [1, 5)) are one marked run
    overlap = cli("check", "最好评返现")
    assert "【最好评返现】" in overlap.stdout and "【最】" not in overlap.stdout


def test_check_json_and_a_clean_text() -> None:
    result = cli("check", "全網最低價", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout) == {"hits": [price_hit()]}
    clean = cli("check", "第一次来直播间的宝宝点关注，最佳食用时间是开封后一个月内")
    assert clean.exit_code == 0 and "未发现违规用语" in clean.stdout and "【" not in clean.stdout
    assert cli("check", "全網最低價", "--pack", "platform").exit_code == 0


def test_packs_lists_each_pack_with_rules_per_category() -> None:
    result = cli("packs")
    assert result.exit_code == 0
    for words in ("ad-law", "广告法禁用语与违规宣称", "platform", "red-line", "绝对化用语 (absolute)", "诱导私下交易"):
        assert words in result.stdout, words
    document = json.loads(cli("packs", "--format", "json").stdout)
    assert [p["name"] for p in document] == ["ad-law", "claims", "platform", "red-line"]


# ---------------------------------------------------------------------------------------------------------- API


@pytest.fixture
def api(home: Settings) -> Iterator[TestClient]:
    """A client logged in as an enterprise user (the least of the console's roles); CSRF header set."""
    from livecommerce.accounts import service as accounts
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("shop", "enterprise", scope_entity="91230184MA1BXKXE7G")
    with TestClient(create_app()) as client:
        assert submit_login(client, "shop", PASSWORD).status_code == 303
        client.headers["X-CSRF-Token"] = hidden(client.get("/compliance").text, "csrf_token")
        yield client


def test_scan_one_text(api: TestClient) -> None:
    response = api.post("/api/compliance/scan", json={"text": "这款米是全網最低價"})
    assert response.status_code == 200
    assert response.json() == {"hits": [price_hit(start=4)]}
    assert api.post("/api/compliance/scan", json={"text": "全網最低價", "packs": ["platform"]}).json() == {"hits": []}


def test_scan_records_in_order_with_their_ids(api: TestClient) -> None:
    response = api.post("/api/compliance/scan", json={"records": RECORDS})
    assert response.status_code == 200
    assert response.json() == {"results": [{"id": 1, "hits": [price_hit()]}, {"id": 2, "hits": []}, {"id": "c", "hits": [contact_hit()]}]}
    restricted = api.post("/api/compliance/scan", json={"records": RECORDS, "packs": ["platform"]}).json()
    assert [r["hits"] for r in restricted["results"]] == [[], [], [contact_hit()]]
    numbered = api.post("/api/compliance/scan", json={"records": [{"text": "好"}, {"text": "加V信"}]}).json()
    assert [r["id"] for r in numbered["results"]] == [1, 2]  # without ids: numbered from 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"records": [{"id": i, "text": "好"} for i in range(10_001)]}, "records: List should have at most 10000 items"),
        ({"text": "好" * 1_000_001}, "text: String should have at most 1000000 characters"),
        ({"records": [{"id": 1, "text": "好" * 1_000_001}]}, "records.0.text: String should have at most 1000000 characters"),
        ({"text": "好", "records": []}, "give either text"),
        ({}, "give either text"),
        ({"text": 3}, "text: Input should be a valid string"),
        ({"text": "好", "packs": ["nope"]}, "no rule pack nope"),
        ({"text": "好", "packs": []}, "packs: List should have at least 1 item"),
        ({"text": "好", "colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_a_body_out_of_bounds_is_a_422_with_the_reason(api: TestClient, body: dict[str, Any], reason: str) -> None:
    response = api.post("/api/compliance/scan", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert response.json()["problems"]


def test_10000_records_are_accepted(api: TestClient) -> None:
    records = [{"id": i, "text": "加V信" if i == 9_999 else "好"} for i in range(10_000)]
    results = api.post("/api/compliance/scan", json={"records": records}).json()["results"]
    assert len(results) == 10_000 and [r["id"] for r in results if r["hits"]] == [9_999]


def test_a_body_that_is_not_json_is_a_400(api: TestClient) -> None:
    response = api.post("/api/compliance/scan", content=b"{text", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]


def test_the_packs(api: TestClient) -> None:
    packs = api.get("/api/compliance/packs").json()
    assert [p["name"] for p in packs] == ["ad-law", "claims", "platform", "red-line"]
    zui = next(r for r in packs[0]["rules"] if r["id"] == "AD-ABS-ZUI")
    assert zui["category_name"] == "绝对化用语" and "第九条" in zui["law"] and "最好" in zui["patterns"]


def test_without_a_login_it_is_401_and_a_platform_token_may_scan(home: Settings) -> None:
    from livecommerce.accounts import service as accounts
    from livecommerce.accounts import sessions
    from livecommerce.core.db import session_scope
    from livecommerce.core.scope import SystemActor
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("douyin-feed", "platform")
    with session_scope() as session:
        user = accounts.get_user_by_username(session, SystemActor(), "douyin-feed")
        token = sessions.issue_token(session, SystemActor(), user.id, "抖音推送").token
    with TestClient(create_app()) as client:
        assert client.post("/api/compliance/scan", json={"text": "全網最低價"}).status_code == 401
        assert client.get("/api/compliance/packs").status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        response = client.post("/api/compliance/scan", json={"records": RECORDS}, headers=bearer)
        assert response.status_code == 200 and len(response.json()["results"]) == 3
        assert client.get("/api/compliance/packs", headers=bearer).status_code == 200


def test_one_request_holds_at_most_ten_million_characters() -> None:
    from livecommerce.compliance.schemas import MAX_TOTAL, ScanRequest

    records = [{"id": i, "text": "好" * 1_000_000} for i in range(MAX_TOTAL // 1_000_000 + 1)]
    with pytest.raises(ValueError, match="at most 10,000,000"):
        ScanRequest.model_validate({"records": records})
