"""The scanner against the hand-written evaluation set (评测集): recall on violating sentences, false positives on
clean ones, precision and recall per category. `pytest -s tests/compliance/test_eval_set.py` prints the table.

A violating sentence is found when the scanner returns a hit of its category. A clean sentence is a false positive
when the scanner returns any hit. For precision, a hit of category C counts against C when the sentence is clean or is
labelled with another category and does not list C in `also`.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from livecommerce.compliance.packs import CATEGORIES
from livecommerce.compliance.scanner import default_scanner

EVAL_SET = Path(__file__).with_name("eval_set.yaml")
RECALL_TARGET = 0.95
FALSE_POSITIVE_LIMIT = 0.03
MIN_SENTENCES = 300
MIN_PER_CATEGORY = 15


@lru_cache(maxsize=1)
def sentences() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))
    return tuple(data["sentences"])


def evaluate() -> dict[str, Any]:
    """Scan every sentence; the counts of the table and the misses, by category."""
    scanner = default_scanner()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    misses: list[str] = []
    false_positives: list[str] = []
    clean = clean_flagged = 0
    for item in sentences():
        hits = scanner.scan(item["text"], item.get("product_type"))
        hit_categories = {h.category for h in hits}
        allowed = {item.get("category")} | set(item.get("also") or [])
        for category in hit_categories:
            predicted[category] += 1
            if item["label"] == "violating" and category in allowed:
                correct[category] += 1
        if item["label"] == "violating":
            total[item["category"]] += 1
            if item["category"] in hit_categories:
                found[item["category"]] += 1
            else:
                misses.append(f"  [{item['category']}] {item['text']}  → {sorted(hit_categories) or 'no hit'}")
        else:
            clean += 1
            if hits:
                clean_flagged += 1
                false_positives.append(f"  {item['text']}  → " + ", ".join(f"{h.rule} {h.text!r}@{h.start}-{h.end}" for h in hits))
    return {
        "found": found,
        "total": total,
        "predicted": predicted,
        "correct": correct,
        "misses": misses,
        "false_positives": false_positives,
        "clean": clean,
        "clean_flagged": clean_flagged,
    }


def table(result: dict[str, Any]) -> str:
    """Precision and recall per category and overall, then the misses and the false positives."""
    rows = [f"{'category':<14}{'sentences':>10}{'found':>7}{'recall':>8}{'flagged':>9}{'right':>7}{'precision':>11}"]

    def row(name: str, total: int, found: int, predicted: int, correct: int) -> str:
        recall = f"{found / total:.3f}" if total else "-"
        precision = f"{correct / predicted:.3f}" if predicted else "-"
        return f"{name:<14}{total:>10}{found:>7}{recall:>8}{predicted:>9}{correct:>7}{precision:>11}"

    for category in CATEGORIES:
        rows.append(
            row(category, result["total"][category], result["found"][category], result["predicted"][category], result["correct"][category])
        )
    violating = sum(result["total"].values())
    rows.append(row("all", violating, sum(result["found"].values()), sum(result["predicted"].values()), sum(result["correct"].values())))
    rows.append(
        f"clean sentences: {result['clean']}, flagged: {result['clean_flagged']} "
        f"({result['clean_flagged'] / max(result['clean'], 1):.1%}); violating: {violating}; "
        f"total: {violating + result['clean']}"
    )
    if result["misses"]:
        rows.append("missed:")
        rows.extend(result["misses"])
    if result["false_positives"]:
        rows.append("false positives:")
        rows.extend(result["false_positives"])
    return "\n".join(rows)


def test_the_set_is_large_enough_and_labelled_right() -> None:
    items = sentences()
    assert len(items) >= MIN_SENTENCES, len(items)
    texts = [i["text"] for i in items]
    assert len(set(texts)) == len(texts), [t for t, n in Counter(texts).items() if n > 1]
    for item in items:
        assert item["label"] in ("violating", "clean"), item
        if item["label"] == "violating":
            assert item.get("category") in CATEGORIES, item
            assert set(item.get("also") or []) <= set(CATEGORIES), item
        else:
            assert "category" not in item, item
    per_category = Counter(i["category"] for i in items if i["label"] == "violating")
    thin = {c: per_category[c] for c in CATEGORIES if per_category[c] < MIN_PER_CATEGORY}
    assert not thin, f"categories with fewer than {MIN_PER_CATEGORY} violating sentences: {thin}"


def test_recall_and_false_positives_meet_the_targets() -> None:
    result = evaluate()
    report = table(result)
    print("\n" + report)
    violating = sum(result["total"].values())
    recall = sum(result["found"].values()) / violating
    false_positive_rate = result["clean_flagged"] / result["clean"]
    assert recall >= RECALL_TARGET and false_positive_rate <= FALSE_POSITIVE_LIMIT, (
        f"recall {recall:.3f} (target ≥ {RECALL_TARGET}), false positives {false_positive_rate:.1%} "
        f"(limit {FALSE_POSITIVE_LIMIT:.0%})\n{report}"
    )
