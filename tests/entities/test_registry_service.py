"""Entities through the service: create, update (audited with before and after), list with filters, sort, paging."""

from __future__ import annotations

import json
from datetime import date

import pytest
from registry_data import HARBIN_FOOD, NANGANG_COOP, QIQIHAR_MCN, SYSTEM, audit_lines
from sqlalchemy.orm import Session

from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.entities import service
from livecommerce.entities.schemas import EntityCreate, EntityFilter, EntityQuery, EntityUpdate

NEW_USCC = "91230100MA1B00004L"  # 91230100MA1B00004 + check digit L


def new_entity(**overrides: object) -> EntityCreate:
    fields: dict[str, object] = {
        "uscc": NEW_USCC,
        "name": "哈尔滨红肠有限公司",
        "kind": "企业",
        "region": "哈尔滨",
        "above_quota": True,
        "founded_on": "2019-05-20",
    }
    fields.update(overrides)
    return EntityCreate.model_validate(fields)


def test_create_stores_the_entity_and_audits_it(session: Session) -> None:
    created = service.create_entity(session, SYSTEM, new_entity())
    session.commit()
    assert (created.uscc, created.kind, created.region_code, created.region_name) == (NEW_USCC, "enterprise", "230100", "哈尔滨市")
    [line] = audit_lines(session, "entity.create")
    assert (line.actor, line.target_type, line.target_id, line.before) == ("system", "entity", NEW_USCC, None)
    assert json.loads(line.after or "") == {
        "uscc": NEW_USCC,
        "name": "哈尔滨红肠有限公司",
        "kind": "enterprise",
        "region_code": "230100",
        "above_quota": True,
        "local_producer": False,
        "founded_on": "2019-05-20",
    }


def test_create_refuses_a_registered_uscc(seeded: Session) -> None:
    with pytest.raises(ValidationFailed, match="already registered"):
        service.create_entity(seeded, SYSTEM, new_entity(uscc=HARBIN_FOOD))


def test_update_audits_before_and_after(seeded: Session) -> None:
    change = EntityUpdate(name="南岗稻花香合作社", above_quota=True)
    updated = service.update_entity(seeded, SYSTEM, NANGANG_COOP, change)
    seeded.commit()
    assert (updated.name, updated.above_quota) == ("南岗稻花香合作社", True)
    [line] = audit_lines(seeded, "entity.update")
    before, after = json.loads(line.before or ""), json.loads(line.after or "")
    assert (before["name"], before["above_quota"]) == ("南岗大米合作社", False)
    assert (after["name"], after["above_quota"]) == ("南岗稻花香合作社", True)
    assert line.target_id == NANGANG_COOP


def test_update_to_the_same_values_writes_no_audit_line(seeded: Session) -> None:
    service.update_entity(seeded, SYSTEM, NANGANG_COOP, EntityUpdate(name="南岗大米合作社"))
    assert audit_lines(seeded, "entity.update") == []


def test_update_may_clear_the_founding_date_but_not_the_name(seeded: Session) -> None:
    assert service.update_entity(seeded, SYSTEM, HARBIN_FOOD, EntityUpdate(founded_on=None)).founded_on is None
    with pytest.raises(ValidationFailed, match="name may not be emptied"):
        service.update_entity(seeded, SYSTEM, HARBIN_FOOD, EntityUpdate(name=None))


def test_get_of_an_unknown_uscc_is_not_found(seeded: Session) -> None:
    with pytest.raises(NotFound):
        service.get_entity(seeded, SYSTEM, NEW_USCC)


def uscc_list(session: Session, **query: object) -> list[str]:
    return [item.uscc for item in service.list_entities(session, SYSTEM, EntityQuery.model_validate(query)).items]


def test_region_filter_includes_the_counties_below_it(seeded: Session) -> None:
    assert uscc_list(seeded, region="哈尔滨") == [HARBIN_FOOD, NANGANG_COOP]
    assert uscc_list(seeded, region="道里区") == [HARBIN_FOOD]
    assert uscc_list(seeded, region="黑龙江") == [HARBIN_FOOD, QIQIHAR_MCN, NANGANG_COOP]


def test_filters_by_kind_flags_and_name(seeded: Session) -> None:
    assert uscc_list(seeded, kind="农民专业合作社") == [NANGANG_COOP]
    assert uscc_list(seeded, above_quota=True) == [HARBIN_FOOD]
    assert uscc_list(seeded, local_producer=False) == [QIQIHAR_MCN]
    assert uscc_list(seeded, name="mcn") == [QIQIHAR_MCN]
    assert uscc_list(seeded, name="合作社", region="齐齐哈尔") == []


def test_name_filter_takes_percent_literally(seeded: Session) -> None:
    assert uscc_list(seeded, name="%") == []


def test_sort_and_paging(seeded: Session) -> None:
    assert uscc_list(seeded, sort="-founded_on") == [QIQIHAR_MCN, HARBIN_FOOD, NANGANG_COOP]  # no date last
    assert uscc_list(seeded, sort="founded_on") == [HARBIN_FOOD, QIQIHAR_MCN, NANGANG_COOP]
    page = service.list_entities(seeded, SYSTEM, EntityQuery(sort="-uscc", page=2, page_size=2))
    assert ([item.uscc for item in page.items], page.total, page.pages) == ([HARBIN_FOOD], 3, 2)


def test_export_returns_every_filtered_row(seeded: Session) -> None:
    rows = service.export_entities(seeded, SYSTEM, EntityFilter(local_producer=True), sort="name")
    assert [row.name for row in rows] == ["冰城食品有限公司", "南岗大米合作社"]


def test_entity_detail_lists_what_it_runs(seeded: Session) -> None:
    detail = service.entity_detail(seeded, SYSTEM, HARBIN_FOOD)
    assert detail.entity.founded_on == date(2015, 3, 1)
    assert [shop.shop_id for shop in detail.shops.items] == ["DY001"]
    assert [(s.streamer_id, s.phone) for s in detail.streamers.items] == [("ZB001", "138****5678")]
    assert [base.base_id for base in detail.bases.items] == ["B001"]


def test_shops_streamers_and_bases_by_key(seeded: Session) -> None:
    assert service.get_shop(seeded, SYSTEM, "kuaishou", "KS002").shop_name == "鹤城好物"
    assert service.get_streamer(seeded, SYSTEM, "douyin", "ZB002").phone == "139****4321"
    assert service.get_base(seeded, SYSTEM, "B001").level == "省级"
    with pytest.raises(NotFound):
        service.get_shop(seeded, SYSTEM, "douyin", "KS002")
