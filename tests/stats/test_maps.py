"""The map boundaries of the dashboard join our region table: the 13 prefectures by code, the counties by name within
their prefecture (through stats.maps.RENAMED). Needs the npm map packages in web/static/vendor (make assets)."""

from __future__ import annotations

import pytest

from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import maps
from livecommerce.web.assets import VENDOR

pytestmark = pytest.mark.skipif(
    not (VENDOR / "maps" / "heilongjiang.js").exists(), reason="map boundaries are not in web/static/vendor (run make assets)"
)

# Features of the boundary files that match none of our codes (drawn uncoloured). None today: a new version of the
# npm package that adds one makes this test fail until it is joined (RENAMED) or listed here.
KNOWN_UNMATCHED: dict[str, list[str]] = {}
# Our statistics-only codes that have a boundary of their own (the others have none: 大庆高新区, 松岭区, 新林区, 呼中区).
STATISTICAL_WITH_BOUNDARY = {"232761"}  # 加格达奇区


def test_the_prefecture_map_is_our_13_prefectures() -> None:
    assert maps.prefecture_codes(VENDOR) == {city.code: city.name for city in regions().cities()}


@pytest.mark.parametrize("city", sorted(maps.COUNTY_FILES))
def test_every_county_of_a_city_has_its_boundary(city: str) -> None:
    drawn = {feature["id"] for feature in maps.county_map(VENDOR, city)["features"] if feature["id"]}
    wanted = {county.code for county in regions().children(city) if not county.statistical_only}
    assert wanted - drawn == set()
    extra = drawn - wanted
    assert extra == STATISTICAL_WITH_BOUNDARY & extra
    assert extra <= {county.code for county in regions().children(city)}


def test_unmatched_features_are_the_known_ones() -> None:
    found = {city: maps.unmatched(VENDOR, city) for city in maps.COUNTY_FILES}
    assert {city: names for city, names in found.items() if names} == KNOWN_UNMATCHED


def test_features_carry_our_codes_and_names() -> None:
    document = maps.county_map(VENDOR, "232700")
    names = {feature["id"]: feature["properties"]["name"] for feature in document["features"]}
    assert names == {"232701": "漠河市", "232721": "呼玛县", "232722": "塔河县", "232761": "加格达奇区"}  # was 漠河县


def test_yichuns_fifteen_old_districts_are_drawn_as_its_new_divisions() -> None:
    document = maps.county_map(VENDOR, "230700")
    features = {feature["properties"]["name"]: feature for feature in document["features"]}
    assert sorted(features) == sorted(county.name for county in regions().children("230700"))
    assert features["丰林县"]["geometry"]["type"] == "MultiPolygon"  # 新青区、红星区、五营区
    assert len(features["丰林县"]["geometry"]["coordinates"]) == 3
    assert features["大箐山县"]["geometry"]["type"] == "Polygon"  # 带岭区 alone


def test_every_renamed_entry_names_a_division_of_its_city() -> None:
    for (city, _old), new in maps.RENAMED.items():
        assert new in {county.name for county in regions().children(city)}, (city, new)


def test_an_unknown_or_provincial_code_has_no_county_map() -> None:
    from livecommerce.core.errors import NotFound

    with pytest.raises(NotFound):
        maps.city_of_view(PROVINCE)
    with pytest.raises(NotFound):
        maps.county_file(VENDOR, "239900")
    assert maps.city_of_view("230102") == "230100"
