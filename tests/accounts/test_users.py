"""Users: creation rules, scopes, the first administrator, audit lines (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from livecommerce.accounts import login, service, sessions
from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry, User
from livecommerce.core.db import session_scope
from livecommerce.core.errors import NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.scope import Grant
from livecommerce.core.settings import Settings
from livecommerce.reference.regions import regions

from .conftest import PASSWORD, valid_uscc


def audit_lines(action: str) -> list[AuditEntry]:
    with session_scope() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_password_is_stored_as_argon2_hash(admin: User) -> None:
    assert admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in admin.password_hash
    assert service.verify_password(admin.password_hash, PASSWORD)
    assert not service.verify_password(admin.password_hash, PASSWORD + "x")


def test_password_of_eleven_characters_is_refused_and_twelve_pass(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="密码至少12位"):
        make_user("short", "province_analyst", password="kq7#vp2!wz9")
    assert make_user("exactly12", "province_analyst", password="kq7#vp2!wz9m").must_change_password


def test_create_admin_generates_a_strong_password(registry_home: Settings) -> None:
    user, password = service.create_first_admin("root")
    assert user.role == "province_admin"
    assert len(password) >= 20
    assert service.verify_password(user.password_hash, password)


def test_create_admin_refuses_a_second_admin(admin: User) -> None:
    with pytest.raises(ValidationFailed, match="province_admin exists already"):
        service.create_first_admin("second")


def test_city_officer_needs_a_city(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="needs a city region"):
        make_user("nobody", "city_officer")
    with pytest.raises(ValidationFailed, match="is a county"):
        make_user("daoli", "city_officer", scope_region="230102")
    assert make_user("hrb", "city_officer", scope_region="哈尔滨").scope_region == "230100"


def test_county_officer_needs_a_county(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="is a city"):
        make_user("qqhr", "county_officer", scope_region="230200")
    assert make_user("daoli", "county_officer", scope_region="230102").scope_region == "230102"


def test_unknown_region_is_refused(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="unknown region"):
        make_user("beijing", "city_officer", scope_region="110100")


def test_enterprise_needs_a_valid_uscc(make_user: Callable[..., User]) -> None:
    good = valid_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed, match="统一社会信用代码"):
        make_user("shop", "enterprise", scope_entity=bad)
    assert make_user("shop", "enterprise", scope_entity=good).scope_entity == good


def test_unknown_role_and_duplicate_name_are_refused(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="unknown role"):
        make_user("x1", "superuser")
    with pytest.raises(ValidationFailed, match="taken"):
        make_user("admin", "province_analyst")


def test_only_users_manage_may_create(make_user: Callable[..., User]) -> None:
    analyst = service.actor_for(make_user("analyst", "province_analyst"))
    with session_scope() as session, pytest.raises(PermissionDenied):
        service.create_user(session, analyst, "other", "province_analyst", PASSWORD)


def test_creation_is_audited_without_hash_and_with_masked_phone(make_user: Callable[..., User]) -> None:
    user = make_user("hrb", "city_officer", scope_region="230100", phone="13812345678")
    line = audit_lines("users.create")[-1]
    after = json.loads(line.after or "{}")
    assert (line.actor, line.target_id, line.before) == ("admin", str(user.id), None)
    assert after["phone"] == "138****5678"
    assert "password_hash" not in after and PASSWORD not in (line.after or "")


def test_city_officer_of_harbin_cannot_list_a_qiqihar_user(make_user: Callable[..., User]) -> None:
    harbin = service.actor_for(make_user("hrb", "city_officer", scope_region="230100"))
    qiqihar = make_user("qqhr", "city_officer", scope_region="230200")
    with session_scope() as session:
        assert "qqhr" not in [user.username for user in service.list_users(session, harbin)]
        with pytest.raises(NotFound):
            service.get_user(session, harbin, qiqihar.id)


class RegionManager:
    """A stand-in actor that may manage users of one region only: restrict() must narrow by that region."""

    name = "region-manager"

    def __init__(self, code: str) -> None:
        self.regions = regions().descendants(code)

    def grant(self, action: str) -> Grant:
        return Grant(regions=self.regions, reason="test") if action == "users.manage" else Grant()


def test_a_region_grant_lists_only_users_of_that_region(make_user: Callable[..., User]) -> None:
    make_user("hrb", "city_officer", scope_region="230100")
    make_user("daoli", "county_officer", scope_region="230102")
    make_user("qqhr", "city_officer", scope_region="230200")
    with session_scope() as session:
        names = [user.username for user in service.list_users(session, RegionManager("230100"))]
    assert names == ["daoli", "hrb"]


def test_a_region_grant_cannot_create_province_wide_users(registry_home: Settings) -> None:
    with session_scope() as session, pytest.raises(PermissionDenied):
        service.create_user(session, RegionManager("230100"), "analyst", "province_analyst", PASSWORD)


def test_update_is_audited_with_before_and_after(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    user = make_user("hrb", "city_officer", scope_region="230100")
    with session_scope() as session:
        service.update_user(session, admin_actor, user.id, display_name="哈尔滨市商务局", scope_region="230200")
    line = audit_lines("users.update")[-1]
    before, after = json.loads(line.before or "{}"), json.loads(line.after or "{}")
    assert (before["scope_region"], after["scope_region"]) == ("230100", "230200")
    assert (before["display_name"], after["display_name"]) == ("", "哈尔滨市商务局")


def test_last_admin_cannot_be_deactivated(admin: User, admin_actor: UserActor) -> None:
    with session_scope() as session, pytest.raises(ValidationFailed, match="last active province_admin"):
        service.deactivate(session, admin_actor, admin.id)


def test_deactivated_user_cannot_log_in(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    user = make_user("analyst", "province_analyst")
    with session_scope() as session:
        assert not service.deactivate(session, admin_actor, user.id).active
    with session_scope() as session, pytest.raises(login.LoginFailed):
        login.authenticate(session, "analyst", PASSWORD)


def test_a_reset_password_replaces_the_old_one_and_must_be_changed(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    user = make_user("analyst", "province_analyst", must_change_password=False)
    with session_scope() as session:
        service.set_password(session, admin_actor, user.id, "a-new-password-2025")
    with session_scope() as session:
        again = login.authenticate(session, "analyst", "a-new-password-2025")
        assert again.id == user.id and again.must_change_password
    after = json.loads(audit_lines("users.set_password")[-1].after or "{}")
    assert after == {"password": "reset", "must_change_password": True, "tokens_revoked": [], "keep_tokens": False}


def test_a_reset_ends_sessions_and_revokes_tokens_unless_kept(admin_actor: UserActor, make_user: Callable[..., User]) -> None:
    feed = make_user("douyin", "platform")
    with session_scope() as session:
        kept = sessions.issue_token(session, admin_actor, feed.id, "抖音").token
        cookie, _ = sessions.start_session(session, session.get(User, feed.id))
    with session_scope() as session:
        service.set_password(session, admin_actor, feed.id, "a-new-password-2025", keep_tokens=True)
    with session_scope() as session:
        assert sessions.resolve_session(session, cookie) is None
        assert sessions.resolve_token(session, kept) is not None
        service.set_password(session, admin_actor, feed.id, "another-password-2026")
    with session_scope() as session:
        assert sessions.resolve_token(session, kept) is None


def test_change_own_password_needs_the_current_one_and_the_policy(make_user: Callable[..., User]) -> None:
    user = make_user("analyst", "province_analyst")
    with session_scope() as session:
        keep, _ = sessions.start_session(session, session.get(User, user.id))
        other, _ = sessions.start_session(session, session.get(User, user.id))
        keep_id = sessions.resolve_session(session, keep)[1].id  # type: ignore[index]
    for current, new, rule in [
        ("wrong-password-1", "a-new-password-2025", "当前密码不正确"),
        (PASSWORD, PASSWORD, "新密码不能与当前密码相同"),
        (PASSWORD, "analyst-2025-x", "不得包含用户名"),
    ]:
        with session_scope() as session, pytest.raises(ValidationFailed, match=rule):
            service.change_own_password(session, user.id, current, new)
    with session_scope() as session:
        changed = service.change_own_password(session, user.id, PASSWORD, "a-new-password-2025", keep_session=keep_id)
        assert not changed.must_change_password
    with session_scope() as session:
        assert sessions.resolve_session(session, keep) is not None and sessions.resolve_session(session, other) is None
    assert [line.outcome for line in audit_lines("users.change_password")] == ["failed", "failed", "failed", "ok"]


def test_phone_longer_than_the_column_is_refused(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationFailed, match="phone at most 20"):
        make_user("analyst", "province_analyst", phone="1" * 21)
    assert make_user("analyst", "province_analyst", phone=" 13812345678 ").phone == "13812345678"
