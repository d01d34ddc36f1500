"""Totals exact to the fen on the hand-checkable province of conftest.py, on DuckDB and on Spark (local[2]).

Covered: a refund recorded in a later file, the same file imported twice, an order paid at 2025-01-31T16:30:00Z
(February in Asia/Shanghai), shop-day figures where order detail exists (not counted twice), YoY where last year is
empty, MoM, shares of the parent, attribution by ship_from_region, cuts by every dimension.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Grant, SystemActor
from livecommerce.stats.periods import Range
from livecommerce.stats.query import Query, run
from livecommerce.stats.registry import snapshot

JAN = Range(date(2025, 1, 1), date(2025, 1, 31))
FEB = Range(date(2025, 2, 1), date(2025, 2, 28))
Q1 = Range(date(2025, 1, 1), date(2025, 3, 31))


class CityOfficer:
    """An actor whose stats.read grant is 哈尔滨市 and everything under it."""

    name = "harbin-officer"

    def grant(self, action: str) -> Grant:
        from livecommerce.reference.regions import regions

        return Grant(regions=regions().descendants("230100"), reason="city_officer: 哈尔滨市")


def ask(
    engine: Any, hand_home: Any, indicator: str, period: Range = JAN, actor: Any = None, **options: Any
) -> dict[tuple[str, ...], dict[str, Any]]:
    result = run(engine, Query(indicator, period, **options), actor or SystemActor(), snapshot(hand_home))
    document = result.to_json()
    return {tuple(row[d] for d in document["by"]): row for row in document["rows"]}


def value(engine: Any, hand_home: Any, indicator: str, period: Range = JAN, **options: Any) -> str:
    rows = ask(engine, hand_home, indicator, period, **options)
    assert list(rows) == [()]
    return rows[()]["value"]


def test_online_retail_of_january_is_exact_with_the_later_refund_and_the_double_import(engine: Any, hand_home: Any) -> None:
    # 100 (O1) + 120 (O3: 200 less the refund of the later file) + 40 (O5) + 30 (O6) + 280 (T9: 300 − 20); S1's shop-day
    # figure of 999 is ignored because S1 has order detail that day; O2 belongs to February.
    assert value(engine, hand_home, "online_retail") == "570.00"
    assert value(engine, hand_home, "gross_sales") == "670.00"  # 100 + 200 + 40 + 30 + 300
    assert value(engine, hand_home, "refunds") == "100.00"  # 80 + 20


def test_an_order_paid_at_16_30_utc_on_31_january_counts_in_february(engine: Any, hand_home: Any) -> None:
    assert value(engine, hand_home, "online_retail", FEB) == "50.00"
    rows = ask(engine, hand_home, "online_retail", Range(date(2025, 1, 31), date(2025, 2, 1)), by=("day",))
    assert rows[("2025-01-31",)]["value"] == "0.00"
    assert rows[("2025-02-01",)]["value"] == "50.00"


def test_by_city_and_county(engine: Any, hand_home: Any) -> None:
    cities = ask(engine, hand_home, "online_retail", by=("city",))
    assert {k: r["value"] for k, r in cities.items()} == {("230100",): "450.00", ("230200",): "120.00"}
    assert cities[("230100",)]["city_name"] == "哈尔滨市"
    counties = ask(engine, hand_home, "online_retail", by=("county",), region="230100")
    assert {k: r["value"] for k, r in counties.items()} == {("230102",): "100.00", ("230103",): "350.00"}
    assert counties[("230103",)]["county_name"] == "南岗区"


def test_attribution_by_ship_from_region_moves_o3_to_harbin(engine: Any, hand_home: Any) -> None:
    cities = ask(engine, hand_home, "online_retail", by=("city",), attribution="ship_from")
    assert {k: r["value"] for k, r in cities.items()} == {("230100",): "570.00"}


def test_yoy_and_an_empty_last_year(engine: Any, hand_home: Any) -> None:
    rows = ask(engine, hand_home, "online_retail", Q1, by=("month",), compare="yoy")
    assert rows[("2025-01",)] | {} == {
        "month": "2025-01",
        "month_name": "2025年1月",
        "value": "570.00",
        "previous": "60.00",
        "yoy": "8.500000",
    }  # 570 / 60 − 1
    assert rows[("2025-02",)]["previous"] == "0.00" and rows[("2025-02",)]["yoy"] is None
    assert rows[("2025-03",)]["value"] == "0.00"  # an empty month still shows, as 0
    by_city = ask(engine, hand_home, "online_retail", by=("city",), compare="yoy")
    assert by_city[("230200",)]["previous"] == "0.00" and by_city[("230200",)]["yoy"] is None
    assert by_city[("230100",)]["previous"] == "60.00"


def test_mom(engine: Any, hand_home: Any) -> None:
    rows = ask(engine, hand_home, "online_retail", FEB, compare="mom")
    assert rows[()]["previous"] == "570.00"
    assert rows[()]["mom"] == str((Decimal(50) / Decimal(570) - 1).quantize(Decimal("0.000001")))


def test_share_of_the_parent(engine: Any, hand_home: Any) -> None:
    cities = ask(engine, hand_home, "online_retail", by=("city",), share=True)
    assert cities[("230100",)]["share"] == "0.789474"  # 450 / 570
    counties = ask(engine, hand_home, "online_retail", by=("county",), share=True)
    assert counties[("230103",)]["share"] == "0.777778"  # 350 / 450: 南岗区 of 哈尔滨市
    with pytest.raises(ValidationFailed):
        Query("live_share", JAN, by=("city",), share=True)


def test_channel_category_local_cross_border_platform(engine: Any, hand_home: Any) -> None:
    channels = {k[0]: r["value"] for k, r in ask(engine, hand_home, "online_retail", by=("channel",)).items()}
    # live: O1 100 + T9's live part 100; shelf: O3 120 + O5 40; short_video: O6 30; other: T9's rest 300 − 100 − 20
    assert channels == {"live": "200.00", "shelf": "160.00", "short_video": "30.00", "other": "180.00"}
    assert value(engine, hand_home, "live_online_retail") == "200.00"
    assert value(engine, hand_home, "live_share") == "0.350877"  # 200 / 570
    assert value(engine, hand_home, "physical_online_retail") == "540.00"  # all but O6
    assert value(engine, hand_home, "local_physical_online_retail") == "500.00"  # O1 + O3 + T9
    assert value(engine, hand_home, "local_share") == "0.925926"  # 500 / 540
    assert value(engine, hand_home, "cross_border_export") == "40.00"
    assert value(engine, hand_home, "cross_border_import") == "0.00"
    local = {k[0]: r["value"] for k, r in ask(engine, hand_home, "online_retail", by=("local",)).items()}
    assert local == {"local": "500.00", "nonlocal": "70.00"}
    platforms = {k[0]: r["value"] for k, r in ask(engine, hand_home, "online_retail", by=("platform",)).items()}
    assert platforms == {"douyin": "130.00", "kuaishou": "120.00", "jd": "40.00", "taobao": "280.00"}
    kinds = {k[0]: r["value"] for k, r in ask(engine, hand_home, "online_retail", by=("entity_kind",)).items()}
    assert kinds == {"enterprise": "100.00", "cooperative": "120.00", "unregistered": "350.00"}
    douyin = ask(engine, hand_home, "online_retail", filters={"platform": ("douyin",)}, by=("category",))
    assert {k[0]: r["value"] for k, r in douyin.items()} == {"crops": "100.00", "services": "30.00"}


def test_orders_sellers_and_average_order_value(engine: Any, hand_home: Any) -> None:
    assert value(engine, hand_home, "orders") == "9"  # O1 O3 O5 O6 + T9's 5
    assert value(engine, hand_home, "avg_order_value") == "74.44"  # 670 / 9
    assert value(engine, hand_home, "refund_rate") == "0.149254"  # 100 / 670
    # sellers: ENTITY_A (S1), ENTITY_Q (K1), jd:J1, douyin:S2, taobao:T9
    assert value(engine, hand_home, "active_sellers") == "5"
    assert value(engine, hand_home, "sellers_over_10m") == "0"


def test_live_sessions_hours_and_streamers(engine: Any, hand_home: Any) -> None:
    assert value(engine, hand_home, "live_sessions") == "3"
    assert value(engine, hand_home, "live_hours") == "4.00"  # 2.5 + 1 + 0.5
    assert value(engine, hand_home, "active_streamers") == "2"
    cities = ask(engine, hand_home, "live_hours", by=("city",))
    # L3 has no region in the feed: its streamer's region in the registry (230202) is used
    assert {k: r["value"] for k, r in cities.items()} == {("230100",): "3.50", ("230200",): "0.50"}


def test_a_city_officer_sees_her_city_only(engine: Any, hand_home: Any) -> None:
    officer = CityOfficer()
    cities = ask(engine, hand_home, "online_retail", by=("city",), actor=officer, share=True)
    assert {k: r["value"] for k, r in cities.items()} == {("230100",): "450.00"}
    assert cities[("230100",)]["share"] is None  # the province total is not hers to see
    assert ask(engine, hand_home, "online_retail", actor=officer)[()]["value"] == "450.00"
    assert ask(engine, hand_home, "online_retail", actor=officer, region="230200")[()]["value"] == "0.00"


def test_unsupported_cuts_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationFailed, match="cannot be cut by category"):
        Query("live_sessions", JAN, by=("category",))
    with pytest.raises(ValidationFailed, match="unknown indicator"):
        Query("gmv_total", JAN)
    with pytest.raises(ValidationFailed, match="unknown dimension"):
        Query("online_retail", JAN, by=("town",))


def test_queries_asked_together_answer_as_asked_alone(engine: Any, hand_home: Any) -> None:
    from livecommerce.stats.query import run_many

    ids = ["online_retail", "live_online_retail", "orders", "local_share", "avg_order_value"]
    questions = [Query(i, JAN, by=("city",), compare="yoy") for i in ids]
    together = run_many(engine, questions, SystemActor(), snapshot(hand_home))
    for question, answer in zip(questions, together, strict=True):
        alone = run(engine, question, SystemActor(), snapshot(hand_home))
        assert answer.to_json() == alone.to_json()
    assert together[3].to_json()["rows"][0]["value"] == "0.904762"  # 哈尔滨: (100 + 280) / (100 + 40 + 280)


def test_a_question_asked_again_is_answered_from_its_kept_sql_with_the_same_figures(engine: Any, hand_home: Any) -> None:
    from livecommerce.stats import figures as q

    first = ask(engine, hand_home, "online_retail", by=("city",), compare="yoy")
    kept = len(q._SQL_CACHE)
    again = ask(engine, hand_home, "online_retail", by=("city",), compare="yoy")
    assert again == first and len(q._SQL_CACHE) == kept
    officer = ask(engine, hand_home, "online_retail", by=("city",), compare="yoy", actor=CityOfficer())
    assert list(officer) == [("230100",)]  # the viewer's grant is part of what is kept


def test_ranking_by_a_ratio_ranks_in_the_engine_with_exact_values_and_ties(engine: Any, hand_home: Any) -> None:
    from livecommerce.stats.rank import RankQuery, run_rank

    result = run_rank(engine, RankQuery("live_share", JAN, of="entity", top=5), SystemActor(), snapshot(hand_home))
    rows = [(r["rank"], r["name"], r["value"]) for r in result.to_json()["rows"]]
    # 黑土优品 (S1): 100 live of 100; T9: 100 live of 280; the three others sold nothing live: tied third
    assert rows[:2] == [(1, "哈尔滨黑土优品农业有限公司", "1.000000"), (2, "taobao:T9", "0.357143")]
    assert [(rank, value) for rank, _, value in rows[2:]] == [(3, "0.000000")] * 3
