"""The scanner (违规检测): every pattern of the active rules, and every exception, in one Aho-Corasick automaton
(ahocorasick-rs, overlapping matches; pyahocorasick slows to about 1M characters a second once a pack holds thousands
of rare characters, bench/compliance.py) over the normalised text; then Latin word boundaries, exceptions and overlaps; then each hit mapped
back to its start and end in the original text.

Rules flagged ``pinyin`` are also matched with any of their characters written in pinyin (zui好, zuihao), from
pypinyin. A hit is dropped when an exception that applies to it (the rule's own, or the pack's for its category)
covers it, and when a longer hit of the same category covers it (全网最低价 is one claim, not three).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import product
from typing import Any

import ahocorasick_rs

from livecommerce.compliance import claims, prefilter
from livecommerce.compliance.normalize import BARRIER, BARRIERS, Normalized, normalize, normalize_term
from livecommerce.compliance.packs import Exception_, Pack, Rule, select
from livecommerce.core.timeutil import today

MAX_PINYIN_CHARS = 4
# A key ending in one of these (第1, TOP1, NO.1, 第一) is no hit when another follows: 排名第12位, top100, 第一百
NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万亿两")
PIECE = 1 << 16  # a long text is scanned in pieces of about this many characters, each cut after a barrier
_BARRIER_AT = re.compile("[" + re.escape(BARRIERS) + "]")
HARD_BREAKS = "\n\r\u2028\u2029"  # where a line ends: the scope of a claim rule's sources (packs.Claim.sources)


@dataclass(frozen=True)
class Hit:
    """One prohibited word or claim found: which rule, which law, where in the original text, what to say instead."""

    rule: str
    category: str
    severity: str
    law: str
    start: int
    end: int
    text: str
    suggestion: str
    pack: str
    term: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "law": self.law,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "suggestion": self.suggestion,
        }


def _latin(ch: str) -> bool:
    return "a" <= ch <= "z"


def pinyin_variants(term: str) -> set[str]:
    """A normalised term with some or all of its Chinese characters written in pinyin: 最好 → zui好, 最hao, zuihao."""
    from pypinyin import Style, lazy_pinyin

    syllables = [lazy_pinyin(ch, style=Style.NORMAL)[0] if "\u4e00" <= ch <= "\u9fff" else ch for ch in term]
    spots = [i for i, ch in enumerate(term) if syllables[i] != ch and syllables[i].isascii()]
    if not spots:
        return set()
    out = set()
    if len(spots) <= MAX_PINYIN_CHARS:
        for choice in product((False, True), repeat=len(spots)):
            if any(choice):
                chars = list(term)
                for spot, use in zip(spots, choice, strict=True):
                    if use:
                        chars[spot] = syllables[spot]
                out.add("".join(chars))
    else:
        out.add("".join(syllables))
        for spot in spots:
            out.add(term[:spot] + syllables[spot] + term[spot + 1 :])
    return out


@dataclass(frozen=True)
class _Entry:
    """What a key of the automaton stands for: a rule's pattern (or its pinyin form) or an exception."""

    rule: Rule | None
    exception: Exception_ | None
    term: str
    length: int
    latin_start: bool
    latin_end: bool
    numeral_end: bool = False
    role: str = ""  # a part of a claim rule (before, after, object, negation); "" for a pattern or an exception
    reach_keys: tuple[tuple[str, str], ...] = ()  # an exception: what it excuses ((rule, id), (category, c), (all, ""))
    checked: bool = False  # a match needs a Latin word or numeral boundary check


