"""Policy runs (`policy run --year 2025`): facts from the registry and the warehouse, declared facts merged, declared
sales checked against the platform data (虚报冒领), awards stored and narrowed to each viewer's scope, the budget
allocated, the run audited, what-if — on SQLite and on a real PostgreSQL server.

The province of these tests (every figure can be checked by hand):
  A  enterprise  哈尔滨 道里区 230102  地产品实物 2024 10,000,000.00 · 2025 16,000,000.00 (one parcel-backed order each)
     → LIVE20/1a: new 6,000,000.00 ≥ 5,000,000.00, 2% × 6,000,000.00 = 120,000.00
  B  mcn         齐齐哈尔 龙沙区 230202  地产品实物 2024 59,000,000.00 · 2025 60,000,000.00
     → LIVE20/3: 60,000,000.00 ≥ 50,000,000.00, 2‰ × 60,000,000.00 = 120,000.00 (new 1,000,000.00: no /1a)
  C  enterprise  哈尔滨 南岗区 230103  2025 3,000,000.00 → nothing
  G  南岗区政府 (government at a county code → county_government), declares 省级电商直播示范县 2025 → LIVE20/5 10,000,000.00
Total granted 10,240,000.00.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.errors import NotFound, PermissionDenied
from livecommerce.core.scope import SystemActor
from livecommerce.policy import service
from tests.stats.conftest import _valid_uscc

A = _valid_uscc("91230102MA1PLAA01")
B = _valid_uscc("91230202MA1PLBB02")
C = _valid_uscc("91230103MA1PLCC03")
G = _valid_uscc("11230103MB1PLGG04")

ENTITIES = [
    dict(uscc=A, name="哈尔滨甲农业有限公司", kind="enterprise", region="230102"),
    dict(uscc=B, name="鹤城乙MCN有限公司", kind="mcn", region="230202"),
    dict(uscc=C, name="南岗丙商贸有限公司", kind="enterprise", region="230103"),
    dict(uscc=G, name="哈尔滨市南岗区人民政府", kind="government", region="230103"),
]


def _order(order_id: str, seller: str, region: str, paid_at: str, amount: str) -> dict[str, str]:
    return dict(
        platform="douyin",
        order_id=order_id,
        shop_id=f"S-{seller[-4:]}",
        seller_uscc=seller,
        seller_region=region,
        product_id="P1",
        product_name="五常大米",
        category="crops",
        local_product="true",
        physical="true",
        channel="live",
        paid_at=paid_at,
        paid_amount=amount,
        refund_amount="0",
    )


ORDERS = [
    _order("A24", A, "230102", "2024-06-01 10:00:00", "10000000.00"),
    _order("A25", A, "230102", "2025-06-01 10:00:00", "16000000.00"),
    _order("B24", B, "230202", "2024-06-01 10:00:00", "59000000.00"),
    _order("B25", B, "230202", "2025-06-01 10:00:00", "60000000.00"),
    _order("C25", C, "230103", "2025-06-01 10:00:00", "3000000.00"),
]
PARCELS = [
    dict(
        carrier="sf",
        waybill_no="W1",
        origin_region="230102",
        dest_region="230102",
        shipped_at="2025-06-02 08:00:00",
        order_id="A25",
        platform="douyin",
    )
]
DECLARED = {
    "year": 2025,
    "entities": [
        {
            "id": A,
            "uscc": A,
            "name": "哈尔滨甲农业有限公司",
            "kind": "enterprise",
            "facts": {"local_physical_online_retail": {"2024": "10000000.00", "2025": "19200000.00"}},
        },
        {
            "id": G,
            "uscc": G,
            "name": "哈尔滨市南岗区人民政府",
            "kind": "county_government",
            "facts": {"provincial_demo_county_recognized": 2025},
        },
    ],
}


@pytest.fixture
def province(registry_home: Any) -> Any:
    from livecommerce.ingest.service import ingest_records

    for feed, rows in (("entities", ENTITIES), ("orders", ORDERS), ("parcels", PARCELS)):
        result = ingest_records(feed, rows, SystemActor(), source_name=feed)
        assert result.rejected == 0, result.problems
    return registry_home


def _run(session: Any, **options: Any) -> service.RunSummary:
    run = service.start_run(
        session, UserActor(1, "analyst", "province_analyst"), 2025, declared=DECLARED, declared_name="申报.json", **options
    )
    session.commit()
    return run


def _granted(session: Any, actor: Any, run_id: int) -> dict[tuple[str, str], Decimal]:
    return {(a.entity_id, a.clause.split("/")[1]): a.amount for a in service.awards(session, actor, run_id)}


def test_a_run_takes_sales_from_the_warehouse_and_recognitions_from_the_declarations(province: Any, session: Any) -> None:
    run = _run(session)
    assert _granted(session, SystemActor(), run.id) == {
        (A, "1a"): Decimal("120000.00"),
        (B, "3"): Decimal("120000.00"),
        (G, "5"): Decimal("10000000.00"),
    }
    assert run.entitled == "10240000.00" and run.paid == "10240000.00"
    assert run.entities == 4


def test_declared_sales_beyond_the_tolerance_are_flagged_with_both_figures(province: Any, session: Any) -> None:
    run = _run(session)
    assert run.flagged == 1
    result = service.entity_result(session, SystemActor(), run.id, A)
    difference = next(item for item in result["review"] if item["fact"] == "local_physical_online_retail")
    assert (difference["year"], difference["declared"], difference["warehouse"]) == (2025, "19200000.00", "16000000.00")
    assert difference["share"] == "20.0%"
    parcels = next(item for item in result["review"] if item["fact"] == "parcels")
    assert parcels == {"fact": "parcels", "order_physical": "16000000.00", "parcel_backed": "16000000.00", "parcel_share": "100.0%"}
    # the award itself is computed on the platform figure, not on the declared one
    assert result["granted"] == [{"clause": "HLJ-2025-LIVE20/1a", "amount": "120000.00", "allocated": "120000.00"}]
    assert [a.review for a in service.awards(session, SystemActor(), run.id, review=True)] == [True]


def test_a_city_officer_sees_her_city_and_an_enterprise_its_own(province: Any, session: Any) -> None:
    run = _run(session)
    harbin = UserActor(2, "harbin", "city_officer", scope_region="230100")
    assert set(_granted(session, harbin, run.id)) == {(A, "1a"), (G, "5")}
    mcn = UserActor(3, "mcn", "enterprise", scope_entity=B)
    assert _granted(session, mcn, run.id) == {(B, "3"): Decimal("120000.00")}
    with pytest.raises(NotFound):
        service.entity_result(session, harbin, run.id, B)
    assert [row["clause"] for row in service.totals(session, mcn, run.id)] == ["HLJ-2025-LIVE20/3"]


def test_only_province_staff_start_runs_and_each_run_is_audited(province: Any, session: Any) -> None:
    with pytest.raises(PermissionDenied):
        service.start_run(session, UserActor(2, "harbin", "city_officer", scope_region="230100"), 2025)
    run = _run(session)
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "policy.run")).scalars().one()
    assert (entry.actor, entry.target_id) == ("analyst", str(run.id))
    assert json.loads(entry.after)["entitled"] == "10240000.00"


def test_a_budget_is_allocated_pro_rata_or_by_rank(province: Any, session: Any) -> None:
    half = _run(session, budget=Decimal("5120000.00"), method="pro_rata")
    assert _allocated(session, half.id) == {(A, "1a"): Decimal("60000.00"), (B, "3"): Decimal("60000.00"), (G, "5"): Decimal("5000000.00")}
    ranked = _run(session, budget=Decimal("10150000.00"), method="rank")
    # by rank: 南岗区 10,000,000.00 in full, then 150,000.00 left: A (120,000.00, id before B's) in full, B 30,000.00
    assert _allocated(session, ranked.id) == {
        (G, "5"): Decimal("10000000.00"),
        (A, "1a"): Decimal("120000.00"),
        (B, "3"): Decimal("30000.00"),
    }
    assert ranked.paid == "10150000.00"


def _allocated(session: Any, run_id: int) -> dict[tuple[str, str], Decimal]:
    return {(a.entity_id, a.clause.split("/")[1]): a.allocated for a in service.awards(session, SystemActor(), run_id)}


def test_what_if_a_lower_cap_shows_the_change_without_storing_it(province: Any, session: Any) -> None:
    run = _run(session)
    answer = service.what_if(
        session, UserActor(1, "analyst", "province_analyst"), run.id, {"LIVE20/1a.rate": "0.01"}, budget=Decimal("10000000.00")
    )
    row = next(r for r in answer["clauses"] if r["short"] == "LIVE20/1a")
    assert (row["before"], row["after"], row["change"]) == ("120000.00", "60000.00", "-60000.00")
    assert (answer["total_before"], answer["total_after"]) == ("10240000.00", "10180000.00")
    assert answer["allocations"] is not None
    assert _granted(session, SystemActor(), run.id)[(A, "1a")] == Decimal("120000.00")


def test_a_year_outside_every_document_grants_nothing(province: Any, session: Any) -> None:
    run = service.start_run(session, SystemActor(), 2024)
    assert (run.entitled, run.entities) == ("0.00", 4)


def test_a_declarations_file_with_an_error_is_refused_whole_naming_the_file(province: Any, session: Any) -> None:
    from livecommerce.core.errors import ValidationFailed

    bad = {"year": 2025, "entities": [{"id": A, "kind": "enterprise", "facts": {"event_investment": {"2025": 1200.5}}}]}
    with pytest.raises(ValidationFailed) as caught:
        service.start_run(session, SystemActor(), 2025, declared=bad, declared_name="申报.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("申报.json", 1, "facts.event_investment.2025")
    with pytest.raises(ValidationFailed, match="year 2024 is not the run's year 2025"):
        service.start_run(session, SystemActor(), 2025, declared={"year": 2024, "entities": []}, declared_name="x.json")


def test_a_runs_figures_are_summed_over_what_the_viewer_may_see(province: Any, session: Any) -> None:
    run = service.get_run(session, SystemActor(), _run(session).id)
    harbin = service.summary(session, UserActor(2, "harbin", "city_officer", scope_region="230100"), run)
    assert (harbin.entities, harbin.entitled, harbin.flagged) == (3, "10120000.00", 1)  # A, C, 南岗区; A is flagged
    mcn = service.list_runs(session, UserActor(3, "mcn", "enterprise", scope_entity=B))[0]
    assert (mcn.entities, mcn.entitled, mcn.paid, mcn.flagged) == (1, "120000.00", "120000.00", 0)


def test_an_unknown_city_filter_is_a_bad_filter(province: Any, session: Any) -> None:
    from livecommerce.core.errors import ValidationFailed

    run = _run(session)
    with pytest.raises(ValidationFailed, match="not a 市"):
        service.awards(session, SystemActor(), run.id, city="火星市")
    assert [row["clause"] for row in service.totals(session, SystemActor(), run.id, city="哈尔滨")] == [
        "HLJ-2025-LIVE20/1a",
        "HLJ-2025-LIVE20/5",
    ]
