"""Marking hits in their text (违规标注) for people: the text cut into pieces that no hit boundary crosses, each piece
knowing which hits cover it. The console page renders each covered piece as a <mark>, the CLI puts 【】 around each
run of touching covered pieces. Hits of different categories may overlap (最好评返现: 最好 and 好评返现), so a hit is not one
piece: 最 | 好 | 评返现 are three pieces, the middle one covered by both hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SEVERITY_ORDER = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Piece:
    """A stretch [start, end) of the original text and the indexes (into the hits given) of the hits covering it;
    ``ending`` are those of them that end here (the page numbers a hit after its last piece)."""

    text: str
    start: int
    end: int
    hits: tuple[int, ...] = ()
    ending: tuple[int, ...] = ()


def pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[Piece]:
    """The text cut at every start and end of ``spans`` ([start, end) offsets into ``text``); the pieces cover the
    whole text in order, so joining their texts gives the text back. One sweep over the cuts: a long transcript with
    thousands of hits costs no more than its cuts."""
    size = len(text)
    clipped = [(min(max(a, 0), size), min(max(b, 0), size)) for a, b in spans]
    starting: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(clipped):
        if a < b:
            starting.setdefault(a, []).append(i)
    cuts = sorted({0, size, *(p for span in clipped for p in span)})
    active: set[int] = set()
    out: list[Piece] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        active = {i for i in active if clipped[i][1] > start} | set(starting.get(start, ()))
        covering = tuple(sorted(active))
        out.append(Piece(text[start:end], start, end, covering, tuple(i for i in covering if clipped[i][1] == end)))
    return out


def worst(severities: Sequence[str]) -> str:
    """The gravest of some severities (high > medium > low)."""
    return max(severities, key=lambda s: SEVERITY_ORDER.get(s, 0)) if severities else ""
