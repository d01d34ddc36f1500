"""The scanner against an evaluation set nobody here wrote (issue 14 point 4): claims quoted in published mainland
enforcement cases (public_eval/violating.yaml) and wording a product of a given type may lawfully use, quoted from
the 保健功能目录, the cosmetics regulation and NMPA guidance (public_eval/permitted.yaml). Every item names its source;
public_eval/README.md lists the sources. Its figures are kept apart from the hand-written set's (test_eval_set.py).

A violating item is found when the scanner returns a hit of its category or of one of its `also` categories. A
permitted item is a false positive when the scanner returns any hit. Each item is scanned with its product_type.
`pytest -s tests/compliance/test_public_eval.py` (or `python tests/compliance/test_public_eval.py`) prints recall per
category and per source, false positives per product type and per source, then every miss and false positive.

Two sets, reported apart: the DEVELOPMENT set (violating.yaml, permitted.yaml), whose misses were read while the claim
rules were written, and the BLIND set (blind.yaml, blind_permitted.yaml), collected from other sources after those
rules and measured before any rule was changed for it (README.md, "Blind measurement"). The issue's target is checked
on the development set and on the whole collection (both together); each set has its own floor.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from livecommerce.compliance.packs import CATEGORIES
from livecommerce.compliance.scanner import Scanner, default_scanner

HERE = Path(__file__).with_name("public_eval")
RECALL_TARGET = 0.9  # issue 14: recall ≥ 0.9 on the collected violating examples
FALSE_POSITIVE_LIMIT = 0.03  # issue 14: false positives ≤ 3 % on the permitted ones
PRODUCT_TYPES = {"food", "health_food", "special_medical_food", "cosmetic", "special_cosmetic", "drug", "medical_device", "other", None}
# What the rules reach (2026-12-07, after the classes written once the blind set had been measured): development
# 187/202 = 0.926, blind 57/69 = 0.826, all collected 244/271 = 0.900; no permitted item flagged (0/340, 0/31).
# Floors at what was measured, never above it, so a change that loses a claim the rules found fails here. The blind
# set's own first figure, before any rule was written for it, was 38/69 = 0.551 with 3/31 flagged (README.md).
RECALL_FLOOR = 0.92
BLIND_RECALL_FLOOR = 0.82
ALL_RECALL_FLOOR = 0.9
README_SOURCE = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|", re.MULTILINE)


# The sets: (violating file, permitted file) by name. "all" is the whole collection the issue's target speaks of.
SETS = {
    "development": (("violating",), ("permitted",)),
    "blind": (("blind",), ("blind_permitted",)),
    "all": (("violating", "blind"), ("permitted", "blind_permitted")),
}


@lru_cache(maxsize=8)
def items(kind: str) -> tuple[dict[str, Any], ...]:
    """The items of one file: violating, permitted, blind (violating) or blind_permitted."""
    return tuple(yaml.safe_load((HERE / f"{kind}.yaml").read_text(encoding="utf-8"))["items"])


def set_items(name: str, side: int) -> list[dict[str, Any]]:
    """The violating (side 0) or permitted (side 1) items of a set of SETS."""
    return [item for kind in SETS[name][side] for item in items(kind)]


def readme_sources() -> list[str]:
    """The source ids of README.md's table, in order."""
    return README_SOURCE.findall((HERE / "README.md").read_text(encoding="utf-8"))


def categories() -> set[str]:
    """The categories an item may carry: the scanner's."""
    return set(CATEGORIES)


def scan(scanner: Scanner, text: str, product_type: str | None) -> set[str]:
    """The categories of the hits on text, the scanner told the item's product type."""
    return {h.category for h in scanner.scan(text, product_type=product_type)}


def evaluate(name: str = "development") -> dict[str, Any]:
    """Scan every item of a set (SETS); counts by category, product type and source, and the misses and false
    positives."""
    scanner = default_scanner()
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    by_source: dict[str, Counter[str]] = {}
    misses: list[str] = []
    false_positives: list[str] = []
    for item in set_items(name, 0):
        wanted = {item["category"], *(item.get("also") or [])}
        got = scan(scanner, item["text"], item.get("product_type"))
        hit = bool(wanted & got)
        for key in (f"category:{item['category']}", f"source:{item['source']}"):
            total[key] += 1
            found[key] += hit
        if not hit:
            misses.append(
                f"  [{item['category']}/{item.get('product_type')}] {item['text']}  ({item['source']}) → {sorted(got) or 'no hit'}"
            )
    for item in set_items(name, 1):
        got = scan(scanner, item["text"], item.get("product_type"))
        for key in (f"type:{item.get('product_type')}", f"source:{item['source']}"):
            by_source.setdefault(key, Counter())["items"] += 1
            by_source[key]["flagged"] += bool(got)
        if got:
            false_positives.append(f"  [{item.get('product_type')}] {item['text']}  ({item['source']}) → {sorted(got)}")
    return {"name": name, "total": total, "found": found, "permitted": by_source, "misses": misses, "false_positives": false_positives}


