"""Scales of the synthetic province and the period it covers (演示数据规模)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The demo is fixed in time so that a seed always gives the same files: "today" is 2026-11-23 and the platforms'
# T+1 figures reach the day before. Orders cover the last two calendar years plus this year to date (so YoY exists).
AS_OF = date(2026, 11, 23)
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Scale:
    """How big a synthetic province is: entities, order rows and the rows per order file."""

    name: str
    entities: int
    orders: int
    chunk_rows: int
    orders_csv: bool  # also write one platform's orders as a CSV with Chinese headers (the clerk's path)

    @property
    def chunks(self) -> int:
        return -(-self.orders // self.chunk_rows)


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", entities=120, orders=20_000, chunk_rows=5_000_000, orders_csv=True),
    "small": Scale("small", entities=600, orders=200_000, chunk_rows=5_000_000, orders_csv=True),
    "province": Scale("province", entities=22_000, orders=50_000_000, chunk_rows=5_000_000, orders_csv=False),
}


def get_scale(name: str) -> Scale:
    """The scale of this name; ValueError naming the known ones otherwise."""
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
