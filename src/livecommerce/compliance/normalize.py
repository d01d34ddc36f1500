"""Normalisation with offsets (文本归一化): the text the rules are matched on, and for each of its characters where it
stands in the original, so that every hit maps back to its exact start and end.

One table lookup per character, vectorised with numpy: Traditional → Simplified (OpenCC t2s, character by character),
NFKC (full width → half width, ① → 1, Ⓐ → a), lower case; symbols, spaces and most punctuation are dropped (最*好,
最 好 → 最好) while sentence ends (。！？!? and line breaks) become a barrier that no rule contains; a run of the same
Chinese character collapses to one (最最最好 → 最好; digits and Latin letters are kept as they are, so 100 stays 100;
% and ‰ are kept). Commas, colons and semicolons are barriers too: natural clauses must not join.
Rules are normalised by the same function, so both sides agree. Dropping only non-characters means a match can never
join across a real character (中间国 does not become 中国) nor widen beyond the characters it matched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

BARRIER = "\n"
# sentence and clause ends: a rule never matches across them (口感，第一口 is not 口感第一)
BARRIERS = "\n\r。！？!?\u2029\u2028，,；;：:、"
KEPT_SYMBOLS = "%‰"  # 100%有效 is not 满100有效
_ASCII_ALNUM = 0x80


@dataclass(frozen=True)
class Normalized:
    """A normalised text: ``text``; ``starts[i]`` is where its i-th character begins in the original and ``ends[i]``
    where the run it stands for ends (inclusive), so [starts[s], ends[e - 1] + 1) is the original span of [s, e)."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    source: str = ""

    def latin_at(self, position: int) -> bool:
        """Whether the original character at ``position`` is a Latin letter (after width and case folding)."""
        if position < 0 or position >= len(self.source):
            return False
        mapped = int(tables()[0][ord(self.source[position])])
        return 0x61 <= mapped <= 0x7A

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of the normalised [start, end)."""
        return int(self.starts[start]), int(self.ends[end - 1]) + 1


@lru_cache(maxsize=1)
def tables() -> tuple[np.ndarray, np.ndarray]:
    """(mapped code point, kept?) for every code point; built once (≈0.3 s) from OpenCC and unicodedata."""
    import opencc

    size = 0x110000
    mapped = np.arange(size, dtype=np.uint32)
    keep = np.zeros(size, dtype=bool)
    bmp = [chr(c) if not 0xD800 <= c <= 0xDFFF else " " for c in range(0x10000)]
    simplified = opencc.OpenCC("t2s").convert("\n".join(bmp[0x3400:0xA000] + bmp[0xF900:0xFB00])).split("\n")
    t2s = {}
    for original, converted in zip(bmp[0x3400:0xA000] + bmp[0xF900:0xFB00], simplified, strict=True):
        if len(converted) == 1 and converted != original:
            t2s[original] = converted
    for code in range(0x10000):
        ch = bmp[code]
        if ch in BARRIERS:
            mapped[code], keep[code] = ord(BARRIER), True
            continue
        ch = t2s.get(ch, ch)
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1:
            ch = folded
        if ch in BARRIERS:
            mapped[code], keep[code] = ord(BARRIER), True
            continue
        ch = ch.lower() if len(ch.lower()) == 1 else ch
        category = unicodedata.category(ch)
        if category[0] in "LN" or ch in KEPT_SYMBOLS:
            mapped[code], keep[code] = ord(ch), True
    # beyond the BMP: CJK extensions B-H are characters; emoji and the rest are symbols, dropped
    keep[0x20000:0x40000] = True
    return mapped, keep


def normalize(text: str) -> Normalized:
    """The normalised text of ``text`` with its offsets."""
    if not text:
        empty = np.zeros(0, dtype=np.int64)
        return Normalized("", empty, empty)
    mapped_table, keep_table = tables()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kept = np.flatnonzero(keep_table[codes])
    chars = mapped_table[codes[kept]]
    if len(chars) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Normalized("", empty, empty)
    first = np.ones(len(chars), dtype=bool)
    first[1:] = (chars[1:] != chars[:-1]) | (chars[1:] < _ASCII_ALNUM)
    heads = np.flatnonzero(first)
    starts = kept[heads]
    ends = np.empty(len(heads), dtype=np.int64)
    ends[:-1] = kept[heads[1:] - 1]
    ends[-1] = kept[-1]
    return Normalized(chars[heads].tobytes().decode("utf-32-le"), starts, ends, text)


def normalize_term(term: str) -> str:
    """A rule's pattern as the scanner matches it."""
    return normalize(term).text
