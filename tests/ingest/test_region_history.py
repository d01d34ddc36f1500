"""Ingest accepts a retired region code or name and stores its successor's current code (region_history.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import order, warehouse_rows, write_csv

ACTOR = SystemActor(name="tester")


@pytest.mark.parametrize(("written", "stored"), [
    ("230182", "230113"),  # 双城市 → 双城区, 国函〔2014〕55号
    ("双城市", "230113"),
    ("232723", "232701"),  # 漠河县 → 漠河市, 民函〔2018〕50号
    ("230181", "230112"),  # 阿城市 → 阿城区 (永源、巨源 went to 道外区)
    ("230713", "230725"),  # 带岭区 → 大箐山县, 国函〔2019〕63号
])
def test_a_retired_region_is_stored_as_its_successor(home, tmp_path: Path, written: str, stored: str) -> None:
    result = ingest("orders", [write_csv(tmp_path / "old.csv", [order("A1", seller_region=written)])], ACTOR)
    assert (result.accepted, result.rejected) == (1, 0)
    assert warehouse_rows(home, "SELECT seller_region FROM orders") == [(stored,)]


def test_a_split_retired_code_is_rejected_not_guessed(home, tmp_path: Path) -> None:
    result = ingest("orders", [write_csv(tmp_path / "split.csv", [order("A1", seller_region="230711")])], ACTOR)
    assert (result.accepted, result.rejected) == (0, 1)
    assert "230711" in result.problems[0] and "not a region code of Heilongjiang" in result.problems[0]
