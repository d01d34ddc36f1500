"""Pydantic schemas of the registry, one per purpose, with bounds on every field.

Input types accept what the feeds accept (DESIGN.md: Feeds): a region by code, 全称 or 简称 (stored as the code),
an entity kind by code or Chinese name, a 统一社会信用代码 with separators (stored compact, check digit verified).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, computed_field, field_validator
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.privacy import mask_name, mask_phone
from livecommerce.reference.codes import ENTITY_KINDS, PLATFORMS
from livecommerce.reference.regions import regions

EARLIEST_FOUNDING = date(1900, 1, 1)
MAX_PAGE_SIZE = 200


def parse_uscc(value: object) -> str:
    """A valid 统一社会信用代码, compact and upper-case; ValueError naming the broken rule otherwise."""
    if not isinstance(value, str):
        raise ValueError("统一社会信用代码 must be text")
    try:
        return str(stdnum_uscc.validate(value))
    except StdnumError as exc:
        raise ValueError(f"{value!r} is not a valid 统一社会信用代码: {exc}") from exc


def parse_region(value: object) -> str:
    """The 6-digit code of a region of Heilongjiang given by code, 全称 or 简称; unknown ones are rejected."""
    try:
        return regions().find(str(value)).code
    except LiveCommerceError as exc:
        raise ValueError(str(exc)) from exc


def parse_kind(value: object) -> str:
    """The code of an entity kind (主体类型) given by code or Chinese name."""
    try:
        return ENTITY_KINDS.parse(str(value))
    except LiveCommerceError as exc:
        raise ValueError(str(exc)) from exc


def parse_platform(value: object) -> str:
    """The code of a platform (平台) given by code or Chinese name."""
    try:
        return PLATFORMS.parse(str(value))
    except LiveCommerceError as exc:
        raise ValueError(str(exc)) from exc


USCC = Annotated[str, BeforeValidator(parse_uscc), Field(min_length=18, max_length=18)]
RegionCode = Annotated[str, BeforeValidator(parse_region), Field(min_length=6, max_length=6)]
EntityKind = Annotated[str, BeforeValidator(parse_kind), Field(max_length=32)]
Platform = Annotated[str, BeforeValidator(parse_platform), Field(max_length=32)]
EntityName = Annotated[str, Field(min_length=1, max_length=200)]
SearchText = Annotated[str, Field(min_length=1, max_length=100)]


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError(f"成立日期 {value} lies in the future")
    return value


FoundedOn = Annotated[date, Field(ge=EARLIEST_FOUNDING), AfterValidator(_not_in_future)]


class EntityCreate(BaseModel):
    """A new market entity (市场主体) entered by a person."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    uscc: USCC
    name: EntityName
    kind: EntityKind
    region: RegionCode
    above_quota: bool = False
    local_producer: bool = False
    founded_on: FoundedOn | None = None


class EntityUpdate(BaseModel):
    """The fields of an entity a person may change; the USCC never changes (it is the key)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: EntityName | None = None
    kind: EntityKind | None = None
    region: RegionCode | None = None
    above_quota: bool | None = None
    local_producer: bool | None = None
    founded_on: FoundedOn | None = None


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class _Query(BaseModel):
    """Paging shared by every list; an empty form field means "no filter"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)


EntitySort = Literal["uscc", "-uscc", "name", "-name", "kind", "-kind", "region", "-region", "founded_on", "-founded_on"]


class EntityFilter(BaseModel):
    """Which entities to list: region (with every division below it), kind, flags, part of the name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region: RegionCode | None = None
    kind: EntityKind | None = None
    above_quota: bool | None = None
    local_producer: bool | None = None
    name: SearchText | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)


class EntityQuery(_Query, EntityFilter):
    """A page of entities: filters, sort (a leading '-' sorts descending) and paging."""

    sort: EntitySort = "uscc"

    def filters(self) -> EntityFilter:
        """The filter part alone (what an export takes)."""
        return EntityFilter(**self.model_dump(include=set(EntityFilter.model_fields)))


class ShopQuery(_Query):
    """A page of shops, by region, platform, owning entity or part of the shop name."""

    region: RegionCode | None = None
    platform: Platform | None = None
    uscc: USCC | None = None
    name: SearchText | None = None


class StreamerQuery(_Query):
    """A page of streamers, by region, platform, signing entity or part of the nickname."""

    region: RegionCode | None = None
    platform: Platform | None = None
    uscc: USCC | None = None
    name: SearchText | None = None


class BaseQuery(_Query):
    """A page of live-streaming bases, by region, operator, level or part of the name."""

    region: RegionCode | None = None
    operator_uscc: USCC | None = None
    level: Annotated[str, Field(max_length=20)] | None = None
    name: SearchText | None = None


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    region_code: str = Field(min_length=6, max_length=6)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def region_name(self) -> str:
        """全称 of the region (佳木斯市向阳区 for a county)."""
        return regions().full_name(self.region_code)


class EntityPublic(_Public):
    """A market entity as every reader sees it."""

    uscc: str = Field(min_length=18, max_length=18)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    above_quota: bool
    local_producer: bool
    founded_on: date | None = None
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_name(self) -> str:
        return ENTITY_KINDS.label(self.kind)


class _OnPlatform(_Public):
    platform: str = Field(max_length=32)
    uscc: str | None = Field(default=None, max_length=18)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def platform_name(self) -> str:
        return PLATFORMS.label(self.platform)


class ShopPublic(_OnPlatform):
    """An online shop (网店) as every reader sees it."""

    id: int = Field(ge=1)
    shop_id: str = Field(max_length=64)
    shop_name: str = Field(max_length=200)
    opened_on: date | None = None


class StreamerPublic(_OnPlatform):
    """A streamer (主播) as every reader sees it: real name and phone are masked (DESIGN.md: Personal data)."""

    id: int = Field(ge=1)
    streamer_id: str = Field(max_length=64)
    nickname: str = Field(max_length=200)
    real_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    followers: int = Field(default=0, ge=0)

    @field_validator("real_name", mode="after")
    @classmethod
    def _mask_name(cls, value: str | None) -> str | None:
        return mask_name(value)

    @field_validator("phone", mode="after")
    @classmethod
    def _mask_phone(cls, value: str | None) -> str | None:
        return mask_phone(value)


class BasePublic(_Public):
    """A live-streaming base (直播基地/园区) as every reader sees it."""

    base_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    operator_uscc: str | None = Field(default=None, max_length=18)
    level: str = Field(default="", max_length=20)
    address: str | None = Field(default=None, max_length=200)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the size of the whole list."""

    items: list[T]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        """How many pages the whole list has (at least one, so an empty list still shows page 1 of 1)."""
        return max(1, -(-self.total // self.page_size))


class EntityDetail(BaseModel):
    """An entity with what it runs: its shops, streamers and bases (each the first page, within the reader's scope)."""

    entity: EntityPublic
    shops: Page[ShopPublic]
    streamers: Page[StreamerPublic]
    bases: Page[BasePublic]
