"""The statistics exports through the single writer: a shop or product name from a feed that looks like a formula comes
out of /api/stats/rank.xlsx as text, numbers stay numbers, and every download writes one audit line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from livecommerce.accounts import service as accounts
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import order, write_csv
from tests.web.conftest import PASSWORD, submit_login

FORMULA = '=HYPERLINK("http://x","点我")'
QUOTED = '"' + FORMULA.replace('"', '""') + '"'


@pytest.fixture
def client(home: Any, tmp_path: Path) -> Iterator[TestClient]:
    """A shop named by the shops feed with a formula, selling a product whose name in the orders feed is one too:
    S1 sells 100.00 + 100.00 − 5.00 refunded (195.00 yuan), S2 sells 50.00 in March 2025."""
    from livecommerce.web.app import create_app

    shops = tmp_path / "shops.csv"
    shops.write_text(f"平台,店铺ID,店铺名称,所在地区代码\n抖音,S1,{QUOTED},230184\n抖音,S2,五常好米,230184\n", encoding="utf-8")
    assert ingest("shops", [shops], SystemActor()).accepted == 2
    rows = [
        order("A1", product_name=FORMULA),
        order("A2", refund_amount="5.00"),
        order("A3", shop_id="S2", product_id="P2", paid_amount="50.00"),
    ]
    assert ingest("orders", [write_csv(tmp_path / "orders.csv", rows)], SystemActor()).accepted == 3
    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    with TestClient(create_app()) as test_client:
        assert submit_login(test_client, "admin", PASSWORD).status_code == 303
        yield test_client


def _sheet(content: bytes) -> Any:
    xml = ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no cell of the workbook is a formula
    return load_workbook(io.BytesIO(content)).active


def _downloads() -> list[tuple[str, str, dict[str, Any]]]:
    with session_scope() as session:
        lines = session.scalars(select(AuditEntry).where(AuditEntry.action == "download").order_by(AuditEntry.id))
        return [(line.actor, line.target_id, json.loads(line.after or "{}")) for line in lines]


def test_a_shop_name_from_the_feed_that_looks_like_a_formula_is_text(client: TestClient) -> None:
    answer = client.get("/api/stats/rank.xlsx", params={"indicator": "online_retail", "of": "shop", "period": "2025-03"})
    assert answer.status_code == 200
    sheet = _sheet(answer.content)
    assert [c.value for c in sheet[4]][:4] == ["排名", "店铺", "平台", "网络零售额（万元）"]
    first = sheet[5]
    assert (first[1].value, first[1].data_type) == (FORMULA, "s")
    assert (first[0].value, first[0].data_type) == (1, "n")
    assert (first[3].value, first[3].data_type, first[3].number_format) == (0.02, "n", "#,##0.00")  # 195.00 元


def test_a_product_name_from_the_orders_feed_that_looks_like_a_formula_is_text(client: TestClient) -> None:
    params = {"indicator": "online_retail", "of": "product", "period": "2025-03"}
    sheet = _sheet(client.get("/api/stats/rank.xlsx", params=params).content)
    names = {row[1].value: row[1].data_type for row in sheet.iter_rows(min_row=5)}
    assert names[FORMULA] == "s"


def test_every_statistics_download_writes_one_audit_line(client: TestClient) -> None:
    client.get("/api/stats/rank.xlsx", params={"indicator": "online_retail", "of": "shop", "period": "2025-03"})
    client.get("/api/stats/query.xlsx", params={"indicator": "online_retail", "by": "city", "period": "2025-03"})
    assert client.get("/api/stats/query.xlsx", params={"indicator": "no_such"}).status_code == 422  # refused: no file
    assert _downloads() == [
        ("admin", "stats.rank:online_retail:shop", {"file": "网络零售额排行.xlsx", "rows": 2, "personal_data": "masked"}),
        ("admin", "stats.query:online_retail", {"file": "网络零售额.xlsx", "rows": 1, "personal_data": "masked"}),
    ]
