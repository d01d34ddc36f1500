"""Seasonality of online retail (销售季节性): the shopping festivals, the year's rhythm per kind of goods, growth,
weekends and the hour-of-day cycle of each channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from livecommerce.demo.scales import FIRST_DAY, LAST_DAY

# 春节 (Spring Festival) of each year: 年货节 runs in the weeks before it, parcels stop during the holiday.
SPRING_FESTIVAL = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6)}
# 中秋节 (Mid-Autumn): gift boxes (honey, ginseng, liquor, 红肠) sell in the fortnight before.
MID_AUTUMN = {2024: date(2024, 9, 17), 2025: date(2025, 10, 6), 2026: date(2026, 9, 25)}

# Month multipliers (Jan..Dec) of each seasonal profile a product carries (catalogue.Product.profile).
PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "harvest": (1.2, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.8, 1.1, 1.6, 1.7, 1.5),  # new rice, soybeans, pine nuts
    "summer_fresh": (0.25, 0.25, 0.3, 0.4, 0.6, 1.0, 2.6, 3.0, 1.6, 0.6, 0.35, 0.3),  # fresh blueberries, vegetables
    "gift": (1.6, 1.2, 0.8, 0.8, 0.9, 0.9, 0.8, 0.9, 1.3, 1.1, 1.1, 1.4),  # honey, ginseng, liquor, gift boxes
    "winter": (1.5, 1.0, 0.6, 0.4, 0.3, 0.3, 0.3, 0.4, 0.8, 1.5, 2.0, 1.8),  # down coats, heaters, 冻梨
    "ice_season": (3.0, 2.2, 0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.8, 3.0),  # 冰雪大世界, 亚布力 tickets
    "summer": (0.5, 0.5, 0.6, 0.8, 1.1, 1.4, 1.6, 1.5, 1.0, 0.8, 0.7, 0.5),  # 格瓦斯, beer, lake tours
}

# Relative orders per hour of the day (0..23) by channel; "live_start" is when sessions begin.
HOURS: dict[str, tuple[float, ...]] = {
    "shelf": (2, 1, 0.6, 0.4, 0.4, 0.6, 1.5, 3, 4, 5, 5.5, 5.5, 5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 6, 7, 7.5, 7, 4),
    "short_video": (2.5, 1.2, 0.6, 0.4, 0.4, 0.6, 1.5, 3, 3.5, 3.5, 3.5, 4, 5, 4.5, 3.5, 3.5, 3.5, 4, 5, 6.5, 7.5, 8, 7, 4.5),
    "live_start": (0.2, 0.1, 0, 0, 0.1, 0.5, 2, 4, 4, 3, 2, 2, 3, 2, 2, 2.5, 2.5, 3, 5, 7, 7, 4, 2, 0.8),
}

YEARLY_GROWTH = 1.2


def days() -> Iterator[date]:
    """Every day of the demo period, first to last."""
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += timedelta(days=1)


def _in(day: date, first: date, last: date) -> bool:
    return first <= day <= last


def festival_factor(day: date) -> float:
    """年货节, 38节, 618, 双11 and 双12 lift sales; the 春节 holiday and the summer lull lower them."""
    spring = SPRING_FESTIVAL[day.year + 1] if day.month >= 11 else SPRING_FESTIVAL[day.year]
    offset = (day - spring).days
    if -28 <= offset <= -4:
        return 1.5 + 0.5 * (offset + 28) / 24  # 年货节 ramps up to a week before 春节
    if -3 <= offset <= 6:
        return 0.55  # couriers stop for the holiday
    md = (day.month, day.day)
    if md == (11, 11):
        return 4.0
    if (10, 20) <= md <= (11, 10):
        return 1.5
    if (11, 12) <= md <= (11, 14):
        return 1.2
    if md == (6, 18):
        return 2.8
    if (6, 1) <= md <= (6, 20):
        return 1.4
    if md == (12, 12):
        return 1.8
    if (3, 1) <= md <= (3, 8):
        return 1.3
    if (7, 15) <= md <= (8, 31):
        return 0.85
    return 1.0


def mid_autumn_factor(day: date, profile: str) -> float:
    """Gift goods sell more in the fortnight before 中秋."""
    festival = MID_AUTUMN.get(day.year)
    if profile == "gift" and festival and _in(day, festival - timedelta(days=14), festival):
        return 1.8
    return 1.0


def day_weight(day: date, profile: str) -> float:
    """Relative orders of one day for goods of this profile: growth × weekday × festivals × month."""
    growth = YEARLY_GROWTH ** ((day - FIRST_DAY).days / 365)
    weekend = 1.08 if day.weekday() >= 5 else 1.0
    month = PROFILES[profile][day.month - 1]
    return float(growth * weekend * festival_factor(day) * month * mid_autumn_factor(day, profile))


def day_weights(profile: str) -> list[tuple[date, float]]:
    """Each day of the period with its relative weight for this profile."""
    return [(day, day_weight(day, profile)) for day in days()]
