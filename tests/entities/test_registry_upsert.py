"""The bulk upsert ingest calls for registry feeds: natural keys, counts, idempotence, audit, owners, scope."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from registry_data import (
    ENTITY_ROWS,
    HARBIN_FOOD,
    HARBIN_OFFICER,
    QIQIHAR_MCN,
    SHOP_ROWS,
    STREAMER_ROWS,
    SYSTEM,
    audit_lines,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc

from livecommerce.accounts.models import AuditEntry
from livecommerce.core.errors import PermissionDenied, ValidationFailed
from livecommerce.entities import service
from livecommerce.entities.models import Entity, Shop
from livecommerce.entities.service import UpsertCounts, upsert_rows


def rows(template: list[dict[str, object]]) -> list[dict[str, object]]:
    return [dict(row) for row in template]


def test_first_import_inserts_every_row(session: Session) -> None:
    assert upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM) == UpsertCounts(inserted=3)
    assert len(audit_lines(session, "entity.import")) == 3


def test_importing_the_same_rows_twice_changes_nothing(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    session.commit()
    lines_before = len(audit_lines(session))
    assert upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM) == UpsertCounts(unchanged=3)
    session.commit()
    assert len(audit_lines(session)) == lines_before


def test_a_changed_row_replaces_the_stored_one_and_is_audited(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    session.commit()
    changed = rows(ENTITY_ROWS)
    changed[2]["above_quota"] = True
    assert upsert_rows(session, "entities", changed, SYSTEM) == UpsertCounts(replaced=1, unchanged=2)
    session.commit()
    assert session.get(Entity, QIQIHAR_MCN).above_quota is True  # type: ignore[union-attr]
    [line] = audit_lines(session, "entity.replace")
    assert line.target_id == QIQIHAR_MCN
    assert (json.loads(line.before or "")["above_quota"], json.loads(line.after or "")["above_quota"]) == (False, True)


def test_a_later_row_in_the_same_batch_replaces_the_earlier(session: Session) -> None:
    first, second = dict(ENTITY_ROWS[0]), {**ENTITY_ROWS[0], "name": "冰城食品股份有限公司"}
    assert upsert_rows(session, "entities", [first, second, dict(second)], SYSTEM) == UpsertCounts(1, 1, 1)
    assert service.get_entity(session, SYSTEM, HARBIN_FOOD).name == "冰城食品股份有限公司"


def test_optional_columns_get_their_defaults(session: Session) -> None:
    row = {"uscc": HARBIN_FOOD, "name": "冰城食品有限公司", "kind": "enterprise", "region": "230102"}
    upsert_rows(session, "entities", [row], SYSTEM)
    stored = service.get_entity(session, SYSTEM, HARBIN_FOOD)
    assert (stored.above_quota, stored.local_producer, stored.founded_on) == (False, False, None)


def test_shops_are_keyed_by_platform_and_shop_id(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    assert upsert_rows(session, "shops", rows(SHOP_ROWS), SYSTEM) == UpsertCounts(inserted=2)
    renamed = [{**SHOP_ROWS[0], "shop_name": "冰城食品官方旗舰店"}]
    assert upsert_rows(session, "shops", renamed, SYSTEM) == UpsertCounts(replaced=1)
    same_id_other_platform = [{**SHOP_ROWS[0], "platform": "taobao"}]
    assert upsert_rows(session, "shops", same_id_other_platform, SYSTEM) == UpsertCounts(inserted=1)
    assert session.scalar(select(func.count()).select_from(Shop)) == 3
    assert service.get_shop(session, SYSTEM, "douyin", "DY001").shop_name == "冰城食品官方旗舰店"


def test_a_shop_of_an_unregistered_entity_is_refused(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS[:1]), SYSTEM)
    with pytest.raises(ValidationFailed, match="kuaishou/KS002") as caught:
        upsert_rows(session, "shops", rows(SHOP_ROWS), SYSTEM)
    [problem] = caught.value.problems
    assert (problem.column, problem.value) == ("uscc", QIQIHAR_MCN)
    assert session.scalar(select(func.count()).select_from(Shop)) == 0


def test_a_shop_without_an_owner_is_kept(session: Session) -> None:
    counts = upsert_rows(session, "shops", [{**SHOP_ROWS[0], "uscc": None}], SYSTEM)
    assert counts == UpsertCounts(inserted=1)


def test_streamer_audit_lines_mask_personal_data(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    upsert_rows(session, "streamers", rows(STREAMER_ROWS[:1]), SYSTEM)
    upsert_rows(session, "streamers", [{**STREAMER_ROWS[0], "phone": "13800001111"}], SYSTEM)
    [inserted] = audit_lines(session, "streamer.import")
    [replaced] = audit_lines(session, "streamer.replace")
    assert (json.loads(inserted.after or "")["phone"], json.loads(inserted.after or "")["real_name"]) == ("138****5678", "张*")
    assert (json.loads(replaced.before or "")["phone"], json.loads(replaced.after or "")["phone"]) == ("138****5678", "138****1111")
    assert replaced.target_id == "douyin/ZB001"


def test_bases_are_keyed_by_base_id(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    base = {"base_id": "B002", "name": "鹤城电商园", "operator_uscc": None, "region": "230202", "level": None}
    assert upsert_rows(session, "bases", [base], SYSTEM) == UpsertCounts(inserted=1)
    assert service.get_base(session, SYSTEM, "B002").level == ""


def test_an_unknown_feed_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="not a registry feed"):
        upsert_rows(session, "orders", [], SYSTEM)


def test_a_city_officer_may_not_import_another_citys_rows(session: Session) -> None:
    with pytest.raises(PermissionDenied, match=QIQIHAR_MCN):
        upsert_rows(session, "entities", rows(ENTITY_ROWS), HARBIN_OFFICER)
    assert upsert_rows(session, "entities", rows(ENTITY_ROWS[:2]), HARBIN_OFFICER) == UpsertCounts(inserted=2)


def test_a_city_officer_may_not_take_over_another_citys_entity(session: Session) -> None:
    upsert_rows(session, "entities", rows(ENTITY_ROWS), SYSTEM)
    moved = [{**ENTITY_ROWS[2], "region": "230102"}]
    with pytest.raises(PermissionDenied):
        upsert_rows(session, "entities", moved, HARBIN_OFFICER)


def province_of(count: int) -> list[dict[str, object]]:
    """``count`` distinct valid entities spread over 哈尔滨's and 齐齐哈尔's districts."""
    made = []
    for number in range(count):
        body = f"9123010{number % 2}MA{number:07d}"
        made.append(
            {
                "uscc": body + stdnum_uscc.calc_check_digit(body),
                "name": f"测试企业{number}",
                "kind": "enterprise",
                "region": ("230102", "230202")[number % 2],
                "above_quota": False,
                "local_producer": number % 3 == 0,
                "founded_on": date(2020, 1, 1),
            }
        )
    return made


@pytest.mark.slow
def test_twenty_two_thousand_entities_import_in_seconds(session: Session) -> None:
    batch = province_of(22_000)
    started = time.perf_counter()
    assert upsert_rows(session, "entities", batch, SYSTEM) == UpsertCounts(inserted=22_000)
    session.commit()
    first = time.perf_counter() - started
    batch[0]["name"] = "改名企业"
    started = time.perf_counter()
    assert upsert_rows(session, "entities", batch, SYSTEM) == UpsertCounts(replaced=1, unchanged=21_999)
    again = time.perf_counter() - started
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 22_001
    assert first < 30 and again < 10, f"first import {first:.1f}s, second {again:.1f}s"
