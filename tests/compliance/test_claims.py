"""Claim rules (组合宣称, issue 14 point 1): a verb or an outcome joined to a disease within the window, body change with
numbers, sexual function, medical terms, cosmetics beyond a cosmetic, drink-driving, disaster marketing — and the
sentences that must stay clean (negations, advice, 预防受潮, 抗寒, 降价, 消除误会).

Offsets are counted by hand, every character one: in 每天喝可以预防大肠癌, 预防 is characters 5–6 and 大肠癌 7–9, so the
claim is [5, 10)."""

from __future__ import annotations

import pytest

from livecommerce.compliance import claims
from livecommerce.compliance.packs import all_packs, parse_pack
from livecommerce.compliance.scanner import Scanner, default_scanner
from livecommerce.compliance.stream import Stream


def found(text: str, product_type: str | None = None) -> list[tuple[str, str, int, int, str]]:
    return [(h.rule, h.category, h.start, h.end, h.text) for h in default_scanner().scan(text, product_type)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a claim verb before a disease
        ("每天喝可以预防大肠癌", [("CL-MED-VERB", "medical", 5, 10, "预防大肠癌")]),
        ("这个能防止糖尿病", [("CL-MED-VERB", "medical", 3, 8, "防止糖尿病")]),
        ("可治抑郁症", [("CL-MED-VERB", "medical", 0, 5, "可治抑郁症")]),  # the longest disease at a start: 抑郁症, not 抑郁
        ("椴树蜜缓解咽炎", [("CL-MED-VERB", "medical", 3, 7, "缓解咽炎")]),
        ("喝了告别三高", [("CL-MED-VERB", "medical", 2, 6, "告别三高")]),  # 三高 is one of our colloquial names
        ("可以有效预防老年人的骨质疏松", [("CL-MED-VERB", "medical", 4, 14, "预防老年人的骨质疏松")]),  # 4 characters between
        # a disease before an outcome
        ("半年肿瘤变小了", [("CL-MED-VERB", "medical", 2, 6, "肿瘤变小")]),
        ("结节慢慢消失了", [("CL-MED-VERB", "medical", 0, 6, "结节慢慢消失")]),
        # indicators lowered
        ("吃了血糖降下来了", [("CL-MED-LOWER", "medical", 2, 8, "血糖降下来了")]),
        # sexual function
        ("吃了能改善性功能", [("CL-MED-SEX", "medical", 3, 8, "改善性功能")]),
        # body change with numbers
        ("一个月保证换罩杯", [("CL-BODY-NUM", "guarantee", 0, 8, "一个月保证换罩杯")]),
        ("十天甩掉3公斤", [("CL-BODY-NUM", "guarantee", 0, 7, "十天甩掉3公斤")]),
        ("3天瘦5斤", [("CL-BODY-NUM", "guarantee", 0, 5, "3天瘦5斤")]),
        ("长高10厘米", [("CL-BODY-NUM", "guarantee", 0, 6, "长高10厘米")]),
        # cosmetics beyond a cosmetic
        ("洗发水能活化毛囊", [("CL-COS-BEYOND", "cosmetic", 4, 8, "活化毛囊")]),
        ("精油丰胸", [("CL-COS-BEYOND", "cosmetic", 2, 4, "丰胸")]),
        # drink-driving, disaster marketing
        ("喝酒后可开车", [("CL-SAFE-DRINK", "guarantee", 0, 6, "喝酒后可开车")]),
        ("地震特价五折", [("CL-EVENT", "red-line", 0, 4, "地震特价")]),
    ],
)
def test_each_claim_kind_is_found_where_it_is(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "本品不能治疗疾病",
        "本品不能代替药物",
        "保健食品不是药物，不能代替药物治疗疾病",
        "如有疾病请就医",  # negations, advice
        "大米开封后要预防受潮",
        "羽绒服抗寒抗冻",
        "今天全场降价",
        "说清楚就能消除误会",  # verbs in ordinary use
        "喝酒不开车，开车不喝酒",
        "酒后千万别开车",  # safety advice
        "这两斤瘦肉是今天刚到的",
        "瘦肉5斤装",  # 瘦 not followed by an amount of weight loss
        "发生发展的过程",
        "防啄型鸡眼罩",  # words containing a part (生发, 鸡眼)
        "治疗期间请遵医嘱",
        "糖尿病患者慎用",  # a verb without a disease, a disease without a verb
    ],
)
def test_negations_advice_and_ordinary_words_stay_clean(text: str) -> None:
    assert found(text) == []


