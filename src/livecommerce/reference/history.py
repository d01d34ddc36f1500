"""Retired region names and codes of Heilongjiang since 2000 (撤县设市, 撤市设区, 合并, 更名 …), from
data/region_history.csv; data/README.md names the source of every row.

A retired code whose area went to one successor resolves to it; one split between several successors (伊春's
2019 reform) resolves to none and lists its candidates: the record cannot say which part a row came from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HISTORY = Path(__file__).with_name("data") / "region_history.csv"


@dataclass(frozen=True)
class Retirement:
    """One retired division and one of its successors, with the date of the approval and the kind of change."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    date: str
    change: str
    source: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape of `regions find` (the field ``retired``)."""
        return {"code": self.old_code, "name": self.old_name, "date": self.date, "change": self.change,
                "source": self.source, "successor": self.new_code, "successor_name": self.new_name}


class History:
    """Retired codes and names → their successors (one for a rename or a merger, several for a split)."""

    def __init__(self, rows: list[Retirement]) -> None:
        self.rows = rows
        self.by_code: dict[str, list[Retirement]] = {}
        self.by_name: dict[str, list[Retirement]] = {}
        for row in rows:
            self.by_code.setdefault(row.old_code, []).append(row)
            self.by_name.setdefault(row.old_name, []).append(row)

    def of_code(self, code: str) -> list[Retirement]:
        """Every successor entry of a retired code (empty for a code never retired)."""
        return list(self.by_code.get(code, []))

    def of_name(self, name: str) -> list[Retirement]:
        """Every successor entry of a retired name (an old name used by two codes gives both)."""
        return list(self.by_name.get(name, []))


def _load() -> list[Retirement]:
    with HISTORY.open(encoding="utf-8") as handle:
        rows = (line for line in handle if not line.startswith("#"))
        return [Retirement(**{key: (value or "").strip() for key, value in row.items()}) for row in csv.DictReader(rows)]


@lru_cache(maxsize=1)
def history() -> History:
    """The retired divisions of this installation, loaded once."""
    return History(_load())
