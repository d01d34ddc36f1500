"""助企行动 acceptance (HLJ-2023-FUND/accept, 001 附件1 三(三)2 and 三(四)): hand-checkable objects at the
boundaries of every standard, the reasons in words, and bad input refused whole."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.policy import acceptance
from livecommerce.policy.acceptance import accept
from livecommerce.policy.parameters import catalogue


def new_store(**over: Any) -> dict[str, Any]:
    """A new store that meets every standard: 6 months, 72 hours, 25 videos, two months of 12万 and 10万."""
    obj = {
        "id": "N1",
        "new_store": True,
        "service_months": 6,
        "live_hours": 72,
        "short_videos": 25,
        "monthly_sales": [
            {"month": "2023-07", "sales": "120000", "prior_year_sales": None},
            {"month": "2023-08", "sales": "80000.00", "prior_year_sales": None},
            {"month": "2023-09", "sales": "100000.00", "prior_year_sales": None},
        ],
    }
    return obj | over


def old_store(*months: tuple[str, str | None], **over: Any) -> dict[str, Any]:
    """An existing store with the given (sales, prior_year_sales) months from 2023-07 on."""
    sales = [{"month": f"2023-{7 + i:02d}", "sales": s, "prior_year_sales": p} for i, (s, p) in enumerate(months)]
    return {"id": "O1", "new_store": False, "service_months": 6, "live_hours": 60, "short_videos": 20, "monthly_sales": sales} | over


def one(obj: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return accept({"service_objects": [obj]}, **kw)["results"][0]


def problems(payload: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        accept(payload)
    return [str(p) for p in caught.value.problems]


def test_a_new_store_meeting_every_standard_earns_2_27_wan() -> None:
    out = accept({"service_objects": [new_store()]})
    result = out["results"][0]
    assert result["accepted"] is True and result["subsidy"] == "22700.00"
    assert out["total"] == "22700.00" and out["unit"] == "22700.00" and (out["objects"], out["accepted"]) == (1, 1)
    assert result["qualifying_months"] == ["2023-07", "2023-09"]
    assert result["reasons"] == [
        "服务周期 6 个月 ≥ 6 个月: 达标",
        "直播时长 72 小时 ≥ 60 小时: 达标",
        "短视频 25 条 ≥ 20 条: 达标",
        "新开设店铺, 单月销售额 ≥ 10万元 的达标月份 2023-07 (销售额 12.00万元), 2023-09 (销售额 10.00万元): 2 个月 ≥ 2 个月: 达标",
        "未计入月份 2023-08 (销售额 8.00万元 < 10万元)",
    ]
    assert "providers" not in out


def test_every_shortfall_is_said_in_words() -> None:
    result = one(
        new_store(
            service_months=5,
            live_hours="59.99",
            short_videos=18,
            monthly_sales=[{"month": "2023-07", "sales": "99999.99"}, {"month": "2023-08", "sales": "150000"}],
        )
    )
    assert result["accepted"] is False and result["subsidy"] == "0.00"
    assert result["reasons"] == [
        "服务周期 5 个月 < 6 个月: 未达标",
        "直播时长 59.99 小时 < 60 小时: 未达标",
        "短视频 18 条 < 20 条: 未达标",
        "新开设店铺, 单月销售额 ≥ 10万元 的达标月份 2023-08 (销售额 15.00万元): 1 个月 < 2 个月: 未达标",
        "未计入月份 2023-07 (销售额 99,999.99元 < 10万元)",
    ]


@pytest.mark.parametrize(
    ("hours", "accepted"), [(60, True), ("60.00", True), (60.0, True), ("59.99", False), (59.99, False), (0, False), ("120.5", True)]
)
def test_live_hours_not_below_60_include_60(hours: Any, accepted: bool) -> None:
    assert one(new_store(live_hours=hours))["accepted"] is accepted


@pytest.mark.parametrize(("months", "accepted"), [(6, True), ("5.9", False), (12, True)])
def test_service_period_not_less_than_6_months(months: Any, accepted: bool) -> None:
    assert one(new_store(service_months=months))["accepted"] is accepted


@pytest.mark.parametrize(("videos", "accepted"), [(20, True), ("20", True), (19, False)])
def test_short_videos_not_below_20(videos: Any, accepted: bool) -> None:
    assert one(new_store(short_videos=videos))["accepted"] is accepted


def test_a_new_store_month_of_exactly_10_wan_counts() -> None:
    obj = new_store(monthly_sales=[{"month": "2023-07", "sales": "100000.00"}, {"month": "2023-08", "sales": 100000}])
    assert one(obj)["accepted"] is True
    obj = new_store(monthly_sales=[{"month": "2023-07", "sales": "100000.00"}, {"month": "2023-08", "sales": "99999.99"}])
    assert one(obj)["accepted"] is False


def test_existing_store_exactly_10_wan_more_and_exactly_20_percent_is_accepted() -> None:
    # prior 500000 → sales 600000: +100000 (不低于10万元) and +20% (20%以上), both boundaries included.
    result = one(old_store(("600000", "500000"), ("600000.00", "500000.00")))
    assert result["accepted"] is True and result["subsidy"] == "22700.00"
    assert result["reasons"][3] == (
        "非新开设店铺, 单月销售额同比增长 ≥ 20% 且增加 ≥ 10万元 的达标月份 "
        "2023-07 (销售额 60.00万元, 上年同月 50.00万元, 增加 10.00万元, 同比 +20.00%), "
        "2023-08 (销售额 60.00万元, 上年同月 50.00万元, 增加 10.00万元, 同比 +20.00%): 2 个月 ≥ 2 个月: 达标"
    )


def test_existing_store_one_fen_short_is_rejected() -> None:
    result = one(old_store(("600000", "500000"), ("599999.99", "500000")))
    assert result["accepted"] is False
    assert result["reasons"][-1] == "未计入月份 2023-08 (销售额 599,999.99元, 上年同月 50.00万元, 增加 99,999.99元 < 10万元)"


def test_existing_store_growth_just_below_20_percent_is_rejected() -> None:
    # prior 600000: 720000 is +120000 and +20% exactly; 719999.99 is +119999.99 (≥ 10万) but +19.99999…% (< 20%).
    assert one(old_store(("720000", "600000"), ("720000", "600000")))["accepted"] is True
    result = one(old_store(("720000", "600000"), ("719999.99", "600000")))
    assert result["accepted"] is False
    assert result["reasons"][-1] == ("未计入月份 2023-08 (销售额 719,999.99元, 上年同月 60.00万元, 增加 119,999.99元, 同比 +19.99% < 20%)")


def test_a_month_without_prior_year_sales_cannot_count_for_an_existing_store() -> None:
    result = one(old_store(("600000", "500000"), ("900000", None)))
    assert result["accepted"] is False and result["qualifying_months"] == ["2023-07"]
    assert result["reasons"][-1] == "未计入月份 2023-08 (销售额 90.00万元, 无上年同月销售额, 无法计算同比, 不能计入)"


def test_growth_from_zero_counts_when_the_increase_is_10_wan() -> None:
    result = one(old_store(("100000", "0"), ("600000", "500000")))
    assert result["accepted"] is True
    month = "2023-07 (销售额 10.00万元, 上年同月 0.00万元, 增加 10.00万元, 上年同月为 0, 从零增长视为同比增长20%以上)"
    assert month in result["reasons"][3]
    assert one(old_store(("99999.99", "0"), ("600000", "500000")))["accepted"] is False


def test_a_new_store_ignores_prior_year_sales_and_a_falling_month_never_counts() -> None:
    obj = new_store(
        monthly_sales=[
            {"month": "2023-07", "sales": "120000", "prior_year_sales": "900000"},
            {"month": "2023-08", "sales": "120000", "prior_year_sales": "900000"},
        ]
    )
    assert one(obj)["accepted"] is True
    result = one(old_store(("120000", "900000"), ("600000", "500000")))
    assert result["accepted"] is False and "增加 -78.00万元 < 10万元" in result["reasons"][-1]


def test_months_are_judged_in_calendar_order_whatever_the_input_order() -> None:
    obj = new_store()
    obj["monthly_sales"] = list(reversed(obj["monthly_sales"]))
    assert one(obj)["reasons"] == one(new_store())["reasons"]


def test_providers_are_summarised_and_the_total_adds_up() -> None:
    objects = [
        new_store(id="A", provider="甲服务商", city="230102", name="道里某企业"),
        new_store(id="B", provider="甲服务商", city="230100", short_videos=3),
        old_store(("600000", "500000"), ("600000", "500000"), id="C", provider="乙服务商", above_quota="是"),
    ]
    out = accept({"service_objects": objects})
    assert out["total"] == "45400.00" and out["accepted"] == 2
    # sorted by the provider's name (code point order: 乙 U+4E59 before 甲 U+7532)
    assert out["providers"] == [
        {"provider": "乙服务商", "objects": 1, "accepted": 1, "subsidy": "22700.00"},
        {"provider": "甲服务商", "objects": 2, "accepted": 1, "subsidy": "22700.00"},
    ]
    first = out["results"][0]
    assert (first["city"], first["name"], first["provider"]) == ("230100", "道里某企业", "甲服务商")
    assert out["results"][2]["above_quota"] is True


def test_a_lower_unit_may_be_set_but_not_a_higher_one() -> None:
    out = accept({"service_objects": [new_store()]}, unit=Decimal("20000.00"))
    assert out["results"][0]["subsidy"] == "20000.00" and out["total"] == "20000.00"
    for unit in (Decimal("22700.01"), Decimal("-1"), Decimal("0.001")):
        with pytest.raises(ValidationFailed):
            accept({"service_objects": [new_store()]}, unit=unit)


def test_the_default_unit_is_the_parameter_of_the_fund_document() -> None:
    assert catalogue()["FUND/accept.unit"].values[-1] == acceptance.UNIT == Decimal("22700.00")


def test_a_json_file_round_trip() -> None:
    text = json.dumps({"service_objects": [new_store(), old_store(("600000", "500000"), ("600000", "500000"))]})
    out = accept(json.loads(text))
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out and out["total"] == "45400.00"


def _bad(index: int, **change: Any) -> dict[str, Any]:
    objects = [new_store(id="A"), new_store(id="B")]
    objects[index] = objects[index] | change
    return {"service_objects": objects}


@pytest.mark.parametrize(
    ("payload", "column", "words"),
    [
        (_bad(1, live_hours=None), "live_hours", "missing field"),
        (_bad(1, short_videos=-1), "short_videos", "whole number"),
        (_bad(1, short_videos=20.5), "short_videos", "whole number"),
        (_bad(1, live_hours="-1"), "live_hours", "number ≥ 0"),
        (_bad(1, live_hours="sixty"), "live_hours", "number ≥ 0"),
        (_bad(1, new_store="maybe"), "new_store", "boolean"),
        (_bad(1, monthly_sales=[{"month": "2023-07", "sales": 120000.0}]), "monthly_sales[0].sales", "不可为浮点数"),
        (_bad(1, monthly_sales=[{"month": "2023-07", "sales": "-5"}]), "monthly_sales[0].sales", "不可为负"),
        (_bad(1, monthly_sales=[{"month": "2023-07", "sales": "1.005"}]), "monthly_sales[0].sales", "two decimals"),
        (
            _bad(1, monthly_sales=[{"month": "2023-07", "sales": "1", "prior_year_sales": 5.5}]),
            "monthly_sales[0].prior_year_sales",
            "浮点数",
        ),
        (_bad(1, monthly_sales=[{"month": "2023-13", "sales": "1"}]), "monthly_sales[0].month", "YYYY-MM"),
        (_bad(1, monthly_sales=[{"month": "2023-7", "sales": "1"}]), "monthly_sales[0].month", "YYYY-MM"),
        (
            _bad(1, monthly_sales=[{"month": "2023-07", "sales": "1"}, {"month": "2023-07", "sales": "2"}]),
            "monthly_sales[1].month",
            "重复月份",
        ),
        (_bad(1, monthly_sales=[{"month": "2023-07"}]), "monthly_sales[0].sales", "missing field"),
        (_bad(1, monthly_sales={"2023-07": "1"}), "monthly_sales", "is a list"),
        (_bad(1, id="A"), "id", "duplicate id"),
        (_bad(1, city="110000"), "city", "region code"),
        (_bad(1, colour="red"), "colour", "unknown field"),
        (_bad(1, provider="甲"), "provider", "every object"),
    ],
)
def test_bad_input_names_object_field_value_and_rule(payload: dict[str, Any], column: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept(payload)
    assert "nothing was accepted" in str(caught.value)
    found = [p for p in caught.value.problems if p.column == column]
    assert found, [str(p) for p in caught.value.problems]
    assert words in found[0].rule
    assert found[0].row in (1, 2) and "service object" in found[0].rule


def test_the_problem_names_the_object_by_position_and_id() -> None:
    found = problems(_bad(1, live_hours=None))
    assert found == ["row 2, column live_hours: service object 2 (B): missing field (缺少字段)"]


def test_a_file_with_one_error_accepts_nothing() -> None:
    payload = _bad(1, short_videos="x")
    before = copy.deepcopy(payload)
    with pytest.raises(ValidationFailed):
        accept(payload)
    assert payload == before


@pytest.mark.parametrize("payload", [[], {"objects": []}, {"service_objects": "none"}])
def test_the_shape_of_the_file_is_checked(payload: Any) -> None:
    with pytest.raises(ValidationFailed):
        accept(payload)


def test_an_empty_list_accepts_nobody() -> None:
    assert accept({"service_objects": []}) == {"unit": "22700.00", "objects": 0, "accepted": 0, "results": [], "total": "0.00"}
