"""A long text is scanned in pieces cut after a barrier (scanner.PIECE): the hits, with their offsets in the whole
text, are those of scanning it in one go, and scan_many still gives each text its own offsets."""

from __future__ import annotations

import random

import pytest

from livecommerce.compliance import scanner as scanner_module
from livecommerce.compliance.scanner import Scanner, default_scanner

LINES = ["主播好美", "这个大米怎么卖", "第一次来", "全网最低价", "能预防大肠癌", "加vx领券", "ｚｕｉ好的大米", "排名第12位",
         "最近在减肥", "肿瘤变小了", "我妈有糖尿病能吃吗", "發貨快嗎", "😀😀", "不能治疗疾病"]


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
    assert all(text[h.start:h.end] == h.text for h in pieces)


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
