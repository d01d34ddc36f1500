"""The monitor's public statement (docs/monitor.md) names every rule with its default, and the policy sentence the
rules cite is really in the seed it names (the habit of datasette's tests/test_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.monitor.rules import DEFAULT_PATH, RULES, load_rules

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "monitor.md").read_text(encoding="utf-8")
SEED = (ROOT / "docs" / "seeds" / "000_f467ed5c45ed642d.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_is_in_the_docs_table_and_the_defaults(rule: str) -> None:
    assert f"| `{rule}` " in DOC
    assert load_rules().spec(rule).title in DOC


def test_the_cited_clause_is_in_the_seed() -> None:
    quote = "建立监测预警系统，设定预警阈值，实时监控直播全过程，及时发现异常情况及潜在危机"
    assert quote in DEFAULT_PATH.read_text(encoding="utf-8") and quote in DOC
    assert quote.replace("，", ",") in SEED.replace("，", ",")
    assert "开展直播复盘分析" in SEED.replace(",", "，")


def test_the_documented_defaults_are_the_shipped_ones() -> None:
    rules = load_rules()
    assert rules.spec("stream-stalled").threshold == 60 and "60 s" in DOC
    assert rules.spec("viewers-drop").threshold == 0.5 and rules.spec("viewers-drop").params["min_reference"] == 100
    assert rules.spec("sales-spike").op == ">" and rules.spec("sales-spike").threshold == 5
    assert rules.spec("price-change").op == ">=" and rules.spec("price-change").threshold == 0.3