class Scanner:
    """The active rules of some packs on one day, compiled into one automaton."""

    def __init__(self, packs: Iterable[Pack], day: date | None = None) -> None:
        self.day = day or today()
        self.packs = tuple(p for p in packs if p.effective_from is None or p.effective_from <= self.day)
        self.rules = tuple(r for p in self.packs for r in p.rules if r.active(self.day))
        entries: dict[str, list[_Entry]] = {}

        def add(key: str, rule: Rule | None, exception: Exception_ | None, term: str, role: str = "") -> None:
            if key and BARRIER not in key:
                reach_keys: tuple[tuple[str, str], ...] = ()
                if exception is not None:
                    reach_keys = (
                        (("rule", rule.id),) if rule is not None else tuple(("category", c) for c in exception.categories) or (("all", ""),)
                    )
                latin_start, latin_end, numeral_end = _latin(key[0]), _latin(key[-1]), key[-1] in NUMERALS
                entries.setdefault(key, []).append(
                    _Entry(
                        rule,
                        exception,
                        term,
                        len(key),
                        latin_start,
                        latin_end,
                        numeral_end,
                        role,
                        reach_keys,
                        latin_start or latin_end or numeral_end,
                    )
                )

        for rule in self.rules:
            for pattern in rule.patterns:
                key = normalize_term(pattern)
                add(key, rule, None, pattern)
                if rule.pinyin:
                    for variant in pinyin_variants(key):
                        add(variant, rule, None, pattern)
            for exception in rule.exceptions:
                add(normalize_term(exception.pattern), rule, exception, exception.pattern)
            if rule.claim is not None:
                for role, key, word in claims.parts(rule):
                    add(key, rule, None, word, role)
        active_categories = {r.category for r in self.rules}
        for pack in self.packs:
            for exception in pack.exceptions:
                if not exception.categories or set(exception.categories) & active_categories:
                    add(normalize_term(exception.pattern), None, exception, exception.pattern)
        keys = sorted(entries)
        self.matcher_keys = keys
        self._plans: dict[str | None, list[tuple[_Entry, ...]]] = {}
        self.entries = [tuple(entries[key]) for key in keys]
        windows = [r.claim.window for r in self.rules if r.claim is not None]
        self.kinds = prefilter.kinds(self.entries, max(windows, default=0))  # type: ignore[arg-type]
        self.matcher = ahocorasick_rs.AhoCorasick(keys) if keys else None
        self.claim_entries = {r.id: _Entry(r, None, r.id, 0, False, False) for r in self.rules if r.claim is not None}
        # a claim rule's sources as the scanner reads them (数据来源 …), looked for in a hit's line (_sourced)
        self.sources = {
            r.id: tuple(normalize_term(w) for w in r.claim.sources) for r in self.rules if r.claim is not None and r.claim.sources
        }
        # the stream waits this long before a hit is final: the longest key, or the longest claim with its window
        self.longest = max([len(k) for k in keys] + [claims.reach(r) for r in self.rules if r.claim is not None] + [1])

    def scan(self, text: str, product_type: str | None = None) -> list[Hit]:
        """Every hit in ``text`` (about a product of ``product_type``, None when unknown), in order of start (then end,
        then rule)."""
        return [hit for _, hits in self._pieces(text, product_type) for hit in hits]

    def scan_many(self, texts: list[str], product_types: list[str | None] | None = None) -> list[list[Hit]]:
        """Many short texts (chat lines) at once: joined by a barrier, scanned once, split back. ``product_types``
        gives each text's product type (texts of several types are scanned once per type)."""
        kinds = product_types or [None] * len(texts)
        if len(set(kinds)) > 1:
            out: list[list[Hit]] = [[] for _ in texts]
            for kind in dict.fromkeys(kinds):
                chosen = [i for i, k in enumerate(kinds) if k == kind]
                for i, hits in zip(chosen, self.scan_many([texts[i] for i in chosen], [kind] * len(chosen)), strict=True):
                    out[i] = hits
            return out
        joined = BARRIER.join(texts)
        ends, at = [], 0
        for text in texts:
            at += len(text)
            ends.append(at)
            at += 1
        out = [[] for _ in texts]
        i = 0
        for _, hits in self._pieces(joined, kinds[0] if kinds else None):
            for hit in hits:
                while hit.start > ends[i]:
                    i += 1
                offset = ends[i] - len(texts[i])
                out[i].append(
                    Hit(
                        hit.rule,
                        hit.category,
                        hit.severity,
                        hit.law,
                        hit.start - offset,
                        hit.end - offset,
                        hit.text,
                        hit.suggestion,
                        hit.pack,
                        hit.term,
                    )
                )
        return out

    def _pieces(self, text: str, product_type: str | None) -> Iterator[tuple[int, list[Hit]]]:
        """The hits of ``text`` piece by piece: a long text is cut after a barrier character (a line or sentence end,
        a comma) every ``PIECE`` characters or so. No key, exception or claim spans a barrier, so the hits are those
        of the whole text; the pieces keep every array small, which on a machine where fresh memory is slow to map
        is most of the time of a long text (bench/compliance.py)."""
        start, size = 0, len(text)
        while start < size:
            end = size
            if size - start > PIECE:  # after a line break, so that a line is one piece (a claim's sources are in its line)
                line_end = text.find("\n", start + PIECE, start + 2 * PIECE)
                cut = _BARRIER_AT.search(text, start + PIECE) if line_end < 0 else None
                end = line_end + 1 if line_end >= 0 else cut.end() if cut else size
            piece = text[start:end] if start or end < size else text
            norm = normalize(piece)
            yield start, [self._hit(piece, norm, *found, offset=start) for found in self._find(norm, product_type)]
            start = end

    def _plan(self, product_type: str | None) -> list[tuple[_Entry, ...]]:
        """For each key, its entries whose rule and exception apply to ``product_type`` (built once per type)."""
        cached = self._plans.get(product_type)
        if cached is None:
            cached = [
                tuple(
                    e
                    for e in entries
                    if (e.rule is None or e.rule.applies(product_type)) and (e.exception is None or e.exception.applies(product_type))
                )
                for entries in self.entries
            ]
            self._plans[product_type] = cached
        return cached

    def _hit(self, text: str, norm: Normalized, entry: _Entry, start: int, end: int, offset: int = 0) -> Hit:
        rule = entry.rule
        assert rule is not None
        a, b = norm.span(start, end)
        return Hit(
            rule.id, rule.category, rule.severity, str(rule.law), a + offset, b + offset, text[a:b], rule.suggestion, rule.pack, entry.term
        )

    def _sourced(self, norm: Normalized, rule: Rule, start: int, end: int) -> bool:
        """Whether one of the rule's sources (数据来源, 检测报告) stands in the line of the original text that holds the
        claim at normalised [start, end)."""
        a, b = norm.span(start, end)
        line = normalize(_line(norm.source, a, b)).text
        return any(word in line for word in self.sources[rule.id])

    def _find(self, norm: Normalized, product_type: str | None = None) -> list[tuple[_Entry, int, int]]:
        """(entry, start, end) of each rule hit in normalised positions, for a text about ``product_type``; claims
        paired, numeral boundaries, exceptions and overlaps applied."""
        text = norm.text
        if not text or self.matcher is None:
            return []
        hits: list[tuple[_Entry, int, int]] = []
        covers: list[tuple[_Entry, int, int]] = []
        parts: dict[str, claims.Found] = {}
        own: dict[str, list[tuple[int, int]]] = {}  # exceptions of claim rules, which drop the parts they cover
        plan = self._plan(product_type)  # for each key, its entries that apply to this product type
        matches = prefilter.relevant(self.matcher.find_matches_as_indexes(text, overlapping=True), self.kinds, text)
        for index, start, end in matches:
            for entry in plan[index]:
                if entry.checked:
                    if entry.latin_start and norm.latin_at(int(norm.starts[start]) - 1):
                        continue  # a Latin word boundary is judged on the original text: 加V：hlj888 has one after V
                    if entry.latin_end and norm.latin_at(int(norm.ends[end - 1]) + 1):
                        continue
                    if entry.numeral_end and end < len(text) and text[end] in NUMERALS and not entry.role:
                        continue  # 排名第1 in 排名第12位, top1 in top100, 第一 in 第一百: another number goes on
                if entry.role:
                    assert entry.rule is not None
                    found = parts.get(entry.rule.id)
                    if found is None:
                        found = parts[entry.rule.id] = claims.found()
                    found.add(entry.role, start, end)
                    continue
                if entry.exception is not None:
                    covers.append((entry, start, end))
                    if entry.rule is not None and entry.rule.claim is not None:
                        own.setdefault(entry.rule.id, []).append((start, end))
                else:
                    hits.append((entry, start, end))
        for rule_id, found in parts.items():
            entry = self.claim_entries[rule_id]
            assert entry.rule is not None
            if rule_id in own:  # a rule's exception drops the part it covers (鸡眼罩 is no 鸡眼)
                found = claims.uncovered(found, own[rule_id])
            spans = claims.pair(entry.rule, found, text)
            if spans and entry.rule.claim is not None and entry.rule.claim.sources:
                spans = [(start, end) for start, end in spans if not self._sourced(norm, entry.rule, start, end)]
            hits.extend((entry, start, end) for start, end in spans)
        if not hits:
            return []
        if covers:
            hits = _not_excused(hits, covers)
        return _without_covered(hits)


