"""The demo's accounts (演示账户): a city officer, an auditor and a platform feed with an API token, so that
系统管理 shows users and tokens and 审计日志 has their creation. Their passwords are generated and not shown: the
administrator resets one on 系统管理 to log in as that user (the password must then be changed at first login)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from livecommerce.accounts import service, sessions
from livecommerce.core.errors import NotFound
from livecommerce.core.scope import SystemActor

DEMO = SystemActor(name="demo")
ACCOUNTS = (
    ("hrb-officer", "city_officer", "230100", "哈尔滨市商务局 电商科"),
    ("auditor", "auditor", None, "省商务厅 审计监督"),
    ("douyin-feed", "platform", None, "抖音数据推送接口"),
)
FEED_TOKEN = ("douyin-feed", "抖音数据推送（演示）")


def _exists(session: Session, username: str) -> bool:
    try:
        service.get_user_by_username(session, DEMO, username)
    except NotFound:
        return False
    return True


def seed_accounts(session: Session) -> list[str]:
    """Create the demo's accounts that do not exist yet (and the feed's token); the names created."""
    created = []
    for username, role, region, display_name in ACCOUNTS:
        if _exists(session, username):
            continue
        user = service.create_user(
            session, DEMO, username, role, service.generate_password(), scope_region=region, display_name=display_name
        )
        created.append(username)
        if username == FEED_TOKEN[0]:
            sessions.issue_token(session, DEMO, user.id, FEED_TOKEN[1])
    return created
