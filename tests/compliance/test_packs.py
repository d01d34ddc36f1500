"""The shipped rule packs (规则包): their shape, read straight from the YAML files, and one small scan per category and
per kind of exception, with offsets that can be counted by hand (every character, punctuation included, is one)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from livecommerce.compliance.scanner import default_scanner

PACKS_DIR = Path(__file__).parents[2] / "src" / "livecommerce" / "compliance" / "packs"
CATEGORIES = ("absolute", "state", "medical", "health-food", "guarantee", "private-trade", "fake-data", "red-line", "cosmetic")
SEVERITIES = ("high", "medium", "low")
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def packs() -> dict[str, dict[str, Any]]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(PACKS_DIR.glob("*.yaml"))}


def rules() -> list[dict[str, Any]]:
    return [r for pack in packs().values() for r in pack["rules"]]


def spans(text: str, day: date | None = None) -> list[tuple[str, int, int, str]]:
    return [(h.category, h.start, h.end, h.text) for h in default_scanner(day=day).scan(text)]


# ------------------------------------------------------------------ the files


def test_the_three_packs_are_shipped_and_named_after_their_files() -> None:
    found = packs()
    assert {"ad-law", "platform", "red-line"} <= set(found)
    for stem, pack in found.items():
        assert pack["pack"] == stem
        assert pack["title"] and pack["version"] and pack["source"]
        assert isinstance(pack["effective_from"], date)


def test_every_category_has_a_rule() -> None:
    assert {r["category"] for r in rules()} == set(CATEGORIES)


def test_every_rule_is_complete() -> None:
    ids = [r["id"] for r in rules()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for r in rules():
        assert RULE_ID.match(r["id"]), r["id"]
        assert r["category"] in CATEGORIES, r["id"]
        assert r["severity"] in SEVERITIES, r["id"]
        assert r["law"]["name"] and r["law"]["article"], r["id"]
        if "未能核对" in r["law"]["article"]:
            assert "未能核对" in r["law"].get("note", ""), f"{r['id']}: an unverified article says why in law.note"
        assert r["description"] and r["suggestion"], r["id"]
        assert r.get("patterns") or r.get("claim"), f"{r['id']}: a rule has patterns or a claim"
        assert all(isinstance(p, str) and p.strip() for p in r.get("patterns") or []), r["id"]
        for day in ("effective_from", "effective_to"):
            assert r.get(day) is None or isinstance(r[day], date), r["id"]


def test_every_exception_cites_its_source() -> None:
    for stem, pack in packs().items():
        for r in pack["rules"]:
            for e in r.get("exceptions") or []:
                assert e["pattern"] and e["source"], (stem, r["id"], e)
        for e in pack.get("exceptions") or []:
            assert e["pattern"] and e["source"] and set(e["categories"]) <= set(CATEGORIES), (stem, e)


def test_the_absolute_exceptions_cite_the_guide() -> None:
    pack = packs()["ad-law"]
    for e in pack["exceptions"]:
        assert "《广告绝对化用语执法指南》" in e["source"], e


def test_no_pattern_is_a_lone_doubled_character() -> None:
    """The engine collapses a run of one character (扣扣 → 扣): such a pattern would match 折扣."""
    for r in rules():
        for p in r.get("patterns") or []:
            assert not (len(p) == 2 and p[0] == p[1]), (r["id"], p)


# ------------------------------------------------------------------ one small scan per category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这是全網最低價", [("absolute", 2, 7, "全網最低價")]),
        ("国宴专用大米", [("state", 0, 2, "国宴")]),
        ("黑木耳能治疗高血压", [("medical", 3, 9, "能治疗高血压")]),  # the claim 能治 + 高血压 holds 治疗
        ("这款保健品可以代替药物", [("health-food", 7, 11, "代替药物")]),
        ("无效退款，放心买", [("guarantee", 0, 4, "无效退款")]),
        ("想要的加V信私聊", [("private-trade", 3, 6, "加V信")]),
        ("好评返现五块", [("fake-data", 0, 4, "好评返现")]),
        ("直播间玩押大小", [("red-line", 4, 7, "押大小")]),
    ],
)
def test_one_claim_per_category(text: str, expected: list) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("最*好吃的红肠", [("absolute", 0, 4, "最*好吃")]),  # a symbol between the characters
        ("最最最好", [("absolute", 0, 4, "最最最好")]),  # a repeated character
        ("ｚｕｉ好的人参", [("absolute", 0, 4, "ｚｕｉ好")]),  # full-width pinyin
        ("红肠销量第①", [("absolute", 2, 6, "销量第①")]),  # ① is 1
        ("我们用vxworks，加vx联系", [("private-trade", 11, 14, "加vx")]),  # vx inside a Latin word is not vx
        ("刷*单兼职", [("fake-data", 0, 3, "刷*单")]),
    ],
)
def test_evasions_are_found_where_they_stand(text: str, expected: list) -> None:
    assert spans(text) == expected


# ------------------------------------------------------------------ one small scan per kind of exception


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        # 指南 第五条: an aspiration, not a claim about the goods
        ("aspiration", "我们追求最好的品质，不是全网最低价", [("absolute", 12, 17, "全网最低价")]),
        # 指南 第六条第（二）项: a usage tip
        ("usage tip", "蓝莓最佳食用时间是三天内，最佳口感的蓝莓", [("absolute", 13, 15, "最佳")]),
        # 指南 第六条第（六）项: an ordinal (time or space order)
        ("ordinal", "第一次来的朋友，这款木耳销量第一", [("absolute", 12, 16, "销量第一")]),
        ("ordinal after a prefix", "东北第一场雪，东北第一的红肠", [("absolute", 7, 11, "东北第一")]),
        # 指南 第二条: a quantity limit is not a superlative
        ("quantity", "每人最多买三件，最好吃的红肠", [("absolute", 8, 11, "最好吃")]),
        # 指南 第二条: a time word is not a superlative
        ("time word", "最近上新的红肠，最正宗", [("absolute", 8, 11, "最正宗")]),
        # 指南 第六条第（一）项: comparing one's own goods
        ("self-comparison", "本店最畅销，全网销量第一", [("absolute", 8, 12, "销量第一")]),
        # 指南 第六条第（五）项: a title awarded under national rules
        ("title", "国家级非物质文化遗产，国家级产品", [("absolute", 11, 16, "国家级产品")]),
    ],
)
def test_an_exception_drops_only_the_hit_it_covers(kind: str, text: str, expected: list) -> None:
    assert spans(text) == expected, kind


@pytest.mark.parametrize(
    "text",
    [
        "保健食品不是药物，不能代替药物治疗疾病。",  # the mandatory warning (广告法 第十八条第二款)
        "这个牙刷单价只要九块九。",  # 牙刷单价 contains 刷单
        "菌菇粉可以加微量，红肠可以加微辣。",  # 加微量 / 加微辣 contain 加微
        "一定要在平台下单，不要私下交易。",  # a warning
        "以下注意事项请看清楚，修改运费请联系客服。",  # 以下注意 contains 下注, 修改运费 contains 改运
        "看一下大米的颜色情况。",  # 颜色情况 contains 色情
        "这一流程走完就发货。",  # 一流程 contains 一流
    ],
)
def test_an_allowed_word_overlapping_a_prohibited_one_is_not_a_hit(text: str) -> None:
    assert spans(text) == []


def test_the_department_lists_are_protected_by_the_time_and_quantity_exceptions() -> None:
    """A department's own pack may hold a bare 最; the ad-law pack's exceptions (categories: absolute) cover it."""
    from livecommerce.compliance.packs import all_packs, parse_pack
    from livecommerce.compliance.scanner import Scanner

    local = parse_pack(
        """
