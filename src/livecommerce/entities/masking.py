"""Masks for personal data the registry holds beyond what core/privacy.py covers (DESIGN.md: Personal data)."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    """A person's real name with all but its first character hidden: '张三丰' → '张**'; None stays None."""
    if name is None:
        return None
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1)