def test_a_claim_past_the_window_or_across_a_clause_is_no_claim() -> None:
    # CL-MED-VERB's window is 6 normalised characters between 预防 and the disease
    assert found("预防一二三四五六糖尿病") == [("CL-MED-VERB", "medical", 0, 11, "预防一二三四五六糖尿病")]
    assert found("预防一二三四五六七糖尿病") == []
    assert found("大米预防受潮，糖尿病人少吃") == []  # a comma is a barrier


def test_a_claim_rule_of_a_department_pack_pairs_its_own_words() -> None:
    pack = parse_pack(
        """
pack: county
title: 县级包
version: '1'
effective_from: 2020-01-01
source: 测试
rules:
  - id: CTY-CLAIM
    category: medical
    severity: high
    law: {name: 中华人民共和国广告法, article: 第十七条}
    description: 测试
    suggestion: 测试
    claim: {before: [专克], objects: [冻疮], window: 2}
""",
        "county.yaml",
    )
    scanner = Scanner([pack])
    assert [(h.rule, h.start, h.end) for h in scanner.scan("专克冻疮")] == [("CTY-CLAIM", 0, 4)]
    assert [(h.rule, h.start, h.end) for h in scanner.scan("专克三个冻疮")] == [("CTY-CLAIM", 0, 6)]
    assert scanner.scan("专克一二三冻疮") == []  # 3 characters between: past the window of 2


def test_the_lexicons_hold_diseases_and_not_ordinary_words() -> None:
    diseases = set(claims.lexicon("diseases")) | set(claims.lexicon("diseases-ours"))
    for word in ("糖尿病", "抑郁症", "肿瘤", "大肠癌", "三高", "骨质疏松"):
        assert word in diseases, word
    for word in ("维生素", "蛋白质", "人参", "医院", "疲劳", "受潮", "误会", "感染", "中毒"):
        assert word not in diseases, word


def test_streaming_finds_a_claim_split_across_chunks() -> None:
    engine = Scanner(all_packs())
    text = "家人们每天喝可以预防大肠癌，十天甩掉3公斤"
    whole = sorted((h.rule, h.start, h.end) for h in engine.scan(text))
    assert whole == [("CL-BODY-NUM", 14, 21), ("CL-MED-VERB", 8, 13)]
    for size in (1, 2, 3, 5):
        stream = Stream(engine)
        hits = [h for i in range(0, len(text), size) for h in stream.feed(text[i : i + size])] + stream.close()
        assert sorted((h.rule, h.start, h.end) for h in hits) == whole, size


def test_the_fast_path_gives_the_answer_of_the_full_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """prefilter.relevant hands the Python loop only the matches that can matter: on long texts full of parts, traps
    and exceptions the hits are the same as when every match is looked at."""
    import random
    from pathlib import Path

    import yaml

    from livecommerce.compliance import prefilter

    engine = Scanner(all_packs())
    here = Path(__file__).parent
    sentences = [s["text"] for s in yaml.safe_load((here / "eval_set.yaml").read_text(encoding="utf-8"))["sentences"]]
    words = [
        "预防",
        "糖尿病",
        "不能",
        "治疗",
        "，",
        "降价",
        "抗寒",
        "肿瘤",
        "变小",
        "鸡眼罩",
        "第一次",
        "十天",
        "瘦",
        "3斤",
        "喝酒",
        "不",
        "开车",
        "改善",
        "提升",
        "高达",
        "98%",
        "消除",
        "4周",
        "两倍",
        "年轻",
        "10岁",
        "数据来源",
    ]
    rng = random.Random(14)
    texts = ["".join(rng.choice(sentences) for _ in range(60)) for _ in range(5)]
    texts += ["".join(rng.choice(words) for _ in range(400)) for _ in range(5)]
    fast = [[(h.rule, h.start, h.end) for h in engine.scan(t)] for t in texts]
    assert sum(len(f) for f in fast) > 100
    monkeypatch.setattr(prefilter, "relevant", lambda matches, kinds, text=None: matches)
    assert [[(h.rule, h.start, h.end) for h in engine.scan(t)] for t in texts] == fast
