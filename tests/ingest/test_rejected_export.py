"""rejected.csv through the single writer: phones, ID numbers and real names masked for a viewer without the
personal-data permission, whole (and audited as revealed) for one with it; formula-looking cells behind a quote;
every download one audit line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from livecommerce.accounts import service as accounts
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.ingest.batches import personal_kind, rejected_csv
from livecommerce.ingest.service import ingest
from tests.ingest.test_cli_and_crash import run_cli
from tests.web.conftest import PASSWORD, add_user, submit_login

FORMULA = '=HYPERLINK("http://x","点我")'
QUOTED = '"' + FORMULA.replace('"', '""') + '"'  # RFC 4180: a field with quotes is quoted, its quotes doubled
# 张三丰's row is refused for its region (北京 is not in the province); 李四's for a phone longer than 20 characters.
STREAMERS = (
    "平台,主播ID,主播昵称,所在地区代码,真实姓名,手机号,收货人身份证\n"
    f"抖音,ZB001,{QUOTED},北京,张三丰,13812345678,110101199001011234\n"
    "抖音,ZB002,小李,230102,李四,139876543210000000000,\n"
)


@pytest.fixture
def batch(home: Any, tmp_path: Path) -> str:
    path = tmp_path / "主播.csv"
    path.write_text(STREAMERS, encoding="utf-8-sig")
    result = ingest("streamers", [path], SystemActor(name="clerk"))
    assert (result.read, result.rejected) == (2, 2)
    return result.batch


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _downloads() -> list[tuple[str, str, dict[str, Any]]]:
    with session_scope() as session:
        lines = session.scalars(select(AuditEntry).where(AuditEntry.action == "download").order_by(AuditEntry.id))
        return [(line.actor, line.target_id, json.loads(line.after or "{}")) for line in lines]


def test_personal_columns_are_known_by_the_feed_and_by_their_header() -> None:
    assert [personal_kind("streamers", h) for h in ("手机号", "联系电话", "真实姓名", "phone", "主播昵称", "收货人身份证")] == [
        "phone",
        "phone",
        "name",
        "phone",
        None,
        "id_card",
    ]
    assert personal_kind("orders", "收货人电话") == "phone" and personal_kind("orders", "商品名称") is None


def test_without_the_permission_phones_ids_and_names_are_masked(batch: str) -> None:
    analyst = UserActor(1, "analyst", "province_analyst", can_view_personal_data=True)  # the role has no personal.view
    found = rejected_csv(analyst, batch)
    text = found.content.decode("utf-8-sig")
    rows = _rows(found.content)
    assert [(r["真实姓名"], r["手机号"], r["收货人身份证"]) for r in rows] == [
        ("张**", "138****5678", "110101********1234"),
        ("李*", "139**************0000", ""),
    ]
    assert "13812345678" not in text and "张三丰" not in text and "110101199001011234" not in text
    assert "139876543210000000000" not in rows[1]["错误原因"] and "phone=139**************0000" in rows[1]["错误原因"]
    assert (found.rows, found.revealed) == (2, False)


def test_with_the_permission_they_are_whole(batch: str) -> None:
    admin = UserActor(1, "admin", "province_admin", can_view_personal_data=True)
    found = rejected_csv(admin, batch)
    rows = _rows(found.content)
    assert [(r["真实姓名"], r["手机号"]) for r in rows] == [("张三丰", "13812345678"), ("李四", "139876543210000000000")]
    assert "phone=139876543210000000000" in rows[1]["错误原因"] and found.revealed is True


def test_a_formula_in_a_rejected_cell_is_behind_a_quote(batch: str) -> None:
    rows = _rows(rejected_csv(SystemActor(), batch).content)
    assert rows[0]["主播昵称"] == "'" + FORMULA


@pytest.fixture
def web(home: Any) -> Iterator[TestClient]:
    from livecommerce.web.app import create_app

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("keeper", "province_admin", can_view_personal_data=True, must_change_password=False)
    with TestClient(create_app()) as client:
        yield client


def test_rejected_csv_masks_for_the_admin_and_reveals_for_the_keeper_each_download_audited(web: TestClient, batch: str) -> None:
    assert submit_login(web, "admin", PASSWORD).status_code == 303
    masked = web.get(f"/api/ingest/batches/{batch}/rejected.csv")
    assert masked.status_code == 200 and masked.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''rejected-" in masked.headers["content-disposition"]
    assert "138****5678" in masked.content.decode("utf-8-sig") and b"13812345678" not in masked.content
    assert web.get(f"/ingest/batches/{batch}/rejected.csv").status_code == 200  # the page's link: audited as well
    web.post("/logout")
    web.cookies.clear()
    assert submit_login(web, "keeper", PASSWORD).status_code == 303
    whole = web.get(f"/api/ingest/batches/{batch}/rejected.csv")
    assert "13812345678" in whole.content.decode("utf-8-sig")
    target = f"ingest.rejected:{batch}"
    file = f"rejected-{batch}.csv"
    assert _downloads() == [
        ("admin", target, {"file": file, "rows": 2, "personal_data": "masked"}),
        ("admin", target, {"file": file, "rows": 2, "personal_data": "masked"}),
        ("keeper", target, {"file": file, "rows": 2, "personal_data": "revealed"}),
    ]


def test_a_refused_download_writes_no_download_line(web: TestClient, batch: str) -> None:
    assert submit_login(web, "admin", PASSWORD).status_code == 303
    assert web.get("/api/ingest/batches/no-such-batch/rejected.csv").status_code == 404
    assert _downloads() == []


def test_the_operators_export_is_whole_and_audited(home: Any, batch: str, tmp_path: Path) -> None:
    target = tmp_path / "rejected.csv"
    assert run_cli(home, "quarantine", "export", batch, "-o", str(target)).returncode == 0
    assert "13812345678" in target.read_text(encoding="utf-8-sig")
    assert _downloads() == [("system", f"ingest.rejected:{batch}", {"file": str(target), "rows": 2, "personal_data": "revealed"})]


def test_a_masked_file_corrected_and_loaded_again_is_refused_not_stored(batch: str, tmp_path: Path) -> None:
    analyst = UserActor(1, "analyst", "province_analyst")
    corrected = rejected_csv(analyst, batch).content.decode("utf-8-sig").replace("北京", "230102")
    path = tmp_path / "corrected.csv"
    path.write_text(corrected, encoding="utf-8-sig")
    again = ingest("streamers", [path], SystemActor(name="clerk"))
    assert (again.accepted, again.rejected) == (0, 2)
    assert any("column phone" in p and "已脱敏" in p for p in again.problems)
    assert any("column real_name" in p for p in again.problems)


def test_a_corrected_file_loads_the_formula_looking_nickname_without_the_quote(batch: str, tmp_path: Path) -> None:
    from livecommerce.entities.models import Streamer

    exported = rejected_csv(SystemActor(), batch).content.decode("utf-8-sig")
    path = tmp_path / "corrected.csv"
    path.write_text(exported.replace("北京", "230102").replace("139876543210000000000", "13987654321"), encoding="utf-8-sig")
    assert ingest("streamers", [path], SystemActor(name="clerk")).accepted == 2
    with session_scope() as session:
        assert session.scalars(select(Streamer.nickname).where(Streamer.streamer_id == "ZB001")).one() == FORMULA
