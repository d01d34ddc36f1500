"""Registry test data: actors and a small province, small enough to check by hand.

The seeded registry, small enough to check by hand:

  uscc                 name              kind         region             above_quota local_producer
  91230102MA1B000018   冰城食品有限公司    enterprise   230102 哈尔滨市道里区  yes         yes
  93230103MA1B00003N   南岗大米合作社      cooperative  230103 哈尔滨市南岗区  no          yes
  91230202MA1B00002G   鹤城直播MCN有限公司  mcn          230202 齐齐哈尔市龙沙区 no          no

  shops:     douyin/DY001 (冰城食品, 道里), kuaishou/KS002 (鹤城MCN, 龙沙)
  streamers: douyin/ZB001 (冰城食品, 道里, 13812345678, 张三), douyin/ZB002 (鹤城MCN, 龙沙, 13987654321, 李四)
  bases:     B001 哈尔滨直播基地 (operator 冰城食品, 道里, 省级)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.scope import SystemActor
from livecommerce.entities.upsert import upsert_rows

HARBIN_FOOD = "91230102MA1B000018"
NANGANG_COOP = "93230103MA1B00003N"
QIQIHAR_MCN = "91230202MA1B00002G"

SYSTEM = SystemActor()
HARBIN_OFFICER = UserActor(user_id=1, name="hrb_officer", role="city_officer", scope_region="230100")
ENTERPRISE = UserActor(user_id=2, name="bingcheng", role="enterprise", scope_entity=HARBIN_FOOD)
INSPECTOR = UserActor(user_id=3, name="inspector", role="inspector")

ENTITY_ROWS: list[dict[str, Any]] = [
    {
        "uscc": HARBIN_FOOD,
        "name": "冰城食品有限公司",
        "kind": "enterprise",
        "region": "230102",
        "above_quota": True,
        "local_producer": True,
        "founded_on": date(2015, 3, 1),
    },
    {
        "uscc": NANGANG_COOP,
        "name": "南岗大米合作社",
        "kind": "cooperative",
        "region": "230103",
        "above_quota": False,
        "local_producer": True,
        "founded_on": None,
    },
    {
        "uscc": QIQIHAR_MCN,
        "name": "鹤城直播MCN有限公司",
        "kind": "mcn",
        "region": "230202",
        "above_quota": False,
        "local_producer": False,
        "founded_on": date(2020, 6, 18),
    },
]
SHOP_ROWS: list[dict[str, Any]] = [
    {
        "platform": "douyin",
        "shop_id": "DY001",
        "shop_name": "冰城食品旗舰店",
        "uscc": HARBIN_FOOD,
        "region": "230102",
        "opened_on": date(2021, 1, 5),
    },
    {"platform": "kuaishou", "shop_id": "KS002", "shop_name": "鹤城好物", "uscc": QIQIHAR_MCN, "region": "230202", "opened_on": None},
]
STREAMER_ROWS: list[dict[str, Any]] = [
    {
        "platform": "douyin",
        "streamer_id": "ZB001",
        "nickname": "冰城小张",
        "uscc": HARBIN_FOOD,
        "region": "230102",
        "real_name": "张三",
        "phone": "13812345678",
        "followers": 1200,
    },
    {
        "platform": "douyin",
        "streamer_id": "ZB002",
        "nickname": "鹤城老李",
        "uscc": QIQIHAR_MCN,
        "region": "230202",
        "real_name": "李四",
        "phone": "13987654321",
        "followers": 56000,
    },
]
BASE_ROWS: list[dict[str, Any]] = [
    {
        "base_id": "B001",
        "name": "哈尔滨直播基地",
        "operator_uscc": HARBIN_FOOD,
        "region": "230102",
        "level": "省级",
        "address": "哈尔滨市道里区友谊路1号",
    },
]


def seed(session: Session) -> None:
    """Load the small province through the bulk upsert, as the system, and commit."""
    for feed, rows in (("entities", ENTITY_ROWS), ("shops", SHOP_ROWS), ("streamers", STREAMER_ROWS), ("bases", BASE_ROWS)):
        upsert_rows(session, feed, [dict(row) for row in rows], SYSTEM)
    session.commit()


def audit_lines(session: Session, action: str | None = None) -> list[AuditEntry]:
    """The audit log, oldest first, optionally of one action."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query))
