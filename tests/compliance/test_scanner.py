"""The scanner's engine on a small pack written here: normalisation with offsets, Latin word boundaries, exceptions,
one hit per claim, dates, many texts at once, and streaming. Every offset can be counted by hand."""

from __future__ import annotations

import random
from datetime import date

import pytest

from livecommerce.compliance.normalize import normalize
from livecommerce.compliance.packs import parse_pack
from livecommerce.compliance.scanner import Scanner
from livecommerce.compliance.stream import Stream
from livecommerce.core.errors import ValidationFailed

PACK = """
pack: small
title: 测试规则包
version: "1"
effective_from: 2023-05-01
source: tests
rules:
  - id: T-ABS
    category: absolute
    severity: high
    law: {name: 中华人民共和国广告法, article: 第九条, item: 第三项}
    patterns: [最好, 最佳, 全网最低, 最低价, 第一]
    pinyin: true
    suggestion: 用可证实的客观描述
    exceptions:
      - {pattern: 最佳食用时间, source: 《广告绝对化用语执法指南》}
  - id: T-PT
    category: private-trade
    severity: high
    law: {name: 网络直播营销管理办法（试行）, article: 第十八条}
    patterns: [微信, v信, vx, 薇信]
    suggestion: 请在平台内下单
  - id: T-CN
    category: red-line
    severity: medium
    law: {name: 网络信息内容生态治理规定, article: 第六条}
    patterns: [中国赌场]
    suggestion: 删除
  - id: T-NEW
    category: guarantee
    severity: low
    law: {name: 中华人民共和国广告法, article: 第二十八条}
    patterns: [无效退款]
    suggestion: 删除
    effective_from: 2030-01-01
exceptions:
  - {pattern: 第一次, categories: [absolute], source: 《广告绝对化用语执法指南》 (时空顺序)}
"""


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner([parse_pack(PACK, "small.yaml")], date(2026, 11, 23))


def spans(scanner: Scanner, text: str) -> list[tuple[str, int, int, str]]:
    return [(h.rule, h.start, h.end, h.text) for h in scanner.scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全網最低價", "全网最低价"),  # 繁→简
        ("ｚｕｉ好", "zui好"),  # full width
        ("①号Ⓐ", "1号a"),  # circled digits and letters
        ("最*好 最 好", "最好最好"),  # symbols and spaces dropped
        ("最最最好", "最好"),  # a run of one Chinese character is one
        ("100元", "100元"),  # digits are not collapsed
        ("第一次。最好!", "第一次\n最好\n"),  # sentence ends are barriers
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_every_normalised_character_knows_its_original_span() -> None:
    norm = normalize("最 * 最好")
    # 最 (0) … 最 (4) collapse into one character standing for [0, 5); 好 is at 5
    assert norm.text == "最好"
    assert norm.span(0, 1) == (0, 5) and norm.span(1, 2) == (5, 6) and norm.span(0, 2) == (0, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这是全網最低價", [("T-ABS", 2, 7, "全網最低價")]),  # one claim, not 全网最低 and 最低价
        ("最*好的米", [("T-ABS", 0, 3, "最*好")]),
        ("ｚｕｉ好的米", [("T-ABS", 0, 4, "ｚｕｉ好")]),
        ("zuihao", [("T-ABS", 0, 6, "zuihao")]),
        ("最最最好", [("T-ABS", 0, 4, "最最最好")]),
        ("加V信领券", [("T-PT", 1, 3, "V信")]),
        ("加 vx 领券", [("T-PT", 2, 4, "vx")]),
    ],
)
def test_evasions_are_found_where_they_stand(scanner: Scanner, text: str, expected: list) -> None:
    assert spans(scanner, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "中间国赌场",  # skipping symbols never joins across a real character: 中间国 is not 中国
        "vxworks 是操作系统",  # Latin word boundary: vx inside a word is not vx
        "我zuihaoa",  # nor a pinyin form inside a Latin word
        "最佳食用时间是开封后三天",  # an exception of the rule covers 最佳
        "第一次来直播间",  # a pack exception for the category covers 第一
        "无效退款",  # a rule not yet in force (2030)
    ],
)
def test_no_hit(scanner: Scanner, text: str) -> None:
    assert spans(scanner, text) == []