pack: county-list
title: 某县自定词表
version: "1"
effective_from: 2024-01-01
source: 县市场监管局
rules:
  - id: COUNTY-ZUI
    category: absolute
    severity: low
    law: {name: 中华人民共和国广告法, article: 第九条, item: 第（三）项}
    description: 单字“最”
    patterns: [最]
    suggestion: 删去“最”
""",
        "county-list.yaml",
        origin="local",
    )
    scanner = Scanner([*all_packs(), local], date(2026, 1, 1))
    found = [(h.rule, h.start, h.end) for h in scanner.scan("最近上新，每人最多买三件，今天最低气温零下二十度，最实在")]
    assert found == [("COUNTY-ZUI", 25, 26)]


# ------------------------------------------------------------------ dates


def test_a_rule_applies_from_its_own_date() -> None:
    # 《网络反不正当竞争暂行规定》第九条第（五）项 (好评返现) is in force from 2024-09-01
    assert spans("好评返现五块", day=date(2024, 8, 31)) == []
    assert spans("好评返现五块", day=date(2024, 9, 1)) == [("fake-data", 0, 4, "好评返现")]


def test_a_pack_applies_from_its_date() -> None:
    assert spans("全网最低价", day=date(2023, 4, 30)) == []
    assert spans("全网最低价", day=date(2023, 5, 1)) == [("absolute", 0, 5, "全网最低价")]
