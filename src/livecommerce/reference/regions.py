"""Regions (行政区划) of Heilongjiang with 6-digit GB/T 2260 codes: the province, 13 prefecture-level divisions
(12 cities and 大兴安岭地区) and every county-level division, from data/regions.csv (see build.py for the source).

A fact carries the finest code it has; statistics roll up county → city → province (DESIGN.md: Regions).
Unknown codes are rejected, never guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from livecommerce.core.errors import NotFound, ValidationFailed

PROVINCE = "230000"
DATA = Path(__file__).with_name("data") / "regions.csv"


@dataclass(frozen=True)
class Region:
    """One division: its code, 全称, 简称, level (province / city / county) and parent code."""

    code: str
    name: str
    short_name: str
    level: str
    parent_code: str | None
    statistical_only: bool

    @property
    def city_code(self) -> str | None:
        """The prefecture this region lies in (itself for a prefecture, None for the province)."""
        if self.level == "province":
            return None
        return self.code if self.level == "city" else self.parent_code


class Regions:
    """The loaded table with look-ups by code and by name, parents, children and roll-ups."""

    def __init__(self, regions: list[Region]) -> None:
        self.by_code = {region.code: region for region in regions}
        self._children: dict[str, list[Region]] = {}
        self._names: dict[str, list[Region]] = {}
        for region in regions:
            if region.parent_code:
                self._children.setdefault(region.parent_code, []).append(region)
            for key in {region.name, region.short_name}:
                self._names.setdefault(key, []).append(region)
            if region.parent_code and region.level == "county":
                parent = self.by_code.get(region.parent_code)
                if parent:  # 佳木斯市向阳区 names one 向阳区 of two
                    for prefix in {parent.name, parent.short_name}:
                        self._names.setdefault(prefix + region.name, []).append(region)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.by_code.values())

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Region:
        """The region of this code; NotFound for any code outside Heilongjiang's table."""
        region = self.by_code.get(str(code).strip())
        if region is None:
            raise NotFound(f"unknown region code {code!r}: not a GB/T 2260 code of Heilongjiang")
        return region

    def find(self, text: str) -> Region:
        """A region by code, 全称 or 简称 (哈尔滨 / 哈尔滨市 / 230100); an ambiguous name lists its candidates."""
        text = str(text).strip()
        if text in self.by_code:
            return self.by_code[text]
        matches = self._names.get(text, [])
        if not matches:
            raise NotFound(f"unknown region {text!r}")
        if len(matches) > 1:
            options = "、".join(f"{self.full_name(m.code)}({m.code})" for m in matches)
            raise ValidationFailed(f"region name {text!r} is ambiguous: {options}")
        return matches[0]

    def candidates(self, name: str) -> list[str]:
        """The codes a name may mean (two for 向阳区)."""
        return [region.code for region in self._names.get(name, [])]

    def parent(self, code: str) -> Region | None:
        region = self.get(code)
        return self.by_code[region.parent_code] if region.parent_code else None

    def children(self, code: str) -> list[Region]:
        return list(self._children.get(code, []))

    def cities(self) -> list[Region]:
        """The 13 prefecture-level divisions, by code."""
        return self.children(PROVINCE)

    def ancestors(self, code: str) -> list[Region]:
        """The region itself and every division above it, finest first (county, city, province)."""
        chain = [self.get(code)]
        while chain[-1].parent_code:
            chain.append(self.by_code[chain[-1].parent_code])
        return chain

    def roll_up(self, code: str, level: str) -> str:
        """The code of the division at ``level`` that contains this region (county → city → province)."""
        for region in self.ancestors(code):
            if region.level == level:
                return region.code
        raise ValidationFailed(f"region {code} is above level {level!r}")

    def descendants(self, code: str) -> frozenset[str]:
        """This code and every code below it: what a scope over this region covers."""
        found = {code}
        stack = [code]
        while stack:
            for child in self._children.get(stack.pop(), []):
                found.add(child.code)
                stack.append(child.code)
        return frozenset(found)

    def full_name(self, code: str) -> str:
        """Name with its prefecture for counties: 佳木斯市向阳区."""
        region = self.get(code)
        if region.level == "county" and region.parent_code:
            return self.by_code[region.parent_code].name + region.name
        return region.name


def _load() -> list[Region]:
    with DATA.open(encoding="utf-8") as handle:
        return [
            Region(
                code=row["code"],
                name=row["name"],
                short_name=row["short_name"],
                level=row["level"],
                parent_code=row["parent_code"] or None,
                statistical_only=row["statistical_only"] == "1",
            )
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=1)
def regions() -> Regions:
    """The region table of this installation, loaded once."""
    return Regions(_load())


def current_code(code: str) -> str | None:
    """The current code for a current or retired code of Heilongjiang; None if unknown or split with no main part."""
    from livecommerce.reference.history import history

    code = str(code).strip()
    table = regions()
    for _ in range(5):  # a successor could itself have been retired later; none is today
        if code in table.by_code:
            return code
        entry = history().successor(code)
        if entry is None:
            return None
        code = entry.new_code
    return None
