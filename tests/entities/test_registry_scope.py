"""Scopes (DESIGN.md: Scopes): a city officer sees and changes only its city, an enterprise only itself, and a role
without a registry grant sees nothing. A row outside the scope is NotFound, not "forbidden"."""

from __future__ import annotations

import pytest
from registry_data import ENTERPRISE, HARBIN_FOOD, HARBIN_OFFICER, INSPECTOR, NANGANG_COOP, QIQIHAR_MCN, audit_lines
from sqlalchemy.orm import Session

from livecommerce.accounts.actors import UserActor
from livecommerce.core.errors import NotFound, PermissionDenied
from livecommerce.entities import service
from livecommerce.entities.schemas import BaseQuery, EntityCreate, EntityQuery, EntityUpdate, ShopQuery, StreamerQuery

COUNTY_OFFICER = UserActor(user_id=4, name="daoli_officer", role="county_officer", scope_region="230102")


def visible(session: Session, actor: UserActor) -> list[str]:
    return [item.uscc for item in service.list_entities(session, actor, EntityQuery()).items]


def test_city_officer_lists_only_its_city(seeded: Session) -> None:
    assert visible(seeded, HARBIN_OFFICER) == [HARBIN_FOOD, NANGANG_COOP]
    assert service.list_entities(seeded, HARBIN_OFFICER, EntityQuery()).total == 2


def test_city_officer_cannot_widen_its_scope_with_a_filter(seeded: Session) -> None:
    page = service.list_entities(seeded, HARBIN_OFFICER, EntityQuery(region="齐齐哈尔"))
    assert (page.items, page.total) == ([], 0)


def test_city_officer_gets_not_found_for_another_city(seeded: Session) -> None:
    with pytest.raises(NotFound):
        service.get_entity(seeded, HARBIN_OFFICER, QIQIHAR_MCN)
    with pytest.raises(NotFound):
        service.get_shop(seeded, HARBIN_OFFICER, "kuaishou", "KS002")
    with pytest.raises(NotFound):
        service.get_streamer(seeded, HARBIN_OFFICER, "douyin", "ZB002")


def test_city_officer_cannot_update_another_citys_entity(seeded: Session) -> None:
    with pytest.raises(NotFound):
        service.update_entity(seeded, HARBIN_OFFICER, QIQIHAR_MCN, EntityUpdate(name="改名"))
    assert audit_lines(seeded, "entity.update") == []


def test_city_officer_cannot_move_an_entity_out_of_its_city(seeded: Session) -> None:
    with pytest.raises(PermissionDenied):
        service.update_entity(seeded, HARBIN_OFFICER, HARBIN_FOOD, EntityUpdate(region="齐齐哈尔"))


def test_city_officer_creates_in_its_city_but_not_in_another(seeded: Session) -> None:
    data = {"uscc": "91230100MA1B00004L", "name": "哈尔滨红肠有限公司", "kind": "企业"}
    assert service.create_entity(seeded, HARBIN_OFFICER, EntityCreate.model_validate({**data, "region": "南岗区"}))
    with pytest.raises(PermissionDenied):
        service.create_entity(
            seeded, HARBIN_OFFICER, EntityCreate.model_validate({**data, "uscc": "91230203MA1B00006B", "region": "齐齐哈尔"})
        )


def test_city_officer_updates_its_own_citys_entity(seeded: Session) -> None:
    updated = service.update_entity(seeded, HARBIN_OFFICER, NANGANG_COOP, EntityUpdate(region="道里区"))
    assert updated.region_code == "230102"
    assert audit_lines(seeded, "entity.update")[0].actor == "hrb_officer"


def test_county_officer_sees_only_its_county(seeded: Session) -> None:
    assert visible(seeded, COUNTY_OFFICER) == [HARBIN_FOOD]


def test_enterprise_sees_only_itself_and_what_it_runs(seeded: Session) -> None:
    assert visible(seeded, ENTERPRISE) == [HARBIN_FOOD]
    assert [s.shop_id for s in service.list_shops(seeded, ENTERPRISE, ShopQuery()).items] == ["DY001"]
    assert [s.streamer_id for s in service.list_streamers(seeded, ENTERPRISE, StreamerQuery()).items] == ["ZB001"]
    with pytest.raises(NotFound):
        service.get_entity(seeded, ENTERPRISE, NANGANG_COOP)


def test_enterprise_may_not_edit_the_registry(seeded: Session) -> None:
    with pytest.raises(PermissionDenied):
        service.update_entity(seeded, ENTERPRISE, HARBIN_FOOD, EntityUpdate(name="冰城食品集团"))


def test_inspector_sees_nothing(seeded: Session) -> None:
    assert service.list_entities(seeded, INSPECTOR, EntityQuery()).total == 0
    assert service.list_shops(seeded, INSPECTOR, ShopQuery()).total == 0
    assert service.list_streamers(seeded, INSPECTOR, StreamerQuery()).total == 0
    assert service.list_bases(seeded, INSPECTOR, BaseQuery()).total == 0
    with pytest.raises(NotFound):
        service.get_entity(seeded, INSPECTOR, HARBIN_FOOD)


def test_inspector_cannot_create(seeded: Session) -> None:
    data = {"uscc": "91230100MA1B00004L", "name": "哈尔滨红肠有限公司", "kind": "企业", "region": "哈尔滨"}
    with pytest.raises(PermissionDenied):
        service.create_entity(seeded, INSPECTOR, EntityCreate.model_validate(data))


def test_unknown_role_is_denied(seeded: Session) -> None:
    stranger = UserActor(user_id=9, name="stranger", role="visitor")
    assert visible(seeded, stranger) == []