def _line(source: str, start: int, end: int) -> str:
    """The line of ``source`` that holds [start, end): from the hard line break before it to the one after it."""
    first = max(source.rfind(c, 0, start) for c in HARD_BREAKS) + 1
    after = [i for i in (source.find(c, end) for c in HARD_BREAKS) if i >= 0]
    return source[first : min(after, default=len(source))]


def _not_excused(hits: list[tuple[_Entry, int, int]], covers: list[tuple[_Entry, int, int]]) -> list[tuple[_Entry, int, int]]:
    """The hits no exception covers. One sweep by start: for each applicability (a rule's own exceptions, a category's,
    every category's) the furthest end of the exceptions begun so far; a hit is covered when one reaches its end."""
    covers.sort(key=lambda c: c[1])
    hits.sort(key=lambda h: h[1])
    reach: dict[tuple[str, str], int] = {}
    kept, i = [], 0
    for hit in hits:
        start = hit[1]
        while i < len(covers) and covers[i][1] <= start:
            entry, _, end = covers[i]
            for key in entry.reach_keys:
                if reach.get(key, 0) < end:
                    reach[key] = end
            i += 1
        if not reach:
            kept.append(hit)
            continue
        rule = hit[0].rule
        assert rule is not None
        end = hit[2]
        if reach.get(("rule", rule.id), 0) < end and reach.get(("category", rule.category), 0) < end and reach.get(("all", ""), 0) < end:
            kept.append(hit)
    return kept


