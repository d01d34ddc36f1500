"""Masking of personal data (DESIGN.md: Personal data)."""

from __future__ import annotations

from livecommerce.core.privacy import mask_id_number, mask_phone


def test_mobile_keeps_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_phone_with_spaces_around_is_trimmed() -> None:
    assert mask_phone(" 13812345678 ") == "138****5678"


def test_short_or_missing_phone_does_not_leak() -> None:
    assert mask_phone(None) is None
    assert mask_phone("") == ""
    assert mask_phone("1234567") == "*******"
    assert mask_phone("12345678") == "123*5678"


def test_id_number_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_id_number("11010119900307123X") == "110101********123X"


def test_short_or_missing_id_number_does_not_leak() -> None:
    assert mask_id_number(None) is None
    assert mask_id_number("1101011234") == "**********"
