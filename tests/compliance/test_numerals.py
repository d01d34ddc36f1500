"""Numeral boundaries (issue 14 point 3): a ranking pattern that ends in a number (排名第1, TOP1, NO.1, 第一) is no hit
when a digit or a Chinese numeral continues it (排名第12位, top100, 第一百); ordinals and sequence words stay clean."""

from __future__ import annotations

import pytest

from livecommerce.compliance.scanner import default_scanner


def found(text: str) -> list[tuple[str, int, int, str]]:
    return [(h.rule, h.start, h.end, h.text) for h in default_scanner().scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("排名第1", [("AD-ABS-FIRST", 0, 4, "排名第1")]),
        ("哈尔滨红肠TOP1", [("AD-ABS-FIRST", 5, 9, "TOP1")]),
        ("东北大豆NO.1", [("AD-ABS-FIRST", 4, 8, "NO.1")]),
        ("销量第一的蜂蜜", [("AD-ABS-FIRST", 0, 4, "销量第一")]),
        ("全国第1，认准我们", [("AD-ABS-FIRST", 0, 4, "全国第1")]),  # a comma after the number ends it
        ("销量第一名", [("AD-ABS-FIRST", 0, 4, "销量第一")]),  # 名 is not a numeral
    ],
)
def test_a_ranking_that_ends_where_its_number_ends_is_found(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全省销量排名第12位",
        "全国第12批示范县",
        "销量第10万单",
        "直播间top100",
        "TOP10榜单",
        "NO.12号选手",
        "这是第一百位下单的家人",
        "排名第一千",
        "第一两",
        "第一次来",
        "1号链接",
        "第1件半价",
        "第一时间发货",
        "第一步先泡发",
    ],
)
def test_a_number_that_goes_on_and_ordinals_are_no_hits(text: str) -> None:
    assert found(text) == []
