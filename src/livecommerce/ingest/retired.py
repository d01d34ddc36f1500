"""Retired regions met in a batch (停用区划的映射记录, issue 14 point 7): for each region column, which retired code
or name (reference.history) the accepted rows carried, the current code they were stored as, how many rows and the
first of them — the batch's notes, shown with its outcome and kept with it (warehouse table batch_notes).

The rows are counted in the query that already counts the batch (staging's ``settle``, ``clean_columnar``) from a
helper column of the staging select (rules.retired_helper); only the first row is looked for afterwards, in file
order, and only in a batch that names a retired region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from livecommerce.ingest.readers import Source
from livecommerce.ingest.rules import RETIRED_PREFIX, CompiledFeed
from livecommerce.reference.history import history
from livecommerce.reference.regions import current_code, regions
from livecommerce.warehouse.feeds import Feed
from livecommerce.warehouse.schema import ident


@dataclass
class RetiredRegion:
    """Rows of one region column that named one retired region, stored as its successor's current code."""

    column: str
    old_code: str
    rows: int
    file_index: int  # the first file of the batch that holds such a row
    file_name: str = ""
    row: int = 0  # that row's number in its file, as problems name rows (0 while not looked up)

    def note(self) -> str:
        """seller_region: 230182 双城市 → 230113 双城区 (2014年撤市设区，国函〔2014〕55号): 3 行，首见 orders.csv 第 2 行."""
        entry = history().successor(self.old_code)
        code = current_code(self.old_code) or ""
        if entry is None or not code:  # rules.retired_region_spellings admits only codes with one successor
            raise ValueError(f"retired region {self.old_code} has no single successor")
        when = f"{entry.date}年" if len(entry.date) == 4 else f"{entry.date} "
        why = f"{when}{entry.change}" + (f"，{entry.document}" if entry.document else "")
        first = f"，首见 {self.file_name} 第 {self.row} 行" if self.row else ""
        return f"{self.column}: {self.old_code} {entry.old_name} → {code} {regions().get(code).name} ({why}): {self.rows} 行{first}"


def region_columns(feed: Feed) -> list[str]:
    """The feed's columns of kind region, in feed order."""
    return [column.name for column in feed.columns if column.type == "region"]


def aggregates(feed: Feed) -> str:
    """For a count query over staged rows: per region column, the accepted rows per (retired code, file)."""
    parts = []
    for column in region_columns(feed):
        helper = ident(RETIRED_PREFIX + column)
        parts.append(f", map_entries(histogram({{'code': {helper}, 'file': __file}}) FILTER ({helper} IS NOT NULL AND NOT __bad))")
    return "".join(parts)


def read(feed: Feed, values: Sequence[Any]) -> list[RetiredRegion]:
    """The aggregates' values as one RetiredRegion per column and retired code (files summed, the first one kept)."""
    found: dict[tuple[str, str], RetiredRegion] = {}
    for column, entries in zip(region_columns(feed), values, strict=True):
        for entry in entries or []:
            code, file_index, rows = entry["key"]["code"], int(entry["key"]["file"]), int(entry["value"])
            known = found.get((column, code))
            if known is None:
                found[(column, code)] = RetiredRegion(column, code, rows, file_index)
            else:
                known.rows += rows
                known.file_index = min(known.file_index, file_index)
    order = {name: index for index, name in enumerate(region_columns(feed))}
    return sorted(found.values(), key=lambda r: (order[r.column], r.file_index, r.old_code))


def locate(
    con: duckdb.DuckDBPyConnection, sources: Sequence[Source], compiled: Sequence[CompiledFeed], found: list[RetiredRegion]
) -> list[str]:
    """Find each one's first accepted row and return the notes, ordered by column and first row.

    The first file holding it is read in order (row_number() over a streaming scan keeps file order) and the read
    stops at the first hit; every rule is evaluated, so that the row named is one that was accepted.
    """
    for item in found:
        src = sources[item.file_index]
        select = compiled[item.file_index].stage_select(src.relation, item.file_index, deferred=True)
        hit = con.execute(
            f"SELECT __n FROM (SELECT row_number() OVER () AS __n, * FROM ({select})) "
            f"WHERE NOT __bad AND {ident(RETIRED_PREFIX + item.column)} = ? LIMIT 1",
            [item.old_code],
        ).fetchone()
        item.file_name = src.name
        item.row = int(hit[0]) + src.header_rows if hit else 0
    order = {name: index for index, name in enumerate(region_columns(compiled[0].feed))} if compiled else {}
    found.sort(key=lambda r: (order.get(r.column, 0), r.file_index, r.row))
    return [item.note() for item in found]
