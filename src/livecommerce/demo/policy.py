"""The demo's policy run (政策兑现演示): declarations a few registered entities would file for 2025 — a demonstration
base and its investment, a demonstration county, a city's fair, an association's event, a call centre, a national
demonstration enterprise, and one enterprise whose declared sales are well above its platform figures — written
beside the demo files as declarations-2025.json and run through `policy run`, so that the 政策兑现 pages have a
run to show, with a review flag among its awards."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.core.scope import SystemActor
from livecommerce.entities.schemas import EntityFilter, EntityPublic
from livecommerce.entities.service import export_entities
from livecommerce.policy import service
from livecommerce.policy.runs import policy_kind
from livecommerce.reference.regions import regions
from livecommerce.stats.service import seller_years

YEAR = 2025


def _first(rows: list[EntityPublic], kind: str, level: str | None = None, skip: int = 0) -> EntityPublic | None:
    found = [
        r for r in rows if policy_kind(r.kind, r.region_code) == kind and (level is None or regions().get(r.region_code).level == level)
    ]
    return found[skip] if len(found) > skip else None


def declarations(session: Session) -> dict[str, Any]:
    """What some registered entities declare for 2025 (the evaluate contract), chosen by kind, in USCC order."""
    rows = export_entities(session, SystemActor(), EntityFilter())
    out: list[dict[str, Any]] = []

    def add(entity: EntityPublic | None, facts: dict[str, Any], **extra: Any) -> None:
        if entity is not None:
            out.append(
                {
                    "id": entity.uscc,
                    "uscc": entity.uscc,
                    "name": entity.name,
                    "kind": policy_kind(entity.kind, entity.region_code),
                    **extra,
                    "facts": facts,
                }
            )

    add(
        _first(rows, "base_operator"),
        {
            "provincial_demo_base_recognized": YEAR,
            "national_demo_base_recognized": YEAR,
            "fixed_asset_investment_last_3_years": "12800000.00",
        },
    )
    add(
        _first(rows, "base_operator", skip=1),
        {"provincial_demo_base_recognized": YEAR, "fixed_asset_investment_last_3_years": "6400000.00"},
    )
    add(_first(rows, "county_government"), {"provincial_demo_county_recognized": YEAR})
    add(_first(rows, "city_government"), {"event_investment": {str(YEAR): "1200000.00"}})
    add(_first(rows, "association"), {"event_investment": {str(YEAR): "860000.00"}})
    add(_first(rows, "enterprise", skip=3), {"insured_employees": {str(YEAR - 1): 128}}, call_center=True)
    add(_first(rows, "enterprise", skip=5), {"national_demo_enterprise_recognized": YEAR})
    figures = seller_years(YEAR - 1, YEAR, SystemActor())
    sellers = sorted((v[YEAR][1], uscc) for uscc, v in figures.items() if YEAR in v and YEAR - 1 in v)
    by_uscc = {r.uscc: r for r in rows}
    enterprises = [
        uscc for _, uscc in sellers if uscc in by_uscc and policy_kind(by_uscc[uscc].kind, by_uscc[uscc].region_code) == "enterprise"
    ]
    if enterprises:
        uscc = enterprises[len(enterprises) // 2]
        before = figures[uscc][YEAR - 1][1]
        claimed = (before + Decimal("6000000.00")).quantize(Decimal("0.01"))
        add(
            by_uscc[uscc],
            {
                "local_physical_online_retail": {str(YEAR - 1): f"{before}", str(YEAR): f"{claimed}"},
                "physical_online_retail": {str(YEAR - 1): f"{figures[uscc][YEAR - 1][0]}", str(YEAR): f"{claimed}"},
            },
        )
    return {"year": YEAR, "entities": out}


def run_demo_policy(session: Session, directory: Path) -> service.RunSummary:
    """Write the declarations beside the demo files and run 2025's awards under a budget of 800万, less than the
    entitlements, so that the allocation shows."""
    declared = declarations(session)
    path = directory / f"declarations-{YEAR}.json"
    path.write_text(json.dumps(declared, ensure_ascii=False, indent=2), encoding="utf-8")
    return service.start_run(
        session,
        SystemActor(name="demo"),
        YEAR,
        declared=declared,
        declared_name=path.name,
        budget=Decimal("8000000.00"),
        method="pro_rata",
        note="演示批次: 平台数据 + 演示申报",
    )
