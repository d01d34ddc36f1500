"""Personal data (个人信息) masking: phone and ID numbers are masked in every response and export (DESIGN.md)."""

from __future__ import annotations


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters; a value too short to keep both is all stars."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_phone(phone: str | None) -> str | None:
    """A phone number with its middle hidden: '13812345678' → '138****5678'; None stays None."""
    if phone is None:
        return None
    return _mask(phone.strip(), 3, 4)


def mask_id_number(id_number: str | None) -> str | None:
    """An ID number (身份证号) with the first 6 and last 4 kept: '110101********1234'; None stays None."""
    if id_number is None:
        return None
    return _mask(id_number.strip(), 6, 4)


def mask_name(name: str | None) -> str | None:
    """A person's real name with all but its first character hidden: '张三丰' → '张**'; None stays None."""
    if name is None:
        return None
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1)
