"""Writing the demo's files as the feeds define them: registry CSVs with Chinese headers and a BOM (an office
clerk's export), Parquet with canonical English columns, and a manifest that lists the files of each feed.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from livecommerce.reference.codes import CATEGORIES, CHANNELS, CROSS_BORDER, ENTITY_KINDS, PLATFORMS, CodeList
from livecommerce.warehouse.feeds import FEEDS

BOM = "\ufeff".encode()
LOAD_ORDER = ("entities", "shops", "streamers", "bases", "live_sessions", "orders", "shop_daily", "parcels")
MANIFEST = "manifest.json"


@dataclass
class FeedFiles:
    """The files of one feed in a demo directory and how many rows they hold."""

    feed: str
    files: list[str] = field(default_factory=list)
    rows: int = 0


@dataclass
class Manifest:
    """What a demo directory holds: scale, seed, the demo's date and the files of each feed in load order."""

    scale: str
    seed: int
    as_of: str
    feeds: dict[str, FeedFiles] = field(default_factory=dict)

    def add(self, feed: str, file: str, rows: int) -> None:
        entry = self.feeds.setdefault(feed, FeedFiles(feed))
        entry.files.append(file)
        entry.rows += rows

    def paths(self, directory: Path, feed: str) -> list[Path]:
        return [directory / name for name in self.feeds[feed].files] if feed in self.feeds else []

    def write(self, directory: Path) -> None:
        feeds = {name: {"files": self.feeds[name].files, "rows": self.feeds[name].rows} for name in LOAD_ORDER if name in self.feeds}
        body = {"scale": self.scale, "seed": self.seed, "as_of": self.as_of, "feeds": feeds}
        (directory / MANIFEST).write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        body = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        manifest = cls(body["scale"], body["seed"], body["as_of"])
        for name, entry in body["feeds"].items():
            manifest.feeds[name] = FeedFiles(name, list(entry["files"]), int(entry["rows"]))
        return manifest


def chinese_headers(feed: str, columns: Sequence[str]) -> list[str]:
    """The Chinese header of each canonical column of a feed (Column.zh)."""
    return [FEEDS[feed].column(name).zh for name in columns]


def write_registry_csv(path: Path, feed: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A CSV in UTF-8 with BOM and Chinese headers, CRLF line ends, as Excel saves it; returns the row count."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(chinese_headers(feed, columns))
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def label(code: str | None, codes: CodeList) -> str:
    """The Chinese name of a code for a clerk's file ('' stays blank)."""
    return codes.label(code) if code else ""


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def label_sql(column: str, codes: CodeList) -> str:
    """SQL mapping a code column to its Chinese name (blank stays blank)."""
    cases = " ".join(f"WHEN '{entry.code}' THEN '{entry.name}'" for entry in codes if entry.code)
    return f"CASE {column} {cases} ELSE {column} END"


def yes_no_sql(column: str) -> str:
    return f"CASE WHEN {column} THEN '是' ELSE '否' END"


CHINESE_VALUES = {
    "platform": lambda c: label_sql(c, PLATFORMS),
    "category": lambda c: label_sql(c, CATEGORIES),
    "channel": lambda c: label_sql(c, CHANNELS),
    "kind": lambda c: label_sql(c, ENTITY_KINDS),
    "cross_border": lambda c: f"CASE WHEN {c} = '' THEN NULL ELSE {label_sql(c, CROSS_BORDER)} END",
    "local_product": yes_no_sql,
    "physical": yes_no_sql,
}


def copy_parquet(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> int:
    """COPY a query to a Parquet file; returns the rows written."""
    return int(con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)").fetchall()[0][0])


def copy_chinese_csv(con: duckdb.DuckDBPyConnection, select: str, feed: str, columns: Sequence[str], path: Path) -> int:
    """COPY a query's canonical columns to a CSV with Chinese headers and values, UTF-8 with BOM."""
    parts = []
    for name in columns:
        value = CHINESE_VALUES[name](name) if name in CHINESE_VALUES else name
        if FEEDS[feed].column(name).type == "timestamp":
            value = f"strftime({name}, '%Y-%m-%d %H:%M:%S')"
        parts.append(f'{value} AS "{FEEDS[feed].column(name).zh}"')
    body = path.with_suffix(".body")
    copy = f"COPY (SELECT {', '.join(parts)} FROM ({select})) TO '{body}' (FORMAT csv, HEADER)"
    rows = int(con.execute(copy).fetchall()[0][0])
    with path.open("wb") as target, body.open("rb") as source:
        target.write(BOM)
        shutil.copyfileobj(source, target, 1 << 20)
    body.unlink()
    return rows
