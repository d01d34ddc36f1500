"""docs/ingest.md documents every column of every feed (a change of contract is a change of that file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.warehouse.feeds import FEEDS

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_every_feed_column_is_documented(feed: str) -> None:
    assert f"### {feed} ({FEEDS[feed].zh})" in DOCS
    for column in FEEDS[feed].columns:
        assert f"| `{column.name}` | {column.zh} | {column.type} |" in DOCS, f"{feed}.{column.name} undocumented"
