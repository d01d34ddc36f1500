"""Input rules of the registry schemas: 统一社会信用代码 check digit, regions by name, kinds by Chinese name."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from livecommerce.entities.schemas import EntityCreate, EntityPublic, EntityQuery, EntityUpdate, StreamerPublic

# 91230100MA1B2C3D4 + check digit: stdnum.cn.uscc.calc_check_digit('91230100MA1B2C3D4') == '9'
VALID_USCC = "91230100MA1B2C3D49"
WRONG_CHECK_DIGIT = "91230100MA1B2C3D48"


def entity(**overrides: object) -> EntityCreate:
    fields: dict[str, object] = {"uscc": VALID_USCC, "name": "哈尔滨红肠有限公司", "kind": "enterprise", "region": "230100"}
    fields.update(overrides)
    return EntityCreate.model_validate(fields)


def test_valid_uscc_is_accepted() -> None:
    assert entity().uscc == "91230100MA1B2C3D49"


def test_uscc_with_a_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not a valid 统一社会信用代码"):
        entity(uscc=WRONG_CHECK_DIGIT)


def test_uscc_is_stored_compact_and_upper_case() -> None:
    assert entity(uscc="91230100ma1b2c3d49 ").uscc == VALID_USCC
    assert entity(uscc="91230100-MA1B2C3D4-9").uscc == VALID_USCC


def test_uscc_of_the_wrong_length_is_rejected() -> None:
    with pytest.raises(ValidationError):
        entity(uscc="91230100MA1B2C3D4")


def test_region_by_short_name_is_stored_as_its_code() -> None:
    assert entity(region="哈尔滨").region == "230100"


def test_region_by_full_name_and_by_county_name() -> None:
    assert entity(region="齐齐哈尔市").region == "230200"
    assert entity(region="哈尔滨市道里区").region == "230102"


def test_unknown_region_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown region"):
        entity(region="北京")
    with pytest.raises(ValidationError, match="unknown region"):
        entity(region="110000")


def test_kind_by_chinese_name() -> None:
    assert entity(kind="农民专业合作社").kind == "cooperative"
    assert entity(kind="合作社").kind == "cooperative"
    assert entity(kind="MCN机构").kind == "mcn"


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not a entity kind"):
        entity(kind="外星企业")


def test_founding_date_bounds() -> None:
    assert entity(founded_on="1900-01-01").founded_on == date(1900, 1, 1)
    with pytest.raises(ValidationError):
        entity(founded_on="1899-12-31")
    with pytest.raises(ValidationError, match="lies in the future"):
        entity(founded_on=date(date.today().year + 1, 1, 1))


def test_name_bounds() -> None:
    with pytest.raises(ValidationError):
        entity(name="")
    with pytest.raises(ValidationError):
        entity(name="字" * 201)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        EntityUpdate.model_validate({"uscc": VALID_USCC})


def test_query_treats_empty_form_fields_as_no_filter() -> None:
    query = EntityQuery.model_validate({"region": "", "kind": "企业", "name": " ", "page": "2"})
    assert (query.region, query.kind, query.name, query.page) == (None, "enterprise", None, 2)


def test_query_page_size_is_bounded() -> None:
    with pytest.raises(ValidationError):
        EntityQuery(page_size=201)


def test_streamer_phone_and_real_name_are_masked() -> None:
    streamer = StreamerPublic.model_validate(
        {
            "id": 1,
            "platform": "douyin",
            "streamer_id": "ZB001",
            "nickname": "冰城小张",
            "uscc": None,
            "region_code": "230102",
            "real_name": "张三丰",
            "phone": "13812345678",
            "followers": 0,
        }
    )
    assert streamer.phone == "138****5678"
    assert streamer.real_name == "张**"
    assert streamer.region_name == "哈尔滨市道里区"
    assert streamer.platform_name == "抖音"


def test_entity_public_names_kind_and_region() -> None:
    public = EntityPublic.model_validate(
        {
            "uscc": VALID_USCC,
            "name": "x",
            "kind": "cooperative",
            "region_code": "230103",
            "above_quota": False,
            "local_producer": True,
            "founded_on": None,
            "created_at": datetime(2025, 1, 1),
            "updated_at": datetime(2025, 1, 1),
        }
    )
    assert (public.kind_name, public.region_name) == ("农民专业合作社", "哈尔滨市南岗区")
