"""docs/compliance.md states every category and every shipped pack (the habit of datasette's tests/test_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.compliance.packs import CATEGORIES, all_packs

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_is_documented(category: str) -> None:
    assert f"`{category}`" in DOCS or f" {category} " in DOCS or f" {category}," in DOCS, category


def test_every_shipped_pack_is_documented() -> None:
    for pack in all_packs():
        if pack.origin == "builtin":
            assert f"`{pack.name}`" in DOCS, pack.name
