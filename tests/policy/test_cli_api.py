"""The faces of 政策兑现: `livecommerce policy evaluate|accept|run|clauses|budget|places` (exit codes, JSON contract,
tables) and the API with the same words, narrowed to the caller's scope (the province of tests/policy/conftest.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.settings import Settings
from tests.policy.conftest import DECLARED, E01, A, B, G, load_province

runner = CliRunner()
QUOTE_1A = "按照年度新增实物网络零售额不超过2%的比例给予奖励"


def cli(*args: str) -> Any:
    return runner.invoke(app, ["policy", *args], catch_exceptions=False)


def write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _object(ident: str, city: str, accepted: bool = True) -> dict[str, Any]:
    months = [{"month": "2023-07", "sales": "120000.00"}, {"month": "2023-08", "sales": "150000.00" if accepted else "90000.00"}]
    return {
        "id": ident,
        "name": f"服务对象{ident}",
        "city": city,
        "provider": "龙江服务商",
        "new_store": True,
        "service_months": 6,
        "live_hours": 60,
        "short_videos": 20,
        "monthly_sales": months,
    }


ACCEPTANCE = {
    "service_objects": [_object("S1", "230100"), _object("S2", "230102"), _object("S3", "230100"), _object("S4", "230202", accepted=False)]
}


# ---------------------------------------------------------------------------------------------------------- CLI


def test_evaluate_prints_the_contract_exactly(home: Settings, tmp_path: Path) -> None:
    from livecommerce.policy.evaluate import evaluate

    result = cli("evaluate", write(tmp_path, "e01.json", E01), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document == evaluate(E01)
    entity = document["results"][0]
    # 2% × (26,000,000.00 − 20,000,000.00) = 120,000.00, under the cap of 3,000,000.00
    assert entity["granted"] == [{"clause": "HLJ-2025-LIVE20/1a", "amount": "120000.00"}]
    trace = entity["eligible"][0]["trace"]
    assert (trace["raw"], trace["cap"], trace["amount"]) == ("120000.00", "3000000.00", "120000.00")
    assert trace["formula"] == "年度新增实物网络零售额 6,000,000.00元 × 2%"
    assert QUOTE_1A in trace["quote"]
    assert (entity["total"], document["total"]) == ("120000.00", "120000.00")


def test_evaluate_table_shows_yuan_wan_total_and_explanation(home: Settings, tmp_path: Path) -> None:
    result = cli("evaluate", write(tmp_path, "e01.json", E01), "--set", "LIVE20/1a.cap=100000")
    assert result.exit_code == 0, result.output
    assert "LIVE20/1a" in result.output and "100,000.00" in result.output and "10.00" in result.output  # capped
    assert "合计 100,000.00元 (10.00万元)" in result.output
    assert "E01 符合 LIVE20/1a 100,000.00元" in result.output


def test_a_bad_file_exits_2_naming_every_problem(home: Settings, tmp_path: Path) -> None:
    bad = {
        "year": 2025,
        "entities": [
            {"id": "X1", "kind": "robot", "facts": {"physical_online_retail": {"2025": 1.5}}},
            {"id": "X2", "kind": "enterprise", "facts": {"loans": [{"drawn_on": "2025-02-30"}]}},
        ],
    }
    path = write(tmp_path, "bad.json", bad)
    result = runner.invoke(app, ["policy", "evaluate", path], terminal_width=400)
    assert result.exit_code == 2
    output = result.output
    assert "nothing was evaluated" in output
    assert f"file {path}, row 1, column kind, value 'robot'" in output
    assert "row 1, column facts.physical_online_retail.2025, value '1.5'" in output and "不可为浮点数" in output
    assert "row 2, column facts.loans[0].drawn_on, value '2025-02-30'" in output and "YYYY-MM-DD" in output


@pytest.mark.parametrize("text, reason", [("{oops", "not JSON — Expecting property name"), ("", "not JSON")])
def test_a_file_that_is_not_json_exits_2_with_the_reason(home: Settings, tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["policy", "evaluate", str(path)], terminal_width=400)
    assert result.exit_code == 2
    assert reason in result.output and "line 1" in result.output
    missing = runner.invoke(app, ["policy", "evaluate", str(tmp_path / "none.json")], terminal_width=400)
    assert missing.exit_code == 2 and "cannot be read" in missing.output


def test_clauses_list_live20_1a_with_its_quote_and_parameters(home: Settings) -> None:
    rows = json.loads(cli("clauses", "--year", "2025", "--format", "json").output)
    clause = next(r for r in rows if r["id"] == "HLJ-2025-LIVE20/1a")
    assert QUOTE_1A in clause["quote"] and clause["in_force"] is True and clause["years"] == [2025]
    assert {p["name"]: p["value"] for p in clause["parameters"]}["LIVE20/1a.cap"] == "3000000.00"
    assert next(r for r in rows if r["short"] == "EC20/14")["case_by_case"] is True
    table = runner.invoke(app, ["policy", "clauses"], terminal_width=300).output
    assert "LIVE20/1a" in table and "新增地产品实物网络零售额奖励" in table and "[一事一议]" in table
    parameters = runner.invoke(app, ["policy", "clauses", "--parameters"], terminal_width=300).output
    assert "LIVE20/1a.cap" in parameters and "上限300万元" in parameters


def test_budget_prints_the_places(home: Settings) -> None:
    result = runner.invoke(app, ["policy", "budget", "--budget", "34000000", "--unit", "22700"], terminal_width=200)
    assert result.exit_code == 0 and "= 1497 个名额" in result.output
    assert json.loads(cli("budget", "--budget", "34000000", "--unit", "22700", "--format", "json").output)["places"] == 1497
    assert runner.invoke(app, ["policy", "budget", "--budget", "-1", "--unit", "22700"]).exit_code == 2


def test_accept_with_a_seed_draws_ten_percent_of_each_city(home: Settings, tmp_path: Path) -> None:
    path = write(tmp_path, "accept.json", ACCEPTANCE)
    document = json.loads(cli("accept", path, "--format", "json", "--sample-seed", "2023-12-01").output)
    assert [(r["id"], r["accepted"], r["subsidy"]) for r in document["results"]] == [
        ("S1", True, "22700.00"),
        ("S2", True, "22700.00"),
        ("S3", True, "22700.00"),
        ("S4", False, "0.00"),
    ]
    assert document["total"] == "68100.00"
    # 哈尔滨's 3 accepted objects (S2's 道里区 rolls up to 哈尔滨): ceil(10% × 3) = 1; 齐齐哈尔 has none accepted
    assert [(c["city"], c["accepted"], len(c["ids"])) for c in document["sample"]["cities"]] == [("230100", 3, 1)]
    again = json.loads(cli("accept", path, "--format", "json", "--sample-seed", "2023-12-01").output)
    assert again["sample"] == document["sample"]  # the same seed draws the same sample
    table = runner.invoke(app, ["policy", "accept", path, "--sample-seed", "2023-12-01"], terminal_width=300).output
    assert "达标 3 个" in table and "查验抽样" in table and "哈尔滨市 达标 3 个, 抽取 1 个" in table


def test_run_takes_the_warehouse_and_the_declarations(home: Settings, tmp_path: Path) -> None:
    load_province()
    path = write(tmp_path, "申报.json", DECLARED)
    result = cli("run", "--year", "2025", "--declared", path, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["entitled"], summary["paid"], summary["flagged"], summary["entities"]) == ("11240000.00", "11240000.00", 1, 4)
    assert [(a["entity_id"], a["short"], a["amount"], a["review"]) for a in summary["awards"]] == [
        (G, "LIVE20/5", "10000000.00", False),
        (A, "LIVE20/2", "1000000.00", True),
        (A, "LIVE20/1a", "120000.00", True),
        (B, "LIVE20/3", "120000.00", False),
    ]
    table = runner.invoke(
        app, ["policy", "run", "--year", "2025", "--budget", "5620000", "--allocation", "rank"], terminal_width=300
    ).output
    assert "拟拨付" in table and "按排序分配" in table and "哈尔滨市道里区" in table
    assert runner.invoke(app, ["policy", "run", "--year", "2025", "--set", "LIVE20/1a.nope=1"]).exit_code == 2
    assert runner.invoke(app, ["policy", "run", "--year", "2025", "--allocation", "lottery"]).exit_code == 2


def test_places_weigh_online_retail_and_registered_enterprises(home: Settings) -> None:
    load_province()
    document = json.loads(cli("places", "--year", "2025", "--format", "json").output)
    cities = {c["code"]: c for c in document["cities"]}
    # 哈尔滨: A 16,000,000 + C 3,000,000 = 19,000,000 of 79,000,000, 2 of 3 enterprises; 齐齐哈尔: 60,000,000, 1 of 3
    # weight 0.5 × 19/79 + 0.5 × 2/3 = 0.453586 → 680.38 places; 0.546414 → 819.62; the one left goes to .62
    assert (cities["230100"]["online_retail"], cities["230100"]["entities"]) == ("19000000.00", 2)
    assert (cities["230100"]["weight"], cities["230100"]["places"]) == ("0.453586", 680)
    assert cities["230200"]["places"] == 820 and sum(c["places"] for c in document["cities"]) == 1500
    assert cities["230100"]["above_quota_places"] == 0 and "限上企业仅 0 家" in cities["230100"]["note"]


# ---------------------------------------------------------------------------------------------------------- API


def test_api_evaluate_is_the_contract_and_a_bad_body_is_422_with_problems(as_user: Callable[[str], TestClient]) -> None:
    from livecommerce.policy.evaluate import evaluate

    client = as_user("analyst")
    assert client.post("/api/policy/evaluate", json=E01).json() == evaluate(E01)
    capped = client.post("/api/policy/evaluate", params={"set": "LIVE20/1a.cap=100000"}, json=E01).json()
    assert capped["total"] == "100000.00"
    bad = client.post(
        "/api/policy/evaluate",
        json={"year": 2025, "entities": [{"id": "X", "kind": "enterprise", "facts": {"event_investment": {"2025": -5}}}]},
    )
    assert bad.status_code == 422
    assert bad.json()["problems"] == [
        {
            "row": 1,
            "column": "facts.event_investment.2025",
            "value": "-5",
            "file": None,
            "rule": "entity #1 (X): an amount must not be negative (金额不可为负)",
        }
    ]
    not_json = client.post("/api/policy/evaluate", content=b"{oops", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["problems"][0]["rule"]


def test_api_clauses_and_accept(as_user: Callable[[str], TestClient]) -> None:
    client = as_user("hrb")
    clause = next(c for c in client.get("/api/policy/clauses", params={"year": 2026}).json() if c["short"] == "LIVE20/1a")
    assert QUOTE_1A in clause["quote"] and clause["in_force"] is False
    answer = client.post("/api/policy/accept", params={"sample_seed": "s"}, json=ACCEPTANCE).json()
    assert (answer["accepted"], answer["total"], answer["providers"][0]["subsidy"]) == (3, "68100.00", "68100.00")
    refused = client.post("/api/policy/accept", json={"service_objects": [{"id": "S1"}]})
    assert refused.status_code == 422 and {p["column"] for p in refused.json()["problems"]} >= {"new_store", "live_hours"}
    assert as_user("audit").get("/api/policy/runs").status_code == 403  # an auditor reads the audit log, not awards


def test_only_province_staff_start_runs(as_user: Callable[[str], TestClient]) -> None:
    body = {
        "year": 2025,
        "declared": DECLARED,
        "declared_name": "申报.json",
        "budget": "5620000.00",
        "method": "pro_rata",
        "overrides": {"LIVE20/1a.cap": "100000"},
        "note": "测试",
    }
    assert as_user("hrb").post("/api/policy/runs", json=body).status_code == 403
    analyst = as_user("analyst")
    created = analyst.post("/api/policy/runs", json=body)
    assert created.status_code == 201, created.text
    summary = created.json()
    # A's /1a capped at 100,000.00: 11,220,000.00 entitled; the budget, about half of it, is paid out whole pro rata
    assert (summary["entitled"], summary["paid"], summary["flagged"]) == ("11220000.00", "5620000.00", 1)
    assert summary["overrides"] == {"LIVE20/1a.cap": "100000"}
    assert analyst.get(f"/api/policy/runs/{summary['id']}").json()["budget"] == "5620000.00"
    for wrong in (
        {"year": 2025, "budget": 1.5},
        {"year": 2025, "method": "lottery"},
        {"year": 2025, "colour": "red"},
        {"year": 2025, "overrides": {"LIVE20/1a.nope": "1"}},
    ):
        refused = analyst.post("/api/policy/runs", json=wrong)
        assert refused.status_code == 422, (wrong, refused.text)
        assert refused.json()["problems"] and set(refused.json()["problems"][0]) == {"row", "column", "value", "rule", "file"}


def test_a_city_officer_sees_only_her_citys_awards(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    run = policy_home[1]
    harbin = as_user("hrb")
    rows = harbin.get(f"/api/policy/runs/{run}/awards").json()
    assert sorted((r["entity_id"], r["short"]) for r in rows) == sorted([(A, "LIVE20/1a"), (A, "LIVE20/2"), (G, "LIVE20/5")])
    assert harbin.get(f"/api/policy/runs/{run}/awards", params={"city": "230200"}).json() == []
    assert harbin.get(f"/api/policy/runs/{run}/entities/{B}").status_code == 404
    assert harbin.post(f"/api/policy/runs/{run}/what-if", json={"overrides": {}}).status_code == 403
    flagged = harbin.get(f"/api/policy/runs/{run}/awards", params={"review": "true"}).json()
    assert {r["entity_id"] for r in flagged} == {A} and all("需复核" in r["note"] for r in flagged)
    assert [t["short"] for t in harbin.get(f"/api/policy/runs/{run}").json()["totals"]] == ["LIVE20/1a", "LIVE20/2", "LIVE20/5"]
    qiqihar = as_user("qq")
    assert [(r["entity_id"], r["amount"]) for r in qiqihar.get(f"/api/policy/runs/{run}/awards").json()] == [(B, "120000.00")]


def test_an_enterprise_sees_only_its_own(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    run = policy_home[1]
    mcn = as_user("mcn")
    assert [(r["entity_id"], r["short"]) for r in mcn.get(f"/api/policy/runs/{run}/awards").json()] == [(B, "LIVE20/3")]
    own = mcn.get(f"/api/policy/runs/{run}/entities/{B}").json()
    assert own["granted"] == [{"clause": "HLJ-2025-LIVE20/3", "amount": "120000.00", "allocated": "120000.00"}]
    assert mcn.get(f"/api/policy/runs/{run}/entities/{A}").status_code == 404
    cells = _cells(mcn.get(f"/api/policy/runs/{run}/awards.xlsx").content)
    assert "鹤城乙MCN有限公司" in cells and "哈尔滨甲农业有限公司" not in cells


def test_the_entity_explanation_carries_review_figures(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    result = as_user("analyst").get(f"/api/policy/runs/{policy_home[1]}/entities/{A}").json()
    difference = next(item for item in result["review"] if item["fact"] == "local_physical_online_retail")
    assert (difference["declared"], difference["warehouse"], difference["share"]) == ("19200000.00", "16000000.00", "20.0%")
    assert {g["clause"] for g in result["granted"]} == {"HLJ-2025-LIVE20/1a", "HLJ-2025-LIVE20/2"}


def test_what_if_shows_a_lower_cap(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    answer = (
        as_user("analyst")
        .post(f"/api/policy/runs/{policy_home[1]}/what-if", json={"overrides": {"LIVE20/1a.cap": "100000"}, "budget": "5610000"})
        .json()
    )
    row = next(r for r in answer["clauses"] if r["short"] == "LIVE20/1a")
    assert (row["before"], row["after"], row["change"]) == ("120000.00", "100000.00", "-20000.00")
    assert (answer["total_before"], answer["total_after"]) == ("11240000.00", "11220000.00")
    assert answer["allocations"]["methods"]["pro_rata"]["paid"] == "5610000.00"


def _cells(content: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(content))
    return [c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def test_the_award_list_xlsx_has_chinese_headers_and_the_right_numbers(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    response = as_user("analyst").get(f"/api/policy/runs/{policy_home[1]}/awards.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["奖补名单", "条款汇总"]
    rows = list(workbook["奖补名单"].iter_rows(values_only=True))
    assert rows[0][0] == "2025年度政策兑现奖补名单" and rows[1][0] == "数据范围：全省"
    assert rows[2][0].startswith(f"兑现批次 #{policy_home[1]}　绩效年度 2025") and rows[3][0] == "调整参数：无（按政策文件参数）"
    header = rows[5]
    assert header == (
        "序号",
        "主体名称",
        "统一社会信用代码/编号",
        "类型",
        "所在地区",
        "条款",
        "条款名称",
        "应享金额（元）",
        "拟拨付金额（元）",
        "需复核",
        "说明",
    )
    body = rows[6:-1]
    assert [(r[0], r[1], r[3], r[4], r[5], float(r[7]), r[9]) for r in body] == [
        (1, "哈尔滨市南岗区人民政府", "县(市、区)政府", "哈尔滨市南岗区", "LIVE20/5", 10000000.0, "否"),
        (2, "哈尔滨甲农业有限公司", "企业", "哈尔滨市道里区", "LIVE20/2", 1000000.0, "是"),
        (3, "哈尔滨甲农业有限公司", "企业", "哈尔滨市道里区", "LIVE20/1a", 120000.0, "是"),
        (4, "鹤城乙MCN有限公司", "MCN机构", "齐齐哈尔市龙沙区", "LIVE20/3", 120000.0, "否"),
    ]
    assert rows[-1][0] == "合计" and float(rows[-1][7]) == 11240000.0 and float(rows[-1][8]) == 11240000.0
    assert workbook["奖补名单"].cell(7, 8).number_format == "#,##0.00"
    summary = list(workbook["条款汇总"].iter_rows(values_only=True))
    assert summary[3] == ("条款", "条款名称", "符合条件主体数", "予以支持主体数", "应享金额（元）", "拟拨付金额（元）")
    assert [(r[0], r[3], float(r[4])) for r in summary[4:]] == [
        ("LIVE20/1a", 1, 120000.0),
        ("LIVE20/2", 1, 1000000.0),
        ("LIVE20/3", 1, 120000.0),
        ("LIVE20/5", 1, 10000000.0),
        ("合计", 4, 11240000.0),
    ]
    harbin = _cells(as_user("analyst").get(f"/api/policy/runs/{policy_home[1]}/awards.xlsx", params={"city": "哈尔滨"}).content)
    assert "数据范围：哈尔滨市" in harbin and "鹤城乙MCN有限公司" not in harbin


def test_the_award_list_download_writes_one_audit_line(as_user: Callable[[str], TestClient], policy_home: Any) -> None:
    from sqlalchemy import select

    from livecommerce.accounts.models import AuditEntry
    from livecommerce.core.db import session_scope

    def downloads() -> list[tuple[str, str, str, int]]:
        with session_scope() as session:
            lines = session.scalars(select(AuditEntry).where(AuditEntry.action == "download").order_by(AuditEntry.id))
            return [(a.actor, a.target_type, a.target_id, json.loads(a.after or "{}")["rows"]) for a in lines]

    before = downloads()
    assert as_user("analyst").get(f"/api/policy/runs/{policy_home[1]}/awards.xlsx").status_code == 200
    assert downloads() == [*before, ("analyst", "export", f"policy.awards:{policy_home[1]}", 4)]
