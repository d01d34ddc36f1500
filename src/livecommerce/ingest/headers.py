"""Header mapping: a file's headers (English, Chinese, aliases; any case, full- or half-width brackets) to the
canonical columns of a feed."""

from __future__ import annotations

from dataclasses import dataclass

from livecommerce.core.errors import UnreadableInput
from livecommerce.warehouse.feeds import Feed

# Columns that our own rejected-rows export adds; a corrected export is re-imported without complaint.
EXPORT_COLUMNS = ("错误原因", "来源文件", "行号")


def normalise(header: str) -> str:
    """The comparable form of a header: no BOM, no spaces, lower case, half-width brackets."""
    text = header.replace("\ufeff", "").strip().lower()
    text = text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return text


@dataclass(frozen=True)
class HeaderMap:
    """Which source header feeds which column, and which headers were ignored."""

    columns: dict[str, str]
    ignored: tuple[str, ...]


def map_headers(feed: Feed, headers: list[str], file_name: str) -> HeaderMap:
    """Map a file's headers to the feed; a missing required column or a column named twice is an error."""
    lookup = {normalise(alias): column.name for column in feed.columns for alias in column.headers}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        name = lookup.get(normalise(header))
        if name is None:
            if header not in EXPORT_COLUMNS:
                ignored.append(header)
            continue
        if name in columns:
            raise UnreadableInput(f"file {file_name}: columns {columns[name]!r} and {header!r} both name {name}")
        columns[name] = header
    missing = [c for c in feed.columns if c.required and c.name not in columns]
    if missing:
        names = ", ".join(f"{c.name} ({c.zh})" for c in missing)
        raise UnreadableInput(f"file {file_name}: missing required columns for feed {feed.name}: {names}")
    return HeaderMap(columns, tuple(ignored))
