"""The 主体库 table as people read it, declared once (core.web.tables): Chinese column headers, the sortable columns
and the filters of the page, and the same columns in the XLSX export and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from livecommerce.core.web.tables import Filter, Table, TableColumn, field_of
from livecommerce.core.web.writer import Sheet, xlsx_bytes_counted
from livecommerce.entities.schemas import EntityPublic

ENTITY_TABLE = Table(
    "主体库",
    (
        TableColumn("uscc", "统一社会信用代码", width=22, sortable=True),
        TableColumn("name", "名称", width=36, sortable=True),
        TableColumn("kind_name", "类型", width=14, sortable=True, sort_name="kind"),
        TableColumn("region_name", "所在地区", width=22, sortable=True, sort_name="region"),
        TableColumn("above_quota", "限上在统", width=10),
        TableColumn("local_producer", "地产品生产企业", width=14),
        TableColumn("founded_on", "成立日期", width=12, sortable=True),
    ),
    (
        Filter("region", "地区", max_length=20),
        Filter("kind", "类型", max_length=40),
        Filter("name", "名称"),
        Filter("above_quota", "限上在统", "flag"),
        Filter("local_producer", "地产品生产企业", "flag"),
    ),
    default_sort="uscc",
)
"""主体库: filtered and sorted by entities.service (SQL, the viewer's scope), 50 a page; region and
kind (a code or its Chinese name) are checked by its schema, EntityQuery."""

SHOP_TABLE = Table(
    "网店",
    (
        TableColumn("platform_name", "平台"),
        TableColumn("shop_id", "店铺ID"),
        TableColumn("shop_name", "店铺名称"),
        TableColumn("region_name", "所在地区"),
        TableColumn("opened_on", "开店日期", kind="date"),
    ),
)
STREAMER_TABLE = Table(
    "签约主播",
    (
        TableColumn("platform_name", "平台"),
        TableColumn("streamer_id", "主播ID"),
        TableColumn("nickname", "昵称"),
        TableColumn("region_name", "所在地区"),
        TableColumn("real_name", "真实姓名", personal="name"),
        TableColumn("phone", "手机号", personal="phone"),
        TableColumn("followers", "粉丝数", kind="int"),
    ),
)
BASE_TABLE = Table(
    "直播基地",
    (
        TableColumn("base_id", "基地编号"),
        TableColumn("name", "基地名称"),
        TableColumn("level", "级别"),
        TableColumn("region_name", "所在地区"),
        TableColumn("address", "地址"),
    ),
)
"""An entity's shops, streamers (personal data masked) and bases, as its page lists them."""


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def day(value: date | None) -> str:
    """A date as 2025-01-31, or an empty cell."""
    return value.isoformat() if value else ""


def _text(column: TableColumn) -> Callable[[EntityPublic], str]:
    """A column's cell as text (the CLI's table): 是/否 for a flag, ISO for a date."""

    def text(entity: EntityPublic) -> str:
        value: Any = field_of(entity, column.key)
        if isinstance(value, bool):
            return yes_no(value)
        if isinstance(value, date) or value is None:
            return day(value)
        return str(value)

    return text


# (header, cell text, column width in characters): the table's columns for the CLI
ENTITY_COLUMNS: tuple[tuple[str, Callable[[EntityPublic], str], int], ...] = tuple(
    (column.header, _text(column), column.width or 14) for column in ENTITY_TABLE.columns
)


def entity_sheet(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> Sheet:
    """The entities as the single writer's sheet: the page's columns, one row per entity (names written as text)."""
    return ENTITY_TABLE.to_sheet(entities, title=sheet_title)


def entities_xlsx_counted(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> tuple[bytes, int]:
    """An XLSX workbook of entities (one sheet, the Chinese header row, one row per entity) and its row count."""
    return xlsx_bytes_counted([entity_sheet(entities, sheet_title)])


def entities_xlsx(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> bytes:
    """An XLSX workbook of entities: one sheet, the Chinese header row, then one row per entity."""
    return entities_xlsx_counted(entities, sheet_title)[0]
