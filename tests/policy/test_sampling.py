"""助企行动 sampling: the reproducible ≥10% spot-check sample per city (001 附件1 五(二)) and the 1500 places shared
across the cities by online retail and e-commerce entities (001 附件1 四(三))."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal
from typing import Any

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.policy import sampling
from livecommerce.policy.parameters import catalogue
from livecommerce.policy.sampling import allocate_places, sample_size, spot_check

SEED = "2023-12-01 验收抽样"
HARBIN = [{"id": f"S{i:02d}", "city": "230100"} for i in range(1, 12)]  # 11 objects → 2 checked
QIQIHAR = [{"id": f"Q{i:02d}", "city": "230200"} for i in range(1, 11)]  # 10 objects → 1 checked


@pytest.mark.parametrize(("n", "size"), [(0, 0), (1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (1500, 150)])
def test_the_sample_is_at_least_10_percent_rounded_up(n: int, size: int) -> None:
    assert sample_size(n) == size


def test_sample_per_city_is_ceil_of_10_percent() -> None:
    drawn = spot_check(HARBIN + QIQIHAR, SEED)
    assert list(drawn) == ["230100", "230200"]
    assert [len(ids) for ids in drawn.values()] == [2, 1]
    assert drawn == {"230100": ["S08", "S09"], "230200": ["Q08"]}


def test_the_draw_is_the_sha256_order_of_seed_and_id() -> None:
    def key(ident: str) -> str:
        return hashlib.sha256(f"{SEED}|{ident}".encode()).hexdigest()

    expected = sorted((o["id"] for o in HARBIN), key=key)[:2]
    assert spot_check(HARBIN, SEED)["230100"] == expected
    assert sampling.draw_key(SEED, "S01") == key("S01")


def test_the_draw_is_reproducible_and_independent_of_order() -> None:
    objects = HARBIN + QIQIHAR
    first = spot_check(objects, SEED)
    shuffled = objects[:]
    random.Random(3).shuffle(shuffled)
    assert spot_check(shuffled, SEED) == first
    assert spot_check(objects, SEED) == first


def test_another_seed_draws_another_sample() -> None:
    many = [{"id": f"E{i:03d}", "city": "230100"} for i in range(200)]
    assert spot_check(many, "seed-1") != spot_check(many, "seed-2")


def test_a_county_code_counts_for_its_city_and_a_larger_share_extends_the_sample() -> None:
    objects: list[dict[str, Any]] = [{"id": "A", "city": "230102"}, {"id": "B", "city": "230100"}, {"id": "C", "city": 230103}]
    assert list(spot_check(objects, SEED)) == ["230100"]
    small = spot_check(HARBIN, SEED)["230100"]
    large = spot_check(HARBIN, SEED, share=Decimal("0.5"))["230100"]
    assert len(large) == 6 and large[:2] == small


@pytest.mark.parametrize(
    ("objects", "seed", "share"),
    [
        ([{"id": "A"}], SEED, Decimal("0.1")),  # no city
        ([{"id": "A", "city": "999999"}], SEED, Decimal("0.1")),  # unknown code
        ([{"id": "A", "city": "230000"}], SEED, Decimal("0.1")),  # the province is not a city
        ([{"id": "A", "city": "230100"}, {"id": "A", "city": "230100"}], SEED, Decimal("0.1")),  # duplicate id
        ([{"city": "230100"}], SEED, Decimal("0.1")),  # no id
        ([{"id": "A", "city": "230100"}], "", Decimal("0.1")),  # no seed
        ([{"id": "A", "city": "230100"}], SEED, Decimal("0")),  # no share
        ([{"id": "A", "city": "230100"}], SEED, Decimal("1.5")),  # more than all
    ],
)
def test_bad_sampling_input_is_refused(objects: list[dict[str, Any]], seed: str, share: Decimal) -> None:
    with pytest.raises(ValidationFailed):
        spot_check(objects, seed, share)


def test_the_missing_city_is_named() -> None:
    with pytest.raises(ValidationFailed) as caught:
        spot_check([{"id": "A", "city": "230100"}, {"id": "B"}], SEED)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "city") and "object B" in problem.rule


def city(code: str, retail: Any, entities: int, above: int, name: str = "") -> dict[str, Any]:
    return {"code": code, "name": name or code, "online_retail": retail, "entities": entities, "above_quota_entities": above}


def test_two_cities_by_hand() -> None:
    # retail 300 : 100 → shares 3/4, 1/4; entities 1 : 3 → 1/4, 3/4; weight 0.5 × 3/4 + 0.5 × 1/4 = 1/2 each.
    rows = allocate_places([city("230100", "300", 1, 5, "哈尔滨市"), city("230200", "100", 3, 0, "齐齐哈尔市")], total=10)
    assert [(r["code"], r["weight"], r["places"], r["above_quota_places"]) for r in rows] == [
        ("230100", "0.500000", 5, 1),
        ("230200", "0.500000", 5, 0),
    ]
    assert rows[0]["note"] == ""
    assert rows[1]["note"].startswith("限上企业仅 0 家, 少于应留名额 1 个: 留 0 个, 差 1 个")


def test_largest_remainder_and_ties_by_code() -> None:
    # Three equal cities, 10 places: quotas 3.333… each; the one place left goes to the smallest code.
    rows = allocate_places([city(c, "100", 10, 10) for c in ("230300", "230100", "230200")], total=10)
    assert [(r["code"], r["places"]) for r in rows] == [("230100", 4), ("230200", 3), ("230300", 3)]
    # Retail only (weight 1): 50 / 30 / 20 of 7 places → quotas 3.5, 2.1, 1.4 → 3, 2, 1 and the last place to 3.5.
    rows = allocate_places(
        [city("230100", "50", 1, 9), city("230200", "30", 1, 9), city("230300", "20", 1, 9)], total=7, retail_weight=Decimal("1")
    )
    assert [r["places"] for r in rows] == [4, 2, 1] and [r["quota"] for r in rows] == ["3.500000", "2.100000", "1.400000"]


def test_above_quota_places_are_ceil_of_10_percent_of_each_city() -> None:
    rows = allocate_places([city("230100", "1", 1, 100), city("230200", "1", 1, 1)], total=30)
    # 15 places each: ceil(1.5) = 2 kept for 限上 enterprises; 230200 has only one.
    assert [(r["places"], r["above_quota_places"]) for r in rows] == [(15, 2), (15, 1)]
    assert "差 1 个" in rows[1]["note"]


PROVINCE = [  # synthetic figures (万元-scale yuan, entity counts) for the 13 市(地); not official statistics
    city("230100", "38000000000.00", 52000, 900),
    city("230200", "6100000000.00", 9100, 140),
    city("230300", "2400000000.00", 3800, 60),
    city("230400", "900000000.00", 1500, 20),
    city("230500", "1100000000.00", 1900, 30),
    city("230600", "5600000000.00", 7800, 160),
    city("230700", "700000000.00", 1300, 15),
    city("230800", "3300000000.00", 5200, 80),
    city("230900", "600000000.00", 1000, 12),
    city("231000", "4200000000.00", 6600, 110),
    city("231100", "1500000000.00", 2600, 25),
    city("231200", "3000000000.00", 5400, 70),
    city("232700", "300000000.00", 600, 3),
]


def test_the_1500_places_add_up_exactly_whatever_the_order() -> None:
    rows = allocate_places(PROVINCE)
    assert sum(r["places"] for r in rows) == 1500
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    assert abs(sum((Decimal(r["weight"]) for r in rows), Decimal(0)) - 1) < Decimal("0.00001")
    assert all(r["above_quota_places"] * 10 >= r["places"] or r["note"] for r in rows)
    assert sum(r["above_quota_places"] for r in rows) >= 150
    shuffled = PROVINCE[:]
    random.Random(5).shuffle(shuffled)
    assert allocate_places(shuffled) == rows


def test_the_defaults_are_the_parameters_of_the_fund_document() -> None:
    params = catalogue()
    assert params["FUND/accept.places"].values[-1] == sampling.PLACES
    assert params["FUND/accept.sample_share"].values[-1] == sampling.SAMPLE_SHARE
    assert params["FUND/accept.above_quota_share"].values[-1] == sampling.ABOVE_QUOTA_SHARE


@pytest.mark.parametrize(
    ("cities", "kw"),
    [
        ([city("230100", "1", 1, 1), city("230100", "1", 1, 1)], {}),  # a city twice
        ([city("230102", "1", 1, 1)], {}),  # a county, not a 市(地)
        ([city("230100", "-1", 1, 1)], {}),  # negative retail
        ([city("230100", 1.5, 1, 1)], {}),  # float money
        ([city("230100", "1", -1, 1)], {}),  # negative count
        ([city("230100", "0", 0, 1)], {}),  # nothing to weigh by
        ([], {}),  # no city
        ([city("230100", "1", 1, 1)], {"retail_weight": Decimal("1.2")}),  # weight beyond 1
        ([city("230100", "1", 1, 1)], {"total": -1}),  # negative total
    ],
)
def test_bad_cities_are_refused(cities: list[dict[str, Any]], kw: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        allocate_places(cities, **kw)
