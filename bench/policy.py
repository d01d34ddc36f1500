"""Benchmark of the policy engine (issue 4, "Done when"): 22,000 entities evaluated against every clause, with traces
and exclusivity, under 2 seconds; and, on the same run, the sales clauses (LIVE20 /1a /1b /3, EC20 /3, the largest
granted) done by a vectorised pandas baseline, beside our engine on the same entities.

    python -m bench.policy [--entities 22000] [--repeat 3]

Every clause is in force for the benchmark year: EC20 is applied to 2025 too (ec20_years=(2025,)), so that an entity
may meet LIVE20 and EC20 clauses at once and the cross-document exclusivity is exercised.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal
from typing import Any

import pandas as pd

from livecommerce.policy.evaluate import evaluate_entities
from livecommerce.policy.facts import read_payload

YEAR = 2025
KINDS = (
    ["enterprise"] * 70
    + ["individual_business"] * 10
    + ["cooperative"] * 5
    + ["mcn"] * 5
    + ["streamer_team"] * 4
    + ["base_operator"] * 3
    + ["city_government", "county_government", "association"]
)


def _amount(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"


def entities(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """A synthetic province's applications: every entity has sales; some have recognitions, loans, cross-border
    trade, warehouses, events — so that every clause is computed for some of them."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = rng.choice(KINDS)
        before = rng.randint(0, 300_000_000)
        local_before, local_now = before, max(0, before + rng.randint(-5_000_000, 40_000_000))
        facts: dict[str, Any] = {
            "local_physical_online_retail": {str(YEAR - 1): f"{local_before}.00", str(YEAR): f"{local_now}.00"},
            "physical_online_retail": {str(YEAR - 1): f"{local_before + 1_000_000}.00", str(YEAR): f"{local_now + 1_500_000}.00"},
        }
        roll = rng.random()
        if roll < 0.05:
            facts["national_demo_enterprise_recognized"] = YEAR
        elif roll < 0.08:
            facts["provincial_demo_base_recognized"] = YEAR
            facts["national_demo_base_recognized"] = rng.choice([YEAR, YEAR - 1])
            facts["fixed_asset_investment_last_3_years"] = _amount(rng, 1_000_000, 30_000_000)
        elif roll < 0.15:
            drawn = f"{YEAR - rng.randint(0, 3)}-0{rng.randint(1, 9)}-15"
            facts["loans"] = [
                {
                    "principal": _amount(rng, 500_000, 50_000_000),
                    "drawn_on": drawn,
                    "repaid_on": None,
                    "contract_rate": "0.0385",
                    "project": rng.choice(["quality_project", "platform", "base_upgrade", "warehouse", "cross_border_warehouse"]),
                    "project_total_investment": _amount(rng, 1_000_000, 60_000_000),
                }
            ]
            facts["quality_ecommerce_entity"] = rng.random() < 0.5
        elif roll < 0.20:
            facts["independent_site_trade"] = {str(YEAR - 1): _amount(rng, 0, 6_000_000), str(YEAR): _amount(rng, 3_000_000, 9_000_000)}
            facts["independent_site_costs"] = {str(YEAR): _amount(rng, 100_000, 2_000_000)}
            facts["platform_store_trade"] = {str(YEAR): _amount(rng, 5_000_000, 20_000_000)}
            facts["platform_store_fees"] = {str(YEAR): _amount(rng, 100_000, 2_000_000)}
        elif roll < 0.23:
            facts["provincial_central_warehouse_investment"] = {str(YEAR): _amount(rng, 1_000_000, 30_000_000)}
            facts["county_sorting_warehouse_investment"] = {str(YEAR): _amount(rng, 1_000_000, 15_000_000)}
            facts["selection_center_driven_sales"] = {str(YEAR): _amount(rng, 10_000_000, 90_000_000)}
            facts["fixed_asset_investment_last_3_years"] = _amount(rng, 500_000, 5_000_000)
            facts["public_brand_online_retail"] = {str(YEAR): _amount(rng, 10_000_000, 90_000_000)}
        elif roll < 0.25:
            facts["event_investment"] = {str(YEAR): _amount(rng, 100_000, 3_000_000)}
            facts["provincial_demo_county_recognized"] = YEAR
            facts["out_of_province_carrier_recognized"] = YEAR
            facts["out_of_province_carrier_investment"] = _amount(rng, 1_000_000, 20_000_000)
            facts["national_market_supervision_demo_zone_recognized"] = YEAR
            facts["provincial_benchmark_base_recognized"] = YEAR
        call_center = rng.random() < 0.02
        if call_center:
            facts["insured_employees"] = {str(YEAR - 1): rng.randint(50, 300)}
        out.append(
            {
                "id": f"E{i:05d}",
                "name": f"主体{i}",
                "kind": kind,
                "in_province": rng.random() < 0.97,
                "above_quota": rng.random() < 0.2,
                "call_center": call_center,
                "facts": facts,
            }
        )
    return out


