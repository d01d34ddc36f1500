"""The faces of statistics: `livecommerce stats query|rank` (table, json, csv, xlsx; exit codes) and the API with the
same parameters, narrowed to the caller's scope."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.settings import Settings
from tests.stats.conftest import load_hand_province
from tests.web.conftest import PASSWORD, add_user, submit_login

runner = CliRunner()


def cli(*args: str) -> Any:
    return runner.invoke(app, ["stats", *args], catch_exceptions=False)


def test_query_json_contract(hand_home: Settings) -> None:
    result = cli(
        "query",
        "--indicator",
        "online_retail",
        "--by",
        "city",
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
        "--compare",
        "yoy",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["indicator"], document["from"], document["to"], document["by"]) == (
        "online_retail",
        "2025-01-01",
        "2025-01-31",
        ["city"],
    )
    assert document["rows"] == [
        {"city": "230100", "city_name": "哈尔滨市", "value": "450.00", "previous": "60.00", "yoy": "6.500000"},
        {"city": "230200", "city_name": "齐齐哈尔市", "value": "120.00", "previous": "0.00", "yoy": None},
    ]


def test_query_csv_table_and_xlsx(hand_home: Settings, tmp_path: Any) -> None:
    result = cli("query", "-i", "online_retail", "--by", "channel", "--period", "2025-01", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["channel"]: r["value"] for r in rows}["live"] == "200.00"
    table = cli("query", "-i", "online_retail", "--by", "city", "--period", "2025-01")
    assert "哈尔滨市" in table.output and "网络零售额（万元）" in table.output and "0.05" in table.output  # 450 元 = 0.05 万元
    target = tmp_path / "jan.xlsx"
    result = cli("query", "-i", "online_retail", "--by", "city", "--period", "2025-01", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0
    sheet = load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[3] == ("市(地)", "网络零售额（万元）")
    assert values[4][0] == "哈尔滨市" and float(values[4][1]) == 0.05 and sheet.cell(5, 2).number_format == "#,##0.00"


def test_rank_json(hand_home: Settings) -> None:
    result = cli("rank", "-i", "online_retail", "--of", "entity", "--period", "2025-01", "--top", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    # taobao:T9 280 > 龙沙区北大仓酒业合作社 120 > 哈尔滨黑土优品农业有限公司 100 (S1 in December 2024: nothing)
    assert [(r["rank"], r["name"], r["value"]) for r in rows] == [
        (1, "taobao:T9", "280.00"),
        (2, "龙沙区北大仓酒业合作社", "120.00"),
        (3, "哈尔滨黑土优品农业有限公司", "100.00"),
    ]
    assert all(r["previous_rank"] is None and r["rank_change"] is None for r in rows)
    yoy = json.loads(
        cli("rank", "-i", "online_retail", "--of", "entity", "--period", "2025-01", "--compare", "yoy", "--format", "json").output
    )["rows"]
    assert yoy[2]["previous_rank"] == 1 and yoy[2]["rank_change"] == -2  # first in January 2024 (O4, 60.00)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--indicator", "nope", "--period", "2025"], "unknown indicator"),
        (["--indicator", "online_retail", "--by", "town", "--period", "2025"], "unknown dimension"),
        (["--indicator", "online_retail", "--from", "2025-13-01", "--to", "2025-12-31"], "not a date"),
        (["--indicator", "online_retail", "--region", "999999", "--period", "2025"], "999999"),
        (["--indicator", "online_retail", "--period", "2025", "--format", "pdf"], "--format"),
    ],
)
def test_wrong_questions_exit_2_with_the_reason(hand_home: Settings, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["stats", "query", *args])
    assert result.exit_code == 2
    assert message in result.output


@pytest.fixture
def api(home: Settings) -> Any:
    from livecommerce.accounts import service
    from livecommerce.web.app import create_app

    load_hand_province()
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("harbin", "city_officer", scope_region="230100")
    with TestClient(create_app()) as client:
        yield client


def test_api_same_answer_as_the_cli_and_scope(api: TestClient) -> None:
    assert submit_login(api, "admin", PASSWORD).status_code == 303
    params = {"indicator": "online_retail", "by": "city", "from": "2025-01-01", "to": "2025-01-31", "compare": "yoy"}
    rows = api.get("/api/stats/query", params=params).json()["rows"]
    assert [r["value"] for r in rows] == ["450.00", "120.00"]
    assert api.get("/api/stats/query", params=params | {"by": "moon"}).status_code == 422
    api.post("/logout")
    api.cookies.clear()
    assert submit_login(api, "harbin", PASSWORD).status_code == 303
    document = api.get("/api/stats/query", params=params).json()
    assert document["scope"] == "哈尔滨市"
    assert [r["city_name"] for r in document["rows"]] == ["哈尔滨市"]
    ranked = api.get("/api/stats/rank", params={"indicator": "online_retail", "of": "city", "period": "2025-01"}).json()
    assert [r["name"] for r in ranked["rows"]] == ["哈尔滨市"]
    workbook = load_workbook(io.BytesIO(api.get("/api/stats/query.xlsx", params=params).content))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "哈尔滨市" in cells and "齐齐哈尔市" not in cells
