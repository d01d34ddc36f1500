"""The demo's accounts: a city officer of 哈尔滨, an auditor and a feed with one token; a second run adds nothing."""

from __future__ import annotations

from livecommerce.accounts import service, sessions
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.demo.accounts import seed_accounts


def test_the_demo_accounts_are_made_once_with_the_feeds_token(home) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        assert seed_accounts(session) == ["hrb-officer", "auditor", "douyin-feed"]
    with session_scope() as session:
        assert seed_accounts(session) == []
        officer = service.get_user_by_username(session, SystemActor(), "hrb-officer")
        tokens = sessions.list_tokens(session, SystemActor())
        assert (officer.role, officer.scope_region, officer.must_change_password) == ("city_officer", "230100", True)
        assert [(user.username, row.name) for row, user in tokens] == [("douyin-feed", "抖音数据推送（演示）")]
