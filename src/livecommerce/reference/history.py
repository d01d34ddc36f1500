"""Retired region names and codes of Heilongjiang since 2000 (撤县设市, 撤市设区, 合并, 拆分 …), from
data/region_history.csv; data/README.md names the source of every row.

A retired code resolves to its successor when all of it went there (share ``whole``) or when the approval names one
successor and moves a few towns elsewhere (``main``). One split with no main part (乌马河区, 2019) resolves to none
and lists its candidates: a record cannot say which part it came from.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

HISTORY = Path(__file__).with_name("data") / "region_history.csv"


@dataclass(frozen=True)
class Retirement:
    """One retired division and one of its successors, with the approval's date, kind of change and number."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    share: str
    date: str
    change: str
    document: str
    source: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape of `regions find` (the field ``retired``)."""
        row = asdict(self)
        return {"code": row.pop("old_code"), "name": row.pop("old_name"), **row}

    def describe(self) -> str:
        """One line in Chinese: 双城市(230182) 2014年撤市设区 → 双城区(230113)."""
        year = self.date[:4]
        return f"{self.old_name}({self.old_code}) {year}年{self.change} → {self.new_name}({self.new_code})"


class History:
    """Retired codes and names → their successor entries."""

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
        """Every successor entry of a retired name."""
        return list(self.by_name.get(name, []))

    def successor(self, code: str) -> Retirement | None:
        """The entry naming the one successor of a retired code (whole or main); None if none or split."""
        entries = [e for e in self.of_code(code) if e.share in ("whole", "main")]
        return entries[0] if len(entries) == 1 else None


def _load() -> list[Retirement]:
    with HISTORY.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [Retirement(**{key: (value or "").strip() for key, value in row.items()}) for row in csv.DictReader(lines)]


@lru_cache(maxsize=1)
def history() -> History:
    """The retired divisions of this installation, loaded once."""
    return History(_load())
