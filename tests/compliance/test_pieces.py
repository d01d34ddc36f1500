"""A long text is scanned in pieces cut after a barrier (scanner.PIECE): the hits, with their offsets in the whole
text, are those of scanning it in one go, and scan_many still gives each text its own offsets."""

from __future__ import annotations

import random

import pytest

from livecommerce.compliance import scanner as scanner_module
from livecommerce.compliance.scanner import Scanner, default_scanner

LINES = [
    "主播好美",
    "这个大米怎么卖",
    "第一次来",
    "全网最低价",
    "能预防大肠癌",
    "加vx领券",
    "ｚｕｉ好的大米",
    "排名第12位",
    "最近在减肥",
    "肿瘤变小了",
    "我妈有糖尿病能吃吗",
    "發貨快嗎",
    "😀😀",
    "不能治疗疾病",
]


def chat(lines: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    return "\n".join(rng.choice(LINES) for _ in range(lines))


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return default_scanner()


def as_tuples(hits: list) -> list[tuple[str, int, int, str]]:
    return [(h.rule, h.start, h.end, h.text) for h in hits]


def test_a_long_text_in_pieces_has_the_hits_of_the_whole(scanner: Scanner, monkeypatch: pytest.MonkeyPatch) -> None:
    text = chat(40_000)  # about 220,000 characters: four pieces
    assert len(text) > 3 * scanner_module.PIECE
    pieces = scanner.scan(text)
    monkeypatch.setattr(scanner_module, "PIECE", 10**9)
    whole = scanner.scan(text)
    assert len(whole) > 5_000
    assert as_tuples(pieces) == as_tuples(whole)
    assert all(text[h.start : h.end] == h.text for h in pieces)


def test_offsets_after_a_cut_are_in_the_whole_text(scanner: Scanner) -> None:
    # the first piece ends after the line break at 70,000; the claim is the first thing of the second piece
    text = "好" * 70_000 + "\n" + "全网最低价"
    hits = scanner.scan(text)
    assert [(h.start, h.end, h.text) for h in hits] == [(70_001, 70_006, "全网最低价")]


def test_a_long_text_without_a_barrier_is_one_piece(scanner: Scanner) -> None:
    text = "好" * 200_000 + "全网最低价"
    assert [(h.start, h.end) for h in scanner.scan(text)] == [(200_000, 200_005)]


def test_scan_many_over_pieces_gives_each_text_its_own_offsets(scanner: Scanner) -> None:
    texts = chat(30_000, seed=9).split("\n")
    batch = scanner.scan_many(texts)
    assert sum(len(t) + 1 for t in texts) > 2 * scanner_module.PIECE
    for text, hits in zip(texts, batch, strict=True):
        assert as_tuples(hits) == as_tuples(scanner.scan(text))
    assert sum(map(len, batch)) > 3_000


# A figure's source (CL-DATA-PERCENT, 广告法 第十一条第二款) counts in the figure's own line of the original text: not in
# another chat line of the same scan_many batch, and the same whether the fast path is on (a long line) or not.


def test_a_source_in_the_same_line_excuses_a_figure(scanner: Scanner) -> None:
    assert [(h.rule, h.start, h.end) for h in scanner.scan("弹性增加+98%", "cosmetic")] == [("CL-DATA-PERCENT", 2, 8)]
    assert scanner.scan("弹性增加+98%，数据来源：某检测机构", "cosmetic") == []
    assert [h.rule for h in scanner.scan("弹性增加+98%\n数据来源：某检测机构", "cosmetic")] == ["CL-DATA-PERCENT"]


def test_a_source_in_another_text_of_a_batch_excuses_nothing(scanner: Scanner) -> None:
    batch = scanner.scan_many(["弹性增加+98%", "数据来源：某检测机构", "弹性增加+98%，数据来源见检测报告"], ["cosmetic"] * 3)
    assert [[h.rule for h in hits] for hits in batch] == [["CL-DATA-PERCENT"], [], []]


def test_a_far_source_in_a_long_line_excuses_with_the_fast_path_on(scanner: Scanner) -> None:
    # 100 claim parts before the figure put the scan on its fast path (prefilter, 64 matches or more); the source is
    # 300 characters from the figure, in the same line
    filler = "，预防受潮" * 100
    line = "弹性增加+98%" + filler + "，数据来源：检测报告"
    assert scanner.scan(line, "cosmetic") == []
    assert [h.rule for h in scanner.scan("弹性增加+98%" + filler + "\n数据来源：检测报告", "cosmetic")] == ["CL-DATA-PERCENT"]
