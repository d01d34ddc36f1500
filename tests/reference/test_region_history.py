"""Retired Heilongjiang regions since 2000, name by name and code by code, and addresses (data/README.md: sources)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.errors import NotFound
from livecommerce.reference.address import AmbiguousRegion, resolve
from livecommerce.reference.history import history
from livecommerce.reference.regions import current_code, regions

# (old code, old name, successor code, date, change) — checked by hand against the sources of data/README.md
RETIRED = [
    ("230105", "太平区", "230104", "2004-02-04", "撤销并入"),
    ("230121", "呼兰县", "230111", "2004-02-04", "撤县设区"),
    ("230107", "动力区", "230110", "2006", "合并"),
    ("230181", "阿城市", "230112", "2006", "撤市设区"),
    ("230802", "永红区", "230811", "2006", "撤销并入"),
    ("230182", "双城市", "230113", "2014", "撤市设区"),
    ("231024", "东宁县", "231086", "2015", "撤县设市"),
    ("230833", "抚远县", "230883", "2016", "撤县设市"),
    ("232723", "漠河县", "232701", "2018-02-24", "撤县设市"),
    ("231121", "嫩江县", "231183", "2019", "撤县设市"),
    ("230702", "伊春区", "230717", "2019", "合并"),
    ("230708", "美溪区", "230717", "2019", "合并"),
    ("230706", "翠峦区", "230718", "2019", "合并"),
    ("230716", "上甘岭区", "230719", "2019", "合并"),
    ("230705", "西林区", "230751", "2019", "合并"),
    ("230709", "金山屯区", "230751", "2019", "合并"),
    ("230712", "汤旺河区", "230723", "2019", "撤区设县"),
    ("230714", "乌伊岭区", "230723", "2019", "撤区设县"),
    ("230707", "新青区", "230724", "2019", "撤区设县"),
    ("230715", "红星区", "230724", "2019", "撤区设县"),
    ("230710", "五营区", "230724", "2019", "撤区设县"),
    ("230713", "带岭区", "230725", "2019", "撤区设县"),
    ("230703", "南岔区", "230726", "2019", "撤区设县"),
]
# Heilongjiang's county-level codes in the 民政部 list of Dec 1999 (cn/GB2260 mca/199912.tsv) that are gone today
GONE_SINCE_1999 = {
    "230105",
    "230106",
    "230107",
    "230121",
    "230181",
    "230182",
    "230702",
    "230703",
    "230704",
    "230705",
    "230706",
    "230707",
    "230708",
    "230709",
    "230710",
    "230711",
    "230712",
    "230713",
    "230714",
    "230715",
    "230716",
    "230802",
    "230833",
    "231024",
    "231121",
    "232723",
}


@pytest.mark.parametrize(("old_code", "old_name", "new_code", "date", "change"), RETIRED)
def test_each_retired_code_and_name_resolves_to_its_successor(old_code: str, old_name: str, new_code: str, date: str, change: str) -> None:
    for text in (old_code, old_name):
        found = resolve(text)
        assert found.region.code == new_code
        assert found.retired is not None and (found.retired.old_code, found.retired.date, found.retired.change) == (old_code, date, change)
    assert current_code(old_code) == new_code


def test_every_code_gone_since_1999_has_a_history_row_and_no_current_code_has_one() -> None:
    assert set(history().by_code) == GONE_SINCE_1999
    assert not set(history().by_code) & set(regions().by_code)
    assert all(e.new_code in regions().by_code for e in history().rows)


def test_a_split_code_answers_with_its_candidates() -> None:
    for text in ("230711", "乌马河区", "黑龙江省伊春市乌马河区"):
        with pytest.raises(AmbiguousRegion) as caught:
            resolve(text)
        assert caught.value.candidates == ["230717", "230718"]
    assert current_code("230711") is None


@pytest.mark.parametrize(
    ("code", "expected"), [("230184", "230184"), ("230106", "230110"), ("230704", "230719"), ("110101", None), ("999999", None), ("", None)]
)
def test_current_code(code: str, expected: str | None) -> None:
    assert current_code(code) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("黑龙江省哈尔滨市五常市", "230184"),
        ("哈尔滨五常", "230184"),
        ("黑龙江哈尔滨市五常市山河镇xx路", "230184"),
        ("五常市山河镇", "230184"),
        ("黑龙江省佳木斯市向阳区长安路", "230803"),
        ("鹤岗市向阳区", "230402"),
        ("黑龙江省哈尔滨市双城市", "230113"),
        ("黑龙江省大兴安岭地区漠河县西林吉镇", "232701"),
        ("哈尔滨市中央大街", "230100"),
    ],
)
def test_addresses_resolve_to_the_county(text: str, code: str) -> None:
    assert resolve(text).region.code == code


def test_ambiguous_and_foreign_addresses_are_not_guessed() -> None:
    with pytest.raises(AmbiguousRegion):
        resolve("向阳区")
    with pytest.raises(NotFound):
        resolve("北京市朝阳区")
    with pytest.raises(NotFound):
        resolve("230199")


def test_the_command_shows_the_retired_entry() -> None:
    result = CliRunner().invoke(app, ["regions", "find", "漠河县", "--format", "json"])
    body = json.loads(result.stdout)
    assert result.exit_code == 0 and body["code"] == "232701"
    wanted = {"code": "232723", "name": "漠河县", "date": "2018-02-24", "change": "撤县设市", "document": "民函〔2018〕50号"}
    assert {key: body["retired"][key] for key in wanted} == wanted
    text = CliRunner().invoke(app, ["regions", "find", "232723"])
    assert "已撤销: 漠河县(232723) 2018年撤县设市 → 漠河市(232701)" in text.stdout.replace("\n", "")
    split = CliRunner().invoke(app, ["regions", "find", "230711", "--format", "json"])
    assert split.exit_code == 2 and json.loads(split.stdout)["candidates"] == ["230717", "230718"]
