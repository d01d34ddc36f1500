"""Ingest accepts a retired region code or name, stores its successor's current code (region_history.csv) and records
the mapping as the batch's notes."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.ingest import batches, service
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import order, warehouse_rows, write_csv
from tests.ingest.test_cli_and_crash import run_cli
from tests.ingest.test_registry_feeds import WUCHANG

ACTOR = SystemActor(name="tester")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("230182", "230113"),  # 双城市 → 双城区, 国函〔2014〕55号
        ("双城市", "230113"),
        ("232723", "232701"),  # 漠河县 → 漠河市, 民函〔2018〕50号
        ("230181", "230112"),  # 阿城市 → 阿城区 (永源、巨源 went to 道外区)
        ("230713", "230725"),  # 带岭区 → 大箐山县, 国函〔2019〕63号
    ],
)
def test_a_retired_region_is_stored_as_its_successor(home, tmp_path: Path, written: str, stored: str) -> None:
    result = ingest("orders", [write_csv(tmp_path / "old.csv", [order("A1", seller_region=written)])], ACTOR)
    assert (result.accepted, result.rejected) == (1, 0)
    assert warehouse_rows(home, "SELECT seller_region FROM orders") == [(stored,)]


def test_a_split_retired_code_is_rejected_not_guessed(home, tmp_path: Path) -> None:
    result = ingest("orders", [write_csv(tmp_path / "split.csv", [order("A1", seller_region="230711")])], ACTOR)
    assert (result.accepted, result.rejected) == (0, 1)
    assert "230711" in result.problems[0] and "not a region code of Heilongjiang" in result.problems[0]


# The mapping is recorded: which rows named a retired region, and what they were stored as (issue 14 point 7).
SHUANGCHENG = "seller_region: 230182 双城市 → 230113 双城区 (2014年撤市设区，国函〔2014〕55号)"
MOHE = "seller_region: 232723 漠河县 → 232701 漠河市 (2018-02-24 撤县设市，民函〔2018〕50号)"


def test_a_batch_notes_the_retired_region_with_its_rows_and_first_row(home, tmp_path: Path) -> None:
    rows = [
        order("A1", seller_region="230182"),
        order("A2", seller_region="双城市"),
        order("A3"),
        order("A4", seller_region="230182"),
    ]  # file rows 2, 3, 4, 5 (row 1 is the header)
    result = ingest("orders", [write_csv(tmp_path / "orders.csv", rows)], ACTOR)
    assert result.notes == [f"{SHUANGCHENG}: 3 行，首见 orders.csv 第 2 行"]
    assert warehouse_rows(home, "SELECT note FROM batch_notes") == [(result.notes[0],)]
    assert batches.get_batch(ACTOR, result.batch).notes == result.notes


def test_only_accepted_rows_are_counted_and_named(home, tmp_path: Path) -> None:
    rows = [order("A1", seller_region="232723", paid_amount="-1"), order("A2"), order("A3", seller_region="漠河县")]
    result = ingest("orders", [write_csv(tmp_path / "mohe.csv", rows)], ACTOR)
    assert (result.status, result.rejected) == ("partial", 1)
    assert result.notes == [f"{MOHE}: 1 行，首见 mohe.csv 第 4 行"]  # row 2 was rejected: nothing of it was stored


def test_the_first_row_is_found_in_the_file_that_holds_it(home, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "jan.csv", [order("A1"), order("A2")])
    second = write_csv(tmp_path / "feb.csv", [order("B1"), order("B2", seller_region="232723"), order("B3")])
    assert ingest("orders", [first, second], ACTOR).notes == [f"{MOHE}: 1 行，首见 feb.csv 第 3 行"]


def test_a_clean_parquet_batch_notes_its_retired_region(home, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    csv_path = write_csv(tmp_path / "rows.csv", [order("P1"), order("P2", seller_region="232723")])
    path = tmp_path / "mohe.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) TO '{path}' (FORMAT parquet)")
    clean: list[object] = []
    original = service.clean_columnar

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        clean.append(original(*args, **kwargs))
        return clean[-1]

    monkeypatch.setattr(service, "clean_columnar", spy)
    result = ingest("orders", [path], ACTOR)
    assert clean[0] is not None  # inserted straight from the file, not staged
    assert result.notes == [f"{MOHE}: 1 行，首见 mohe.parquet 第 2 行"]  # a Parquet file has no header row
    assert warehouse_rows(home, "SELECT seller_region FROM orders ORDER BY order_id") == [("230184",), ("232701",)]
    assert batches.get_batch(ACTOR, result.batch).notes == result.notes


def test_a_batch_of_current_codes_has_no_notes(home, tmp_path: Path) -> None:
    rows = [order("A1"), order("A2", seller_region="五常市"), order("A3", seller_region=" 230184 ")]
    result = ingest("orders", [write_csv(tmp_path / "now.csv", rows)], ACTOR)
    assert (result.accepted, result.notes) == (3, [])
    assert warehouse_rows(home, "SELECT count(*) FROM batch_notes") == [(0,)]
    assert batches.get_batch(ACTOR, result.batch).notes == []


def test_a_batch_that_stores_nothing_notes_nothing(home, tmp_path: Path) -> None:
    rows = [order("A1", seller_region="230182"), order("A2", paid_amount="x")]
    result = ingest("orders", [write_csv(tmp_path / "strict.csv", rows)], ACTOR, strict=True)
    assert (result.status, result.notes) == ("refused", [])


def test_the_cli_prints_the_notes_as_text_and_json(home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", [order("A1", seller_region="230182"), order("A2")])
    answer = run_cli(home, "ingest", "orders", str(path), "--format", "json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["notes"] == [f"{SHUANGCHENG}: 1 行，首见 orders.csv 第 2 行"]
    plain = write_csv(tmp_path / "plain.csv", [order("B1")])
    assert json.loads(run_cli(home, "ingest", "orders", str(plain), "--format", "json").stdout)["notes"] == []
    text = run_cli(home, "ingest", "orders", str(write_csv(tmp_path / "again.csv", [order("C1", seller_region="双城市")])))
    assert f"{SHUANGCHENG}: 1 行，首见 again.csv 第 2 行" in text.stdout
    listed = json.loads(run_cli(home, "batches", "list", "--format", "json").stdout)
    assert [b["notes"] for b in listed] == [
        [f"{SHUANGCHENG}: 1 行，首见 again.csv 第 2 行"],
        [],
        [f"{SHUANGCHENG}: 1 行，首见 orders.csv 第 2 行"],
    ]


def test_the_page_and_the_api_show_the_notes(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from livecommerce.accounts import service as accounts
    from livecommerce.web.app import create_app
    from tests.web.conftest import PASSWORD, hidden, submit_login

    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    with TestClient(create_app()) as client:
        assert submit_login(client, "admin", PASSWORD).status_code == 303
        token = hidden(client.get("/ingest").text, "csrf_token")
        body = write_csv(tmp_path / "orders.csv", [order("A1"), order("A2", seller_region="漠河县")]).read_bytes()
        page = client.post("/ingest", data={"feed": "orders", "csrf_token": token}, files=[("files", ("orders.csv", body, "text/csv"))])
        assert page.status_code == 200
        note = f"{MOHE}: 1 行，首见 orders.csv 第 3 行"
        assert "已按现行代码入库" in page.text and note in page.text
        assert note in client.get("/ingest").text  # the recent batches keep it
        listed = client.get("/api/ingest/batches").json()
        assert [b["notes"] for b in listed] == [[note]]
        answer = client.post(
            "/api/ingest/orders",
            data={"csrf_token": token},
            files=[("files", ("b.csv", write_csv(tmp_path / "b.csv", [order("B1", seller_region="230182")]).read_bytes()))],
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["notes"] == [f"{SHUANGCHENG}: 1 行，首见 b.csv 第 2 行"]


def test_a_registry_feed_notes_it_too_and_skips_a_row_its_check_digit_rejects(home, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "uscc,name,kind,region\n"
        "91230184MA1BXKXE70,坏代码公司,enterprise,漠河县\n"  # its check digit is wrong: rejected
        f"{WUCHANG},漠河米业,enterprise,232723\n",
        encoding="utf-8",
    )
    result = ingest("entities", [path], ACTOR)
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.notes == [f"{MOHE.replace('seller_region', 'region')}: 1 行，首见 e.csv 第 3 行"]
