"""docs/indicators.md states every indicator and dimension (a change of definition is a change of that file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.stats.indicators import DIMENSIONS, INDICATORS, SOURCE_FEEDS

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("indicator", sorted(INDICATORS))
def test_every_indicator_is_documented_with_its_name_unit_and_source(indicator: str) -> None:
    i = INDICATORS[indicator]
    assert f"| `{i.id}` | {i.zh} | {i.unit} | {i.source} |" in DOCS, f"{indicator} is not in docs/indicators.md"


@pytest.mark.parametrize("dimension", sorted(DIMENSIONS))
def test_every_dimension_is_documented(dimension: str) -> None:
    assert f"| `{dimension}` | {DIMENSIONS[dimension].zh} |" in DOCS


def test_every_source_is_described() -> None:
    for source in SOURCE_FEEDS:
        assert f"| {source} |" in DOCS