def _without_covered(hits: list[tuple[_Entry, int, int]]) -> list[tuple[_Entry, int, int]]:
    """One hit per claim: a hit inside or overlapping another of the same category becomes part of it (全网最低 and
    最低价 in 全网最低价 are one claim), reported under the rule of the one that starts first (the longer on a tie)."""
    hits.sort(key=lambda h: (h[1], -h[2], h[0].rule.id if h[0].rule else ""))
    kept: list[tuple[_Entry, int, int]] = []
    open_by_category: dict[str, int] = {}
    for entry, start, end in hits:
        rule = entry.rule
        assert rule is not None
        at = open_by_category.get(rule.category)
        if at is not None and start < kept[at][2]:
            first = kept[at]
            kept[at] = (first[0], first[1], max(first[2], end))
            continue
        open_by_category[rule.category] = len(kept)
        kept.append((entry, start, end))
    kept.sort(key=lambda h: (h[1], h[2], h[0].rule.id if h[0].rule else ""))
    return kept


@lru_cache(maxsize=8)
def _cached(names: tuple[str, ...] | None, day: date) -> Scanner:
    return Scanner(select(list(names) if names else None), day)


def default_scanner(packs: list[str] | None = None, day: date | None = None) -> Scanner:
    """The scanner of these packs (all by default) for today (or ``day``), built once per process."""
    return _cached(tuple(packs) if packs else None, day or today())
