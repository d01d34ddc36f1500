"""Resolve what a person or a platform export writes for a place to a current region: a code, a 全称 or 简称, a
retired name or code (漠河县, 230182), or an address (黑龙江省哈尔滨市五常市山河镇…, 哈尔滨五常).

Addresses are read by a longest match anchored at the start: [中国] [黑龙江[省]] [city] [county], each part by its
全称 or 简称 (retired county names too), separators skipped; whatever follows the county (town, street) is ignored.
A county named under a city must lie in that city. An ambiguous name or a split retired code raises
``AmbiguousRegion`` with its candidates; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.reference.build import short_name
from livecommerce.reference.history import Retirement, history
from livecommerce.reference.regions import PROVINCE, Region, regions

SKIP = " \t,，、:：;；/-_()（）"
PROVINCE_NAMES = ("黑龙江省", "黑龙江")


class AmbiguousRegion(ValidationFailed):
    """A name or retired code with several possible current regions; ``candidates`` lists their codes."""

    def __init__(self, message: str, candidates: list[str], retired: str = "") -> None:
        super().__init__(message)
        self.candidates = candidates
        self.retired = retired  # the retired code that was split, if that is the ambiguity


@dataclass(frozen=True)
class Resolution:
    """The current region a text names, and the retired entry it went through (if the text was a retired one)."""

    region: Region
    retired: Retirement | None = None
    via: str = "name"  # code, name, retired or address
    others: tuple[Retirement, ...] = field(default_factory=tuple)  # towns of the retired area that went elsewhere


@dataclass(frozen=True)
class _County:
    region: Region
    retired: Retirement | None


@lru_cache(maxsize=1)
def _county_names() -> dict[str, dict[str, list[_County]]]:
    """city code → spelling → counties (current ones by 全称 and 简称, retired ones by their old names)."""
    table, past = regions(), history()
    current_names = {r.name for r in table} | {r.short_name for r in table}
    names: dict[str, dict[str, list[_County]]] = {}
    for region in table:
        if region.level == "county" and region.parent_code:
            for spelling in {region.name, region.short_name}:
                names.setdefault(region.parent_code, {}).setdefault(spelling, []).append(_County(region, None))
    for code, entries in past.by_code.items():
        entry = past.successor(code)
        city = code[:4] + "00"
        old = entries[0].old_name
        spellings = {old} | ({short_name(old)} - current_names)
        chosen = [entry] if entry else entries
        for spelling in spellings:
            names.setdefault(city, {}).setdefault(spelling, []).extend(_County(table.get(e.new_code), e) for e in chosen)
    return names


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in SKIP:
        pos += 1
    return pos


def _longest(text: str, pos: int, spellings: Mapping[str, object]) -> str | None:
    for size in range(min(12, len(text) - pos), 1, -1):
        if text[pos : pos + size] in spellings:
            return text[pos : pos + size]
    return None


def _retired_answer(entries: list[Retirement], via: str, text: str) -> Resolution:
    """The successor of a retired code or name; AmbiguousRegion when the area was split with no main part."""
    main = [e for e in entries if e.share in ("whole", "main")]
    if len({e.new_code for e in main}) == 1:
        others = tuple(e for e in entries if e.share == "part")
        return Resolution(regions().get(main[0].new_code), main[0], via, others)
    options = "、".join(f"{e.new_name}({e.new_code})" for e in entries)
    raise AmbiguousRegion(
        f"{text!r} ({entries[0].describe().split(' → ')[0]}) was split among {options}; the record does not say which",
        [e.new_code for e in entries],
        entries[0].old_code,
    )


def _parse_address(text: str) -> Resolution:
    """Province, city and county read from the start of an address (see the module docstring)."""
    table = regions()
    pos = _skip(text, 0)
    if text.startswith("中国", pos):
        pos = _skip(text, pos + 2)
    for name in PROVINCE_NAMES:
        if text.startswith(name, pos):
            pos = _skip(text, pos + len(name))
            break
    cities = {spelling: c for c in table.cities() for spelling in (c.name, c.short_name)}
    found = _longest(text, pos, cities)
    city = cities[found] if found else None
    if found:
        pos = _skip(text, pos + len(found))
    counties = _county_names()
    scope = [city.code] if city else [c.code for c in table.cities()]
    spellings: dict[str, list[_County]] = {}
    for code in scope:
        for spelling, options in counties.get(code, {}).items():
            spellings.setdefault(spelling, []).extend(options)
    county = _longest(text, pos, spellings)
    if county is None:
        if city is None:
            raise NotFound(f"unknown region {text!r}: no city or county of Heilongjiang at its start")
        return Resolution(city, None, "address")
    name = county
    options = spellings[name]
    if len({o.region.code for o in options}) > 1:
        if all(o.retired for o in options):
            return _retired_answer([o.retired for o in options if o.retired], "address", name)
        listed = "、".join(f"{table.full_name(o.region.code)}({o.region.code})" for o in options)
        raise AmbiguousRegion(f"region name {name!r} in {text!r} is ambiguous: {listed}", [o.region.code for o in options])
    chosen = options[0]
    others = tuple(e for e in history().of_code(chosen.retired.old_code) if e.share == "part") if chosen.retired else ()
    return Resolution(chosen.region, chosen.retired, "address", others)


def resolve(text: str) -> Resolution:
    """The current region for a code, name, retired code or name, or address; NotFound / AmbiguousRegion otherwise."""
    text = str(text).strip()
    table = regions()
    try:
        region = table.find(text)
        return Resolution(region, None, "code" if text == region.code else "name")
    except ValidationFailed as exc:
        raise AmbiguousRegion(str(exc), table.candidates(text)) from exc
    except NotFound:
        pass
    past = history()
    if past.of_code(text):
        return _retired_answer(past.of_code(text), "retired", text)
    if past.of_name(text):
        return _retired_answer(past.of_name(text), "retired", text)
    if text.isdigit():
        raise NotFound(f"unknown region code {text!r}: not a current or retired GB/T 2260 code of Heilongjiang")
    return _parse_address(text)


def resolve_code(text: str) -> str:
    """The current code of a text (see ``resolve``); used where only the code matters."""
    return resolve(text).region.code


__all__ = ["PROVINCE", "AmbiguousRegion", "Resolution", "resolve", "resolve_code"]
