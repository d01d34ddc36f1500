"""A question to the statistics (统计查询): which indicator, over which days, cut by what, compared with what, for
which region and attribution. Checked when made: an unknown indicator, dimension or region, or a cut the indicator's
source does not carry, is refused with the reason (docs/stats.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from livecommerce.core.errors import ValidationFailed
from livecommerce.reference.regions import regions
from livecommerce.stats.indicators import DIMENSIONS, check_cut, get_indicator, parse_dimensions
from livecommerce.stats.periods import Range
from livecommerce.warehouse.measures import SALES

ACTION = "stats.read"
ATTRIBUTIONS = {"seller": "region", "ship_from": "ship_region"}
CODE_COLUMNS = {
    "category": "category",
    "local": "local_product",
    "platform": "platform",
    "channel": "channel",
    "cross_border": "cross_border",
    "entity_kind": "seller_key",
}
UNREGISTERED = "unregistered"


@dataclass(frozen=True)
class Query:
    """One question: an indicator, a range, the cuts, and what to compare with."""

    indicator: str
    range: Range
    by: tuple[str, ...] = ()
    region: str | None = None  # only this region and the regions under it
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # dimension → codes kept
    compare: str | None = None  # yoy | mom
    share: bool = False
    attribution: str = "seller"  # seller (seller_region) | ship_from (ship_from_region)

    def __post_init__(self) -> None:
        indicator = get_indicator(self.indicator)
        object.__setattr__(self, "by", parse_dimensions(self.by))
        check_cut(indicator, self.by)
        check_cut(indicator, tuple(self.filters))
        if self.compare not in (None, "yoy", "mom"):
            raise ValidationFailed(f"--compare {self.compare!r}: yoy or mom")
        if self.attribution not in ATTRIBUTIONS:
            raise ValidationFailed(f"attribution {self.attribution!r}: seller or ship_from")
        if self.attribution == "ship_from" and indicator.source != SALES:
            raise ValidationFailed(f"{indicator.id} has no ship_from_region: attribution is by its region only")
        if self.region is not None:
            regions().get(self.region)  # unknown codes are refused, never guessed
        if self.share and not indicator.additive:
            raise ValidationFailed(f"{indicator.id} ({indicator.zh}) is not additive: a share of its parent means nothing")

    @property
    def time_grain(self) -> str | None:
        return next((d for d in self.by if DIMENSIONS[d].is_time), None)

    @property
    def region_level(self) -> str | None:
        return next((d for d in self.by if DIMENSIONS[d].is_region), None)
