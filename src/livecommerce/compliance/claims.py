"""Claim rules (组合宣称): a claim made of two parts — a verb and a disease (预防 + 大肠癌, 可治 + 抑郁症), a disease and
an outcome (肿瘤 + 变小), or a body-change word and a number (十天 + 甩掉 3公斤) — that no closed phrase list covers.

The parts are extra keys of the scanner's one Aho-Corasick automaton (scanner.py); this module pairs them after
matching, which costs nothing on text without parts (hits are rare). A rule's ``claim`` (packs.Claim) says which words
come before the object, which after, the objects (inline and from lexicon files under compliance/data/), the window
in normalised characters, and the negations that cancel a verb (不能治疗疾病 is advice, not a claim).

A rule's ``sources`` (CL-DATA-PERCENT, 广告法 第十一条第二款: 引证内容……应当表明出处: 数据来源, 检测报告, 测试) cancel
its claims in the same line of the original text, which may be another sentence than the figure's; the scanner
applies them (scanner.Scanner._sourced), on the original line, so that neither the fast path nor the pieces of a long
text nor the texts joined by scan_many change what a source excuses.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from livecommerce.compliance.normalize import BARRIER, normalize_term
from livecommerce.compliance.packs import Rule

NEGATION_REACH = 2  # a negation ending at most this many normalised characters before a verb cancels it (不能 | 治疗)
# a list of diseases is no claim when a negation ends at most LIST_BEFORE characters before it (不能代替药物治疗 | 糖尿病、
# 高血压) or starts at most LIST_AFTER after it (糖尿病、高血压 | 患者慎用): a warning, not a claim (建议, our choice)
LIST_BEFORE, LIST_AFTER = 12, 6
LIST_JOINS = frozenset("\n和及与或跟")  # what may stand between two items of a list (、，and 和 …; 、 is a barrier)
NUMBER = "[0-9一二三四五六七八九十两半百几]+"
# a span of time before a body-change word (十天, 3个月, 一周, 两个星期) and an amount right after it (3斤, 5cm, 一个罩杯)
TIME = re.compile(NUMBER + "(?:天|日|周|个?星期|个?礼拜|个?月|年|个?小时|分钟|weeks?|days?)")
AMOUNT = re.compile("[了掉下去约近足达整整]{0,3}" + NUMBER + "(?:斤|公斤|kg|千克|cm|厘米|公分|个?罩杯)")
ROLES = ("before", "after", "object", "negation")
# what may stand between a word and its amount in a rule's own units: 年轻 | 10岁, 杀灭 | 高达 | 99.9%, 增加 | 了 | 30%
AMOUNT_LEAD = "(?:高达|可达|达到|超过|多达|高于|近|约|了|达){0,2}"


@lru_cache(maxsize=16)
def lexicon(name: str) -> tuple[str, ...]:
    """The words of compliance/data/NAME.txt: one a line, ``#`` starts a comment (the header names the source)."""
    text = resources.files("livecommerce.compliance").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(dict.fromkeys(w for w in words if w))


def parts(rule: Rule) -> Iterable[tuple[str, str, str]]:
    """(role, normalised key, word) of every part of a claim rule, for the automaton."""
    claim = rule.claim
    assert claim is not None
    objects = list(claim.objects) + [w for name in claim.lexicons for w in lexicon(name)]
    for role, words in (("before", claim.before), ("after", claim.after), ("object", objects), ("negation", claim.negations)):
        for word in words:
            key = normalize_term(word)
            if key and BARRIER not in key:
                yield role, key, word


def reach(rule: Rule) -> int:
    """The longest claim of this rule in normalised characters (the stream must wait that long before a hit is final)."""
    claim = rule.claim
    assert claim is not None
    longest = max((len(normalize_term(w)) for w in claim.before + claim.after), default=1)
    objects = max((len(k) for role, k, _ in parts(rule) if role == "object"), default=0)
    if claim.listed:
        return claim.listed * (objects + claim.window) + LIST_BEFORE + LIST_AFTER
    return longest + claim.window + max(objects, 12 if claim.quantity else 0) + NEGATION_REACH


@dataclass
class Found:
    """The parts of one claim rule found in a text: (start, end) in normalised positions, by role."""

    before: list[tuple[int, int]]
    after: list[tuple[int, int]]
    objects: list[tuple[int, int]]
    negations: list[tuple[int, int]]

    def add(self, role: str, start: int, end: int) -> None:
        """Note a part of ``role`` (before, after, object, negation) at [start, end)."""
        (
            self.objects if role == "object" else self.negations if role == "negation" else self.before if role == "before" else self.after
        ).append((start, end))


def found() -> Found:
    """No parts yet."""
    return Found([], [], [], [])


def uncovered(parts_found: Found, covers: list[tuple[int, int]]) -> Found:
    """The parts that no exception of their rule covers."""

    def keep(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(a, b) for a, b in spans if not any(c <= a and b <= d for c, d in covers)]

    return Found(keep(parts_found.before), keep(parts_found.after), keep(parts_found.objects), parts_found.negations)