def test_an_exception_does_not_reach_across_a_sentence_end(scanner: Scanner) -> None:
    assert spans(scanner, "最佳。食用时间") == [("T-ABS", 0, 2, "最佳")]


def test_a_hit_carries_its_law_and_suggestion(scanner: Scanner) -> None:
    hit = scanner.scan("我们的米第一")[0]
    assert hit.to_json() == {
        "rule": "T-ABS",
        "category": "absolute",
        "severity": "high",
        "law": "《中华人民共和国广告法》第九条第三项",
        "start": 4,
        "end": 6,
        "text": "第一",
        "suggestion": "用可证实的客观描述",
    }


def test_many_texts_at_once_give_each_its_own_offsets(scanner: Scanner) -> None:
    many = scanner.scan_many(["最好", "没事", "请加薇信"])
    assert [[(h.rule, h.start, h.end) for h in hits] for hits in many] == [[("T-ABS", 0, 2)], [], [("T-PT", 2, 4)]]


def test_a_pack_with_errors_is_refused_naming_each() -> None:
    bad = PACK.replace("category: absolute", "category: bragging").replace("item: 第三项}", "item: 第三项}\n    patterns: []")
    with pytest.raises(ValidationFailed) as caught:
        parse_pack(bad, "bad.yaml")
    rules = {(p.column, p.file) for p in caught.value.problems}
    assert ("rules[0].category", "bad.yaml") in rules


def test_streaming_finds_each_hit_once_whatever_the_chunks(scanner: Scanner) -> None:
    text = "大家好今天全网最低价，加vx领券，最佳食用时间三天，我们的米最*好，vxvx第一次第一"
    whole = [(h.rule, h.start, h.end) for h in scanner.scan(text)]
    assert whole == [("T-ABS", 5, 10), ("T-PT", 12, 14), ("T-ABS", 30, 33), ("T-ABS", 41, 43)]
    for size in (1, 2, 3, 5, 8, 100):
        stream = Stream(scanner)
        found = []
        for i in range(0, len(text), size):
            found += stream.feed(text[i : i + size])
        found += stream.close()
        assert sorted((h.rule, h.start, h.end) for h in found) == sorted(whole), size


def test_streaming_agrees_with_the_whole_text_on_random_transcripts(scanner: Scanner) -> None:
    rng = random.Random(5)
    words = [
        "全网最低价",
        "加vx",
        "最佳食用时间",
        "最*好",
        "第一次",
        "第一",
        "大米",
        "，",
        "微 信",
        "薇信",
        "最最最好",
        "zui好",
        "。",
        "vx",
        "a",
        "最",
        "佳",
        "好",
    ]
    for _ in range(200):
        text = "".join(rng.choice(words) for _ in range(25))
        whole = sorted((h.rule, h.start, h.end) for h in scanner.scan(text))
        size = rng.choice([1, 2, 3, 4, 7, 13])
        stream = Stream(scanner)
        found = [h for i in range(0, len(text), size) for h in stream.feed(text[i : i + size])] + stream.close()
        assert sorted((h.rule, h.start, h.end) for h in found) == whole, (text, size)


def test_streaming_with_the_shipped_packs_agrees_on_transcripts_of_the_evaluation_sentences() -> None:
    """Long exceptions of the shipped packs (不能代替药物治疗…) begin well before the hit they excuse: a stream keeps
    enough of the past to apply them."""
    from pathlib import Path

    import yaml

    from livecommerce.compliance.service import scanner as shipped

    engine = shipped()
    sentences = [s["text"] for s in yaml.safe_load((Path(__file__).parent / "eval_set.yaml").read_text(encoding="utf-8"))["sentences"]]
    rng = random.Random(1)
    for _ in range(150):
        text = "".join(rng.choice(sentences) for _ in range(8))
        whole = sorted((h.rule, h.start, h.end) for h in engine.scan(text))
        size = rng.choice([1, 2, 3, 5, 9, 17, 40])
        stream = Stream(engine)
        found = [h for i in range(0, len(text), size) for h in stream.feed(text[i : i + size])] + stream.close()
        assert sorted((h.rule, h.start, h.end) for h in found) == whole, (text, size)