def baseline_sales(payload: dict[str, Any]) -> Decimal:
    """The sales clauses by hand in pandas: LIVE20 1a/1b/3 and EC20 3, the largest per entity (no traces)."""
    rows = []
    for e in payload["entities"]:
        f = e["facts"]
        rows.append(
            (
                e["id"],
                e["kind"],
                e["in_province"],
                e["above_quota"],
                Decimal(f["local_physical_online_retail"][str(YEAR)]),
                Decimal(f["local_physical_online_retail"][str(YEAR - 1)]),
                Decimal(f["physical_online_retail"][str(YEAR)]),
                Decimal(f["physical_online_retail"][str(YEAR - 1)]),
            )
        )
    df = pd.DataFrame(rows, columns=["id", "kind", "in_province", "above_quota", "local", "local_before", "phys", "phys_before"])
    company = df.kind.isin(["enterprise", "mcn", "streamer_team"]) & df.in_province
    live = df.kind.isin(["mcn", "streamer_team"]) & df.in_province
    cap = Decimal("3000000.00")
    new_local, new_phys = df.local - df.local_before, df.phys - df.phys_before
    a = ((new_phys.clip(lower=0) * Decimal("0.02")).map(lambda v: min(v.quantize(Decimal("0.01")), cap))).where(
        company & (new_local >= Decimal(5_000_000)), Decimal(0)
    )
    b = (
        (df.phys * Decimal("0.002"))
        .map(lambda v: min(v.quantize(Decimal("0.01")), cap))
        .where(company & (df.local >= Decimal(200_000_000)), Decimal(0))
    )
    c = (
        (df.phys * Decimal("0.002"))
        .map(lambda v: min(v.quantize(Decimal("0.01")), cap))
        .where(live & (df.local >= Decimal(50_000_000)), Decimal(0))
    )
    d = (
        (new_phys * Decimal("0.02"))
        .map(lambda v: min(v.quantize(Decimal("0.01")), cap))
        .where(df.above_quota & (new_phys > Decimal(10_000_000)), Decimal(0))
    )
    best = pd.concat([a, b, c, d], axis=1).max(axis=1)
    return sum(best, Decimal(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=22_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    payload = {"year": YEAR, "entities": entities(args.entities)}
    read_times, eval_times = [], []
    results: list[Any] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        year, parsed = read_payload(payload)
        read_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = evaluate_entities(year, parsed, ec20_years=(YEAR,))
        eval_times.append(time.perf_counter() - started)
    eligible = sum(len(r.eligible) for r in results)
    granted = sum(len(r.decision.granted) for r in results)
    total = sum((r.total for r in results), Decimal(0))
    clauses = len({f.clause for r in results for f in r.eligible})
    best_read, best_eval = min(read_times), min(eval_times)
    print(
        f"policy evaluate: {args.entities:,} entities, {clauses} clauses met, {eligible:,} eligible awards, "
        f"{granted:,} granted, total {total:,.2f} 元"
    )
    print(
        f"  read and check the facts: {best_read:.2f} s   evaluate with traces and exclusivity: {best_eval:.2f} s   "
        f"together {best_read + best_eval:.2f} s (target < 2 s; median of {args.repeat}: "
        f"{statistics.median(read_times) + statistics.median(eval_times):.2f} s)"
    )

    sales_only = {
        "year": YEAR,
        "entities": [
            {**e, "facts": {k: v for k, v in e["facts"].items() if k in ("local_physical_online_retail", "physical_online_retail")}}
            for e in payload["entities"]
        ],
    }
    started = time.perf_counter()
    expected = baseline_sales(sales_only)
    pandas_seconds = time.perf_counter() - started
    started = time.perf_counter()
    year, parsed = read_payload(sales_only)
    ours = evaluate_entities(year, parsed, ec20_years=(YEAR,))
    ours_seconds = time.perf_counter() - started
    ours_total = sum((r.total for r in ours), Decimal(0))
    print(
        f"sales clauses only (LIVE20 1a/1b/3, EC20 3, the largest): ours {ours_seconds:.2f} s with traces, "
        f"pandas baseline {pandas_seconds:.2f} s without; ratio {ours_seconds / pandas_seconds:.2f}; totals "
        f"{'agree' if ours_total == expected else 'DIFFER'} ({ours_total:,.2f} / {expected:,.2f})"
    )


if __name__ == "__main__":
    main()
