"""Every validation rule of the orders feed, one hand-checkable file each (DESIGN.md: Feeds, Bad input)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import order, warehouse_rows, write_csv

ACTOR = SystemActor(name="tester")
VALID_USCC = "91230184MA1BXKXE7G"  # check digit computed by stdnum.cn.uscc.calc_check_digit


def load_one(tmp_path: Path, **changes: str):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "one.csv", [order("A1", **changes)])
    return ingest("orders", [path], ACTOR)


def test_valid_uscc_fixture_is_valid() -> None:
    from stdnum.cn import uscc

    assert uscc.is_valid(VALID_USCC)


@pytest.mark.parametrize(
    ("field", "value", "rule_fragment"),
    [
        ("platform", "taobaoo", "not a platform"),
        ("order_id", "", "required"),
        ("seller_region", "110101", "not a region code of Heilongjiang"),
        ("seller_region", "23010", "not a region code of Heilongjiang"),
        ("category", "大米", "not a category"),
        ("local_product", "maybe", "not a boolean"),
        ("channel", "电视", "not a channel"),
        ("paid_at", "2025-13-01 10:00:00", "not a time"),
        ("paid_at", "yesterday", "not a time"),
        ("paid_amount", "-1.00", "must be ≥ 0"),
        ("paid_amount", "100.001", "more than two decimals"),
        ("paid_amount", "一百元", "not a number"),
        ("refund_amount", "100.01", "must not exceed paid_amount"),
        ("seller_uscc", VALID_USCC[:-1] + "0", "统一社会信用代码"),
        ("seller_uscc", "12345", "统一社会信用代码"),
        ("product_name", "米" * 201, "longer than 200 characters"),
    ],
)
def test_a_broken_rule_rejects_the_row_and_names_it(home, tmp_path: Path, field: str, value: str, rule_fragment: str) -> None:
    result = load_one(tmp_path, **{field: value})
    assert (result.read, result.accepted, result.rejected) == (1, 0, 1)
    assert result.status == "rejected" and result.exit_code == 2
    problem = result.problems[0]
    assert problem.startswith(f"file one.csv, row 2, column {field}")
    assert rule_fragment in problem
    assert warehouse_rows(home, "SELECT count(*) FROM orders") == [(0,)]
    quarantined = warehouse_rows(home, "SELECT file_name, row_number, problems[1].column FROM quarantine")
    assert quarantined == [("one.csv", 2, field)]


@pytest.mark.parametrize(
    ("field", "value", "column", "stored"),
    [
        ("platform", "抖音", "platform", "douyin"),
        ("platform", "JD", "platform", "jd"),
        ("category", "农作物产品", "category", "crops"),
        ("channel", "短视频", "channel", "short_video"),
        ("local_product", "否", "local_product", False),
        ("local_product", "Y", "local_product", True),
        ("physical", "0", "physical", False),
        ("seller_region", "五常市", "seller_region", "230184"),
        ("seller_region", "哈尔滨", "seller_region", "230100"),
        ("paid_amount", "1,234.5", "paid_amount", Decimal("1234.50")),
        ("seller_uscc", VALID_USCC.lower(), "seller_uscc", VALID_USCC),
        ("refund_amount", "100.00", "refund_amount", Decimal("100.00")),
    ],
)
def test_accepted_spellings_are_stored_as_codes(home, tmp_path: Path, field: str, value: str, column: str, stored: object) -> None:
    result = load_one(tmp_path, **{field: value})
    assert (result.accepted, result.rejected, result.exit_code) == (1, 0, 0)
    assert warehouse_rows(home, f"SELECT {column} FROM orders") == [(stored,)]


@pytest.mark.parametrize(
    ("paid_at", "stored"),
    [
        ("2025-01-31T16:30:00Z", datetime(2025, 2, 1, 0, 30)),  # UTC afternoon is February in Shanghai
        ("2025-01-31T16:30:00+08:00", datetime(2025, 1, 31, 16, 30)),
        ("2025-01-31 16:30:00", datetime(2025, 1, 31, 16, 30)),  # naive: Asia/Shanghai
        ("2025/01/31 16:30", datetime(2025, 1, 31, 16, 30)),
        ("2025-01-31T08:30:00-01:00", datetime(2025, 1, 31, 17, 30)),
    ],
)
def test_times_are_stored_as_shanghai_wall_time(home, tmp_path: Path, paid_at: str, stored: datetime) -> None:
    assert load_one(tmp_path, paid_at=paid_at).accepted == 1
    assert warehouse_rows(home, "SELECT paid_at FROM orders") == [(stored,)]


def test_defaults_fill_optional_columns(home, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "short.csv",
        [order("A1")],
        header=[
            "platform",
            "order_id",
            "shop_id",
            "seller_uscc",
            "seller_region",
            "product_id",
            "product_name",
            "category",
            "local_product",
            "physical",
            "channel",
            "paid_at",
            "paid_amount",
        ],
    )
    assert ingest("orders", [path], ACTOR).accepted == 1
    assert warehouse_rows(home, "SELECT refund_amount, quantity, cross_border FROM orders") == [(Decimal("0.00"), 1, "")]


def test_refund_equal_to_paid_is_allowed_one_fen_more_is_not(home, tmp_path: Path) -> None:
    rows = [order("A1", refund_amount="100.00"), order("A2", refund_amount="100.01")]
    result = ingest("orders", [write_csv(tmp_path / "r.csv", rows)], ACTOR)
    assert (result.accepted, result.rejected, result.exit_code) == (1, 1, 3)
    assert "row 3, column refund_amount" in result.problems[0]


def test_every_problem_of_a_row_is_listed(home, tmp_path: Path) -> None:
    result = load_one(tmp_path, platform="tiktok", seller_region="999999", paid_amount="-5")
    columns = [p.split(", column ")[1].split(",")[0] for p in result.problems]
    assert columns == ["platform", "seller_region", "paid_amount"]


def test_uscc_rule_in_sql_agrees_with_stdnum(home, tmp_path: Path) -> None:
    import random

    from stdnum.cn import uscc

    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = []
    for _ in range(300):
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(rng.choice(alphabet) for _ in range(9))
        check = uscc.calc_check_digit(body)
        codes.append(body + (check if rng.random() < 0.5 else rng.choice(alphabet)))
    rows = [order(f"A{i}", seller_uscc=code) for i, code in enumerate(codes)]
    ingest("orders", [write_csv(tmp_path / "u.csv", rows)], ACTOR)
    accepted = {row[0] for row in warehouse_rows(home, "SELECT seller_uscc FROM orders")}
    assert accepted == {code for code in codes if uscc.is_valid(code)}


def test_cells_with_surrounding_spaces_mean_what_they_say(home, tmp_path: Path) -> None:
    result = load_one(
        tmp_path,
        order_id=" A1 ",
        platform=" 抖音",
        seller_region="230184 ",
        local_product=" 是 ",
        paid_at=" 2025-01-31T16:30:00Z ",
        paid_amount=" 12.30 ",
        refund_amount=" 0 ",
    )
    assert (result.accepted, result.rejected) == (1, 0), result.problems
    assert warehouse_rows(home, "SELECT order_id, platform, seller_region, local_product, paid_at, paid_amount FROM orders") == [
        ("A1", "douyin", "230184", True, datetime(2025, 2, 1, 0, 30), Decimal("12.30"))
    ]
