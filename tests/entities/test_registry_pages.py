"""The 主体库 pages: the table in Chinese with filters, sort and paging, the XLSX export, and the entity page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from io import BytesIO
from zipfile import ZipFile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from registry_data import ENTERPRISE, HARBIN_FOOD, HARBIN_OFFICER, NANGANG_COOP, QIQIHAR_MCN, SYSTEM, audit_lines
from sqlalchemy.orm import Session

from livecommerce.accounts import deps
from livecommerce.core.scope import Actor
from livecommerce.entities import pages
from livecommerce.entities.upsert import upsert_rows
from livecommerce.web import errors

ClientFor = Callable[[Actor], TestClient]


@pytest.fixture
def client_for(seeded: Session) -> Iterator[ClientFor]:
    """A TestClient of the registry pages acting as the given actor."""
    app = FastAPI()
    app.include_router(pages.router)
    errors.install(app)

    def make(actor: Actor) -> TestClient:
        app.dependency_overrides[deps._current_actor] = lambda: actor
        return TestClient(app)

    yield make
    app.dependency_overrides.clear()


def test_list_page_shows_the_table_in_chinese(client_for: ClientFor) -> None:
    html = client_for(SYSTEM).get("/entities").text
    for header in ("统一社会信用代码", "名称", "类型", "所在地区", "限上在统", "地产品生产企业", "成立日期"):
        assert f">{header}" in html
    assert "哈尔滨市道里区" in html and "农民专业合作社" in html and "2015-03-01" in html
    assert "共 3 个" in html


def test_list_page_filters_by_region_kind_and_name(client_for: ClientFor) -> None:
    client = client_for(SYSTEM)
    html = client.get("/entities", params={"region": "230100", "kind": "cooperative"}).text
    assert NANGANG_COOP in html and HARBIN_FOOD not in html
    assert QIQIHAR_MCN in client.get("/entities", params={"name": "鹤城"}).text


def test_list_page_shows_only_the_viewers_scope(client_for: ClientFor) -> None:
    html = client_for(HARBIN_OFFICER).get("/entities").text
    assert HARBIN_FOOD in html and QIQIHAR_MCN not in html


def test_a_refused_filter_is_explained_not_an_error_page(client_for: ClientFor) -> None:
    answer = client_for(SYSTEM).get("/entities", params={"region": "北京"})
    assert answer.status_code == 200
    assert "筛选条件有误" in answer.text and "共 3 个" in answer.text


def test_sort_and_paging_links(client_for: ClientFor) -> None:
    client = client_for(SYSTEM)
    html = client.get("/entities", params={"sort": "-name"}).text
    assert html.index("鹤城直播MCN有限公司") < html.index("冰城食品有限公司")
    assert 'href="/entities?sort=name"' in html  # clicking 名称 again sorts ascending
    assert "第 1 / 1 页" in html


def test_export_is_the_filtered_list_with_chinese_headers(client_for: ClientFor) -> None:
    answer = client_for(HARBIN_OFFICER).get("/entities/export.xlsx", params={"local_producer": "true"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["统一社会信用代码", "名称", "类型", "所在地区", "限上在统", "地产品生产企业", "成立日期"],
        [HARBIN_FOOD, "冰城食品有限公司", "企业", "哈尔滨市道里区", "是", "是", "2015-03-01"],
        [NANGANG_COOP, "南岗大米合作社", "农民专业合作社", "哈尔滨市南岗区", "否", "是", None],
    ]


def test_export_link_carries_the_filters(client_for: ClientFor) -> None:
    html = client_for(SYSTEM).get("/entities", params={"kind": "mcn", "above_quota": "false"}).text
    assert 'href="/entities/export.xlsx?kind=mcn&amp;above_quota=false&amp;sort=uscc"' in html


def test_entity_page_lists_shops_and_streamers_with_phones_masked(client_for: ClientFor) -> None:
    html = client_for(SYSTEM).get(f"/entities/{HARBIN_FOOD}").text
    assert "冰城食品旗舰店" in html and "冰城小张" in html and "哈尔滨直播基地" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "张*" in html and "张三" not in html


def test_entity_page_outside_the_scope_is_404(client_for: ClientFor) -> None:
    assert client_for(ENTERPRISE).get(f"/entities/{NANGANG_COOP}").status_code == 404
    assert client_for(ENTERPRISE).get(f"/entities/{HARBIN_FOOD}").status_code == 200


def test_region_choices_are_those_of_the_viewers_scope(client_for: ClientFor) -> None:
    html = client_for(HARBIN_OFFICER).get("/entities").text
    assert '<option value="230102">' in html and '<option value="230200">' not in html
    assert '<option value="230200">' in client_for(SYSTEM).get("/entities").text


def test_export_writes_a_formula_looking_name_as_text_and_audits_the_download(client_for: ClientFor, seeded: Session) -> None:
    formula = '=HYPERLINK("http://x","点我")'
    upsert_rows(
        seeded,
        "entities",
        [
            {
                "uscc": "91230184MA1BXKXE7G",
                "name": formula,
                "kind": "enterprise",
                "region": "230184",
                "above_quota": False,
                "local_producer": False,
                "founded_on": None,
            }
        ],
        SYSTEM,
    )
    seeded.commit()
    answer = client_for(HARBIN_OFFICER).get("/entities/export.xlsx", params={"name": "HYPERLINK"})
    cell = load_workbook(BytesIO(answer.content)).active.cell(2, 2)
    assert (cell.value, cell.data_type) == (formula, "s")
    sheet_xml = ZipFile(BytesIO(answer.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    downloads = audit_lines(seeded, "download")
    assert [(d.actor, d.target_type, d.target_id, json.loads(d.after or "{}")["rows"]) for d in downloads] == [
        ("hrb_officer", "export", "entities", 1)
    ]
