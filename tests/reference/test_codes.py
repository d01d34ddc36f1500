"""Code lists accept the code or its Chinese name; the 地产品 categories are those of the glossary."""

from __future__ import annotations

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.reference.codes import CATEGORIES, CHANNELS, PLATFORMS, parse_bool


def test_local_categories_are_the_nine_of_the_glossary() -> None:
    local = [c.name for c in CATEGORIES if c.local]
    assert local == ["农作物产品", "林下产品", "畜牧产品", "水产品", "特色美食", "酒类产品", "工艺品特产", "中药材", "果蔬产品"]


@pytest.mark.parametrize(
    ("codes", "text", "code"),
    [
        (PLATFORMS, "抖音", "douyin"),
        (PLATFORMS, "JD", "jd"),
        (PLATFORMS, "视频号", "wechat_channels"),
        (CHANNELS, "直播", "live"),
        (CATEGORIES, "中药材", "herbal"),
    ],
)
def test_code_or_chinese_name(codes, text: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert codes.parse(text) == code


def test_unknown_code_names_the_accepted_ones() -> None:
    with pytest.raises(ValidationFailed, match="douyin, kuaishou"):
        PLATFORMS.parse("tiktok")


@pytest.mark.parametrize(("text", "value"), [("是", True), ("否", False), ("Y", True), ("n", False), ("1", True), ("false", False)])
def test_booleans(text: str, value: bool) -> None:
    assert parse_bool(text) is value