def table(result: dict[str, Any]) -> str:
    """Recall by category and source, false positives by product type and source, then the misses and the FPs."""
    rows = [
        f"public evaluation set (tests/compliance/public_eval/), {result['name']} — violating items",
        f"{'':<34}{'items':>7}{'found':>7}{'recall':>8}",
    ]
    for key in sorted(result["total"]):
        n, f = result["total"][key], result["found"][key]
        rows.append(f"{key:<34}{n:>7}{f:>7}{f / n:>8.3f}")
    n = sum(v for k, v in result["total"].items() if k.startswith("category:"))
    f = sum(v for k, v in result["found"].items() if k.startswith("category:"))
    rows.append(f"{'all violating':<34}{n:>7}{f:>7}{f / max(n, 1):>8.3f}")
    rows += ["permitted items", f"{'':<34}{'items':>7}{'flagged':>9}{'rate':>8}"]
    for key in sorted(result["permitted"]):
        c = result["permitted"][key]
        rows.append(f"{key:<34}{c['items']:>7}{c['flagged']:>9}{c['flagged'] / c['items']:>8.1%}")
    p = sum(c["items"] for k, c in result["permitted"].items() if k.startswith("type:"))
    q = sum(c["flagged"] for k, c in result["permitted"].items() if k.startswith("type:"))
    rows.append(f"{'all permitted':<34}{p:>7}{q:>9}{q / max(p, 1):>8.1%}")
    if result["misses"]:
        rows += ["missed:", *result["misses"]]
    if result["false_positives"]:
        rows += ["false positives:", *result["false_positives"]]
    return "\n".join(rows)


def overall(result: dict[str, Any]) -> tuple[float, float]:
    """(recall on all violating items, false-positive rate on all permitted items)."""
    n = sum(v for k, v in result["total"].items() if k.startswith("category:"))
    f = sum(v for k, v in result["found"].items() if k.startswith("category:"))
    p = sum(c["items"] for k, c in result["permitted"].items() if k.startswith("type:"))
    q = sum(c["flagged"] for k, c in result["permitted"].items() if k.startswith("type:"))
    return f / n, q / p


def test_every_item_is_sourced_typed_and_unique() -> None:
    import opencc

    t2s = opencc.OpenCC("t2s")
    listed = readme_sources()
    assert len(listed) == len(set(listed)), [s for s, k in Counter(listed).items() if k > 1]
    used: set[str] = set()
    seen: Counter[tuple[str, str | None]] = Counter()  # unique over both sets: a blind item is new to the development set
    sources: dict[str, set[str]] = {"development": set(), "blind": set()}
    for kind in ("violating", "permitted", "blind", "blind_permitted"):
        for item in items(kind):
            sources["blind" if kind.startswith("blind") else "development"].add(item.get("source", ""))
            assert isinstance(item.get("text"), str) and item["text"].strip(), (kind, item)
            assert item.get("source") in listed, f"{kind}: source {item.get('source')!r} not in README.md: {item}"
            assert item.get("product_type") in PRODUCT_TYPES, (kind, item)
            if "quote_traditional" in item:
                assert t2s.convert(item["quote_traditional"]) == item["text"], (kind, item)
            if kind in ("violating", "blind"):
                assert item.get("category") in categories(), item
                assert set(item.get("also") or []) <= categories(), item
            else:
                assert "category" not in item, item
            used.add(item["source"])
            seen[(item["text"], item.get("product_type"))] += 1
    assert not [k for k, n in seen.items() if n > 1], [k for k, n in seen.items() if n > 1]
    assert set(listed) == used, f"README.md lists sources no item uses: {sorted(set(listed) - used)}"
    # the blind set's sources are not the development set's (a blind item comes from a notice nobody read before)
    assert not sources["blind"] & sources["development"], sources["blind"] & sources["development"]


def test_recall_does_not_fall_below_what_was_reached() -> None:
    recall, false_positive_rate = overall(evaluate())
    assert recall >= RECALL_FLOOR and false_positive_rate <= FALSE_POSITIVE_LIMIT, (recall, false_positive_rate)


def test_blind_set_does_not_fall_below_what_was_measured() -> None:
    recall, false_positive_rate = overall(evaluate("blind"))
    assert recall >= BLIND_RECALL_FLOOR and false_positive_rate <= FALSE_POSITIVE_LIMIT, (recall, false_positive_rate)


@pytest.mark.parametrize("set_name", ["development", "all"])
def test_recall_and_false_positives_meet_the_issue_targets(set_name: str) -> None:
    """Issue 14's targets on the development set and on the whole collection (development + blind); the blind set
    alone is held by its floor (its first figure was 0.551, README.md)."""
    result = evaluate(set_name)
    report = table(result)
    print("\n" + report)
    recall, false_positive_rate = overall(result)
    floor = {"development": RECALL_FLOOR, "all": ALL_RECALL_FLOOR}[set_name]
    assert recall >= max(RECALL_TARGET, floor) and false_positive_rate <= FALSE_POSITIVE_LIMIT, (
        f"public set, {set_name}: recall {recall:.3f} (target ≥ {RECALL_TARGET}), false positives "
        f"{false_positive_rate:.1%} (limit {FALSE_POSITIVE_LIMIT:.0%})\n{report}"
    )


if __name__ == "__main__":
    for set_name in ("development", "blind", "all"):
        print(table(evaluate(set_name)) + "\n")
