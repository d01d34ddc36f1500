"""The fast path of the scanner (快速筛选): which raw matches of the automaton can matter, decided for all of them at
once with numpy, so that the Python loop only sees the few that can.

Most matches of the shipped packs in ordinary chat are exceptions (第一次, 最近) or lone claim parts (防, 降, 糖尿病)
that pair with nothing. A pattern always matters. A claim verb or outcome matters only with an object within
``reach`` characters, an object only with such a verb or outcome, a negation only near a verb that matters. An
exception matters only when something that matters starts inside it (it can only excuse what it covers). Every test
keeps a superset of what the full rules need, so the answer is the same as without the fast path.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np

PATTERN, COVER, VERB, QUANTITY, OBJECT, NEGATION, LISTED = 1, 2, 4, 8, 16, 32, 64
# a quantity word (甩掉, 改善 …) needs a number: a span of time ending within its window before it, searched in the
# window and 8 characters more (claims._quantity), or an amount whose first numeral is at most 4 characters after it
# (了掉下去… or 高达/超过 …, twice at most: claims.AMOUNT, claims.AMOUNT_LEAD)
NUMBER_BEFORE, NUMBER_AFTER = 8, 5
NUMERALS = np.array(sorted(map(ord, "0123456789一二三四五六七八九十两半百几")), dtype=np.uint32)
NEGATION_SPAN = 25  # a negation this far from a verb (or a list) cannot cancel it (negations are short; the reach is 2, a list's 12)


@dataclass(frozen=True)
class Kinds:
    """For each key of the automaton, the kinds of its entries (bit flags above), and the widest claim window."""

    flags: np.ndarray
    reach: int
    gap: int = 0  # the widest gap between two items of a list (claim.listed)


def kinds(entries: list[tuple[object, ...]], reach: int) -> Kinds:
    """The flags of every key from its entries (anything with ``rule``, ``exception``, ``role`` attributes)."""
    flags = np.zeros(len(entries), dtype=np.uint8)
    gap = 0
    for index, group in enumerate(entries):
        value = 0
        for entry in group:
            role = getattr(entry, "role", "")
            if getattr(entry, "exception", None) is not None:
                value |= COVER
            elif role in ("before", "after"):
                claim = entry.rule.claim  # type: ignore[attr-defined]
                value |= QUANTITY if claim is not None and claim.quantity else VERB
            elif role == "object" and entry.rule.claim.listed:  # type: ignore[attr-defined]
                value |= LISTED
                gap = max(gap, entry.rule.claim.window)  # type: ignore[attr-defined]
            elif role == "object":
                value |= OBJECT
            elif role == "negation":
                value |= NEGATION
            else:
                value |= PATTERN
        flags[index] = value
    return Kinds(flags, reach, gap)


def _near(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """For each [low, high] whether some of the sorted ``points`` lies in it."""
    if len(points) == 0:
        return np.zeros(len(low), dtype=bool)
    at = np.searchsorted(points, low, side="left")
    return (at < len(points)) & (points[np.minimum(at, len(points) - 1)] <= high)


def _numbered(text: str, start: np.ndarray, end: np.ndarray, reach: int) -> np.ndarray:
    """For each quantity word at [start, end) whether a numeral stands where its time or its amount could begin."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(np.isin(codes, NUMERALS), out=counts[1:])
    low = np.maximum(start - reach - NUMBER_BEFORE, 0)
    high = np.minimum(end + NUMBER_AFTER, len(codes))
    numbered: np.ndarray = counts[high] > counts[low]
    return numbered


def relevant(matches: list[tuple[int, int, int]], k: Kinds, text: str | None = None) -> list[tuple[int, int, int]]:
    """The matches (key index, start, end) that can matter, in their order; with ``text`` (the normalised text they
    were found in) a quantity word with no numeral near it is dropped too."""
    if len(matches) < 64:
        return matches
    rows = np.fromiter(chain.from_iterable(matches), dtype=np.int64, count=3 * len(matches)).reshape(-1, 3)
    index, start, end = rows[:, 0], rows[:, 1], rows[:, 2]
    flags = k.flags[index]
    pattern = (flags & PATTERN) != 0
    quantity = (flags & QUANTITY) != 0
    if quantity.any():
        pattern[quantity] |= _numbered(text, start[quantity], end[quantity], k.reach) if text is not None else True
    verb, obj, neg = (flags & VERB) != 0, (flags & OBJECT) != 0, (flags & NEGATION) != 0
    keep = pattern.copy()
    if verb.any() and obj.any():
        object_starts, object_ends = np.sort(start[obj]), np.sort(end[obj])
        near_object = _near(object_starts, end[verb], end[verb] + k.reach) | _near(object_ends, start[verb] - k.reach, start[verb])
        kept_verb = np.flatnonzero(verb)[near_object]
        keep[kept_verb] = True
        verb_starts, verb_ends = np.sort(start[kept_verb]), np.sort(end[kept_verb])
        keep[obj] |= _near(verb_ends, start[obj] - k.reach, start[obj]) | _near(verb_starts, end[obj], end[obj] + k.reach)
        if neg.any():
            keep[neg] |= _near(verb_starts, start[neg] - NEGATION_SPAN, end[neg] + NEGATION_SPAN)
    listed = (flags & LISTED) != 0
    if listed.any():  # an item of a list matters when another item starts right after it or ends right before it
        item_starts, item_ends = np.sort(start[listed]), np.sort(end[listed])
        near_item = _near(item_starts, end[listed], end[listed] + k.gap) | _near(item_ends, start[listed] - k.gap, start[listed])
        keep[listed] |= near_item
        if neg.any() and near_item.any():
            kept_items = np.sort(start[np.flatnonzero(listed)[near_item]])
            keep[neg] |= _near(kept_items, start[neg] - NEGATION_SPAN, end[neg] + NEGATION_SPAN)
    cover = (flags & COVER) != 0
    if cover.any() and keep.any():
        starts = np.sort(start[keep])
        keep[cover] |= _near(starts, start[cover], end[cover] - 1)
    return [matches[i] for i in np.flatnonzero(keep)]
