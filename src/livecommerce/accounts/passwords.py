"""Passwords (密码): the policy every new password must pass, hashing with argon2id, and generated passwords.

The policy (docs/security.md): at least 12 characters; characters of at least two classes, where a class is
letters (anything ``str.isalpha`` calls a letter: Latin, Cyrillic, Chinese characters …), digits (``str.isdigit``)
or other (punctuation, symbols, spaces); not the username nor containing it (case-insensitively); not one of the
30,000 most common passwords of zxcvbn's bundled list, and rated at least 3 of 4 by zxcvbn (no keyboard runs,
repeats, dates or a common word with a digit).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from livecommerce.core.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_CLASSES = 2
MIN_SCORE = 3  # zxcvbn's 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario"
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters are rated

hasher = PasswordHasher()


class WeakPassword(ValidationFailed):
    """A password the policy refuses; the message names the rule in Chinese and English."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """zxcvbn's bundled list of the 30,000 most common passwords (lower case)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def character_classes(password: str) -> set[str]:
    """Which of the classes letters, digits and other the password's characters belong to."""
    return {"letters" if char.isalpha() else "digits" if char.isdigit() else "other" for char in password}


def policy_problem(password: str, username: str = "") -> str | None:
    """The rule a password breaks (Chinese and English), or None when it passes the policy."""
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位 (a password needs at least {MIN_LENGTH} characters)"
    if len(password) > MAX_LENGTH:
        return f"密码至多{MAX_LENGTH}位 (a password has at most {MAX_LENGTH} characters)"
    if len(character_classes(password)) < MIN_CLASSES:
        return "密码须包含字母、数字、其他符号中的至少两类 (a password needs characters of at least two classes: letters, digits, other)"
    name = username.strip().casefold()
    if name and name in password.casefold():
        return "密码不得包含用户名 (a password may not be or contain the username)"
    if password.casefold() in common_passwords():
        return "密码属于常见密码 (the password is in the list of common passwords)"
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=[name] if name else [])["score"] < MIN_SCORE:
        return (
            "密码过于简单，容易被猜中（如键盘序列、重复字符、日期或常见词加数字） "
            "(the password is too easy to guess: keyboard runs, repeats, dates or a common word with digits)"
        )
    return None


def check_policy(password: str, username: str = "") -> None:
    """Raise WeakPassword naming the broken rule, unless the password passes the policy."""
    problem = policy_problem(password, username)
    if problem is not None:
        raise WeakPassword(problem)


def hash_password(password: str, username: str = "") -> str:
    """The argon2id hash of a password that passes the policy (WeakPassword otherwise)."""
    check_policy(password, username)
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (False for a malformed hash, never an exception)."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash checked against when no password is checked for real (unknown user, locked, throttled), so the
    answer takes as long as a real check."""
    return hasher.hash(secrets.token_urlsafe(16))


def generate_password(username: str = "") -> str:
    """A strong random password (24 URL-safe characters) that always passes the policy; shown once, never stored."""
    while True:
        password = secrets.token_urlsafe(18)
        if policy_problem(password, username) is None:
            return password
