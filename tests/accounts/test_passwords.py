"""The password policy, rule by rule, at its boundaries; generated passwords always pass it."""

from __future__ import annotations

import pytest

from livecommerce.accounts import passwords
from livecommerce.accounts.passwords import generate_password, policy_problem


@pytest.mark.parametrize(
    "password",
    ["correct-horse-battery", "harbin-officer-2025", "kq7#vp2!wz9m", "龙江直播-sunflower", "冰城夏都2026年7月份", "Tr0ub4dor&3-horse"],
)
def test_good_passwords_pass(password: str) -> None:
    assert policy_problem(password, "hrb") is None


def test_eleven_characters_are_refused_and_twelve_pass() -> None:
    assert policy_problem("kq7#vp2!wz9") == "密码至少12位 (a password needs at least 12 characters)"
    assert policy_problem("kq7#vp2!wz9m") is None


def test_more_than_256_characters_are_refused() -> None:
    assert "至多256位" in (policy_problem("kq7#vp2!wz9m" * 22) or "")  # 264 characters
    assert policy_problem(("kq7#vp2!wz9m" * 22)[:256]) is None


@pytest.mark.parametrize("password", [" " * 12, "abcdefghijklmnop", "839201748302", "!@#$%^&*()_+-=", "龙江直播电商监测服务平台"])
def test_one_class_only_is_refused(password: str) -> None:
    assert "至少两类" in (policy_problem(password) or "")


def test_chinese_characters_are_letters() -> None:
    assert passwords.character_classes("龙江2026") == {"letters", "digits"}
    assert passwords.character_classes("龙江 !") == {"letters", "other"}


@pytest.mark.parametrize(
    ("password", "username"), [("harbin-officer-2025", "harbin"), ("my-HARBIN-2025!", "Harbin"), ("zhang.san@2025x", "zhang.san")]
)
def test_the_username_may_not_be_in_the_password(password: str, username: str) -> None:
    assert policy_problem(password, username) == "密码不得包含用户名 (a password may not be or contain the username)"


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "1q2w3e4r5t6y", "iloveyou2012"])
def test_common_passwords_are_refused(password: str) -> None:
    problem = policy_problem(password) or ""
    assert "常见密码" in problem or "过于简单" in problem, password


def test_the_common_list_is_zxcvbns_own() -> None:
    common = passwords.common_passwords()
    assert len(common) == 30_000 and "password1234" in common and "qazwsxedc123" in common
    assert policy_problem("password1234") == "密码属于常见密码 (the password is in the list of common passwords)"


@pytest.mark.parametrize("password", ["asdfghjkl;12", "1qaz2wsx3edc4", "aaaaaaaa1111", "abcabcabc123", "2025-01-01abc"])
def test_runs_repeats_and_dates_outside_the_list_are_refused_by_the_score(password: str) -> None:
    assert password not in passwords.common_passwords()
    assert "过于简单" in (policy_problem(password) or "")


def test_generated_passwords_always_pass() -> None:
    drawn = {generate_password("admin") for _ in range(300)}
    assert len(drawn) == 300 and all(policy_problem(password, "admin") is None for password in drawn)


def test_hash_password_refuses_a_weak_one_with_the_rule() -> None:
    with pytest.raises(passwords.WeakPassword, match="至少两类"):
        passwords.hash_password("a" * 20)
    assert passwords.hash_password("kq7#vp2!wz9m").startswith("$argon2id$")
