"""An entity's awards depend on its own facts only: not on the order of the file, nor on who else is in it.

Property (hypothesis): for 1–8 entities with random sales facts (2024/2025, decimal strings with two decimals,
drawn often near the thresholds of LIVE20 /1a /1b /3 and EC20/3) and random recognitions,
- any permutation of the entities gives the same result per id and the same total;
- evaluating the entities one by one gives the same result per id as evaluating them all together, and the
  file's total is the sum of the entities' totals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from livecommerce.policy.evaluate import evaluate

KINDS = [
    "enterprise",
    "mcn",
    "streamer_team",
    "individual_business",
    "cooperative",
    "base_operator",
    "city_government",
    "county_government",
    "association",
]
# thresholds (in fen) of the sales clauses, and their neighbours
EDGES = [
    500_000_000,
    499_999_999,
    1_000_000_000,
    1_000_000_001,
    5_000_000_000,
    4_999_999_999,
    20_000_000_000,
    19_999_999_999,
    15_000_000_000,
    150_000_000_000,
]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


fen = st.one_of(st.integers(0, 40_000_000_000), st.sampled_from(EDGES), st.just(0))
yearly = st.dictionaries(st.sampled_from(["2024", "2025"]), fen.map(_yuan), max_size=2)
recognized = st.one_of(st.none(), st.sampled_from([2024, 2025]))


@st.composite
def entity(draw: st.DrawFn, ident: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name in ("local_physical_online_retail", "physical_online_retail"):
        values = draw(yearly)
        if values:
            facts[name] = values
    for name in (
        "national_demo_enterprise_recognized",
        "provincial_demo_base_recognized",
        "national_demo_base_recognized",
        "provincial_demo_county_recognized",
    ):
        year = draw(recognized)
        if year is not None:
            facts[name] = year
    if "provincial_demo_base_recognized" in facts or draw(st.booleans()):
        facts["fixed_asset_investment_last_3_years"] = _yuan(draw(st.integers(0, 3_000_000_000)))
    return {
        "id": ident,
        "kind": draw(st.sampled_from(KINDS)),
        "in_province": draw(st.booleans()),
        "above_quota": draw(st.booleans()),
        "facts": facts,
    }


@st.composite
def files(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int], tuple[int, ...] | None]:
    n = draw(st.integers(1, 8))
    entities = [draw(entity(f"P{i:02d}")) for i in range(n)]
    order = draw(st.permutations(list(range(n))))
    ec20_years = draw(st.sampled_from([None, (2025, 2026, 2027)]))
    return entities, order, ec20_years


def _key(result: dict[str, Any]) -> dict[str, Any]:
    """What an entity is awarded, and why not: comparable across files."""
    return {
        "eligible": sorted((row["clause"], row["amount"]) for row in result["eligible"]),
        "granted": sorted((row["clause"], row["amount"]) for row in result["granted"]),
        "excluded": sorted((row["clause"], row["amount"]) for row in result["excluded"]),
        "not_eligible": sorted(row["clause"] for row in result["not_eligible"]),
        "total": result["total"],
    }


def _by_id(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["id"]: _key(result) for result in out["results"]}


@settings(max_examples=50, deadline=None)
@given(files())
def test_order_and_company_do_not_change_an_entitys_awards(
    drawn: tuple[list[dict[str, Any]], list[int], tuple[int, ...] | None],
) -> None:
    entities, order, ec20_years = drawn
    together = evaluate({"year": 2025, "entities": entities}, ec20_years=ec20_years)
    permuted = evaluate({"year": 2025, "entities": [entities[i] for i in order]}, ec20_years=ec20_years)

    assert _by_id(permuted) == _by_id(together)
    assert permuted["total"] == together["total"]
    assert sorted(_by_id(together)) == sorted(e["id"] for e in entities)

    alone: dict[str, dict[str, Any]] = {}
    for one in entities:
        out = evaluate({"year": 2025, "entities": [one]}, ec20_years=ec20_years)
        alone.update(_by_id(out))
        assert out["total"] == out["results"][0]["total"]
    assert alone == _by_id(together)
    assert Decimal(together["total"]) == sum((Decimal(r["total"]) for r in alone.values()), Decimal("0"))
