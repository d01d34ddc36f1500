"""Registry feeds through ingest: a clerk's spreadsheet of entities and shops with Chinese headers."""

from __future__ import annotations

from pathlib import Path

from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.entities.models import Entity, Shop
from livecommerce.ingest.service import ingest

ACTOR = SystemActor(name="clerk")
WUCHANG = "91230184MA1BXKXE7G"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_entities_then_shops_from_chinese_spreadsheets(home, tmp_path: Path) -> None:
    entities = write(
        tmp_path / "主体名录.csv",
        "统一社会信用代码,名称,主体类型,所在地区代码,限额以上在统,地产品生产企业,成立日期\n"
        f"{WUCHANG},五常市稻花香米业有限公司,企业,五常市,是,是,2016/05/20\n"
        "91230184MA1BXKXE70,坏代码公司,企业,五常,否,否,\n",
    )
    result = ingest("entities", [entities], ACTOR)
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    assert "column uscc" in result.problems[0] and "统一社会信用代码" in result.problems[0]
    shops = write(
        tmp_path / "网店.csv",
        "平台,店铺ID,店铺名称,统一社会信用代码,所在地区代码\n"
        f"抖音,DY001,稻花香旗舰店,{WUCHANG},230184\n"
        "快手,KS002,无主小店,91230100MA1BXKXE7T,230100\n"
        "淘宝,TB003,个人小店,,230102\n",
    )
    loaded = ingest("shops", [shops], ACTOR)
    assert (loaded.accepted, loaded.rejected) == (2, 1)
    assert "row 3, column uscc" in loaded.problems[0] and "not in the registry" in loaded.problems[0]
    with session_scope() as session:
        entity = session.get(Entity, WUCHANG)
        assert entity is not None and (entity.region_code, entity.above_quota, str(entity.founded_on)) == ("230184", True, "2016-05-20")
        assert sorted(s.shop_id for s in session.query(Shop)) == ["DY001", "TB003"]


def test_the_same_registry_file_twice_changes_nothing(home, tmp_path: Path) -> None:
    entities = write(tmp_path / "e.csv", f"uscc,name,kind,region\n{WUCHANG},稻花香米业,enterprise,230184\n")
    first = ingest("entities", [entities], ACTOR)
    second = ingest("entities", [entities], ACTOR)
    assert (first.accepted, first.replaced, first.unchanged) == (1, 0, 0)
    assert (second.accepted, second.replaced, second.unchanged) == (1, 0, 1)