def pair(rule: Rule, parts_found: Found, text: str) -> list[tuple[int, int]]:
    """The (start, end) of every claim the parts make in the normalised ``text``; a claim never crosses a barrier.
    Objects and negations are sorted once and searched by bisection, so a long text with many parts stays linear."""
    claim = rule.claim
    assert claim is not None
    if claim.listed:
        return lists(claim.listed, claim.window, parts_found, text)
    out = []
    by_start = sorted(parts_found.objects, key=lambda o: (o[0], -o[1]))  # at one start, the longest (抑郁症, not 抑郁)
    starts = [o[0] for o in by_start]
    by_end = sorted(parts_found.objects, key=lambda o: (o[1], o[1] - o[0]))  # at one end, the longest last
    ends = [o[1] for o in by_end]
    negations = sorted(parts_found.negations)
    negation_starts = [n[0] for n in negations]
    for start, end in parts_found.before:
        if _negated(negations, negation_starts, start):
            continue  # 不能治疗疾病, 不能代替药物治疗疾病: advice, not a claim
        if claim.quantity:
            span = _quantity(text, start, end, claim.window, claim.units)
            if span:
                out.append(span)
            continue
        i = bisect_left(starts, end)
        if i < len(by_start) and by_start[i][0] <= end + claim.window:
            o_start, o_end = by_start[i]
            j = bisect_left(negation_starts, end)
            between = j < len(negations) and negations[j][0] < o_start  # 喝酒不开车
            if BARRIER not in text[end:o_start] and not between:
                out.append((start, o_end))
    for start, end in parts_found.after:
        if claim.quantity:
            span = _quantity(text, start, end, claim.window, claim.units)
            if span:
                out.append(span)
            continue
        i = bisect_right(ends, start) - 1
        while i >= 0 and by_end[i][0] >= start:  # an object must start before the outcome
            i -= 1
        if i >= 0 and by_end[i][1] >= start - claim.window and BARRIER not in text[by_end[i][1] : start]:
            out.append((by_end[i][0], end))
    return out


def lists(least: int, gap: int, parts_found: Found, text: str) -> list[tuple[int, int]]:
    """The (start, end) of every run of at least ``least`` objects, each at most ``gap`` characters of LIST_JOINS after
    the one before (颈椎病、腰椎病、糖尿病), that no negation cancels (LIST_BEFORE, LIST_AFTER)."""
    out = []
    run: list[tuple[int, int]] = []
    for start, end in sorted(parts_found.objects, key=lambda o: (o[0], -o[1])):
        if run and start < run[-1][1]:
            continue  # inside the item before (椎间盘突出 in 腰椎间盘突出)
        if run and (start - run[-1][1] > gap or not LIST_JOINS.issuperset(text[run[-1][1] : start])):
            out.extend(_list_span(run, least, parts_found.negations))
            run = []
        run.append((start, end))
    out.extend(_list_span(run, least, parts_found.negations))
    return out


def _list_span(run: list[tuple[int, int]], least: int, negations: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The span of a run of objects when it is long enough and no negation stands just before or after it."""
    if len(run) < least:
        return []
    start, end = run[0][0], run[-1][1]
    if any(start - LIST_BEFORE <= n_end <= start or end <= n_start <= end + LIST_AFTER for n_start, n_end in negations):
        return []
    return [(start, end)]


def _negated(negations: list[tuple[int, int]], negation_starts: list[int], start: int) -> bool:
    """Whether a negation begins before ``start`` and ends at most NEGATION_REACH characters before it (or on it)."""
    i = bisect_left(negation_starts, start) - 1
    while i >= 0:
        n_start, n_end = negations[i]
        if n_end >= start - NEGATION_REACH:
            return True
        if n_start < start - NEGATION_REACH - 20:  # negations are short: nothing further back can reach
            return False
        i -= 1
    return False


@lru_cache(maxsize=16)
def _amount_in(units: tuple[str, ...]) -> re.Pattern[str]:
    """An amount in one of ``units`` right after a word (年轻 | 10岁)."""
    return re.compile(AMOUNT_LEAD + NUMBER + "(?:" + "|".join(re.escape(u) for u in units) + ")")


def _quantity(text: str, start: int, end: int, window: int, units: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """A body-change word with a number: an amount right after it (瘦 | 3斤), or a span of time before it within the
    window (十天 | 甩掉). The claim runs from the time (or the word) to the amount (or the word). With ``units`` only
    an amount in one of them counts (年轻 | 10岁)."""
    if units:
        own = _amount_in(units).match(text, end)
        return (start, own.end()) if own else None
    amount = AMOUNT.match(text, end)
    stop = amount.end() if amount else end
    lead = text[max(0, start - window - 8) : start]
    times = [m for m in TIME.finditer(lead) if len(lead) - m.end() <= window and BARRIER not in lead[m.end() :]]
    if times:
        return start - len(lead) + times[-1].start(), stop
    if amount:
        return start, stop
    return None
