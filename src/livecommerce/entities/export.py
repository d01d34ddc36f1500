"""The 主体库 table as people read it: Chinese column headers and cell text, shared by the page and the XLSX export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from livecommerce.core.web.writer import Column, Sheet, xlsx_bytes_counted
from livecommerce.entities.schemas import EntityPublic


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def day(value: date | None) -> str:
    """A date as 2025-01-31, or an empty cell."""
    return value.isoformat() if value else ""


# (header, cell text, column width in characters)
ENTITY_COLUMNS: tuple[tuple[str, Callable[[EntityPublic], str], int], ...] = (
    ("统一社会信用代码", lambda e: e.uscc, 22),
    ("名称", lambda e: e.name, 36),
    ("类型", lambda e: e.kind_name, 14),
    ("所在地区", lambda e: e.region_name, 22),
    ("限上在统", lambda e: yes_no(e.above_quota), 10),
    ("地产品生产企业", lambda e: yes_no(e.local_producer), 14),
    ("成立日期", lambda e: day(e.founded_on), 12),
)


def entity_sheet(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> Sheet:
    """The entities as the single writer's sheet: the page's columns, one row per entity (names written as text)."""
    columns = [Column(str(index), title, width=width) for index, (title, _, width) in enumerate(ENTITY_COLUMNS)]
    rows = ({str(index): text(entity) for index, (_, text, _) in enumerate(ENTITY_COLUMNS)} for entity in entities)
    return Sheet(sheet_title, columns, rows)


def entities_xlsx_counted(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> tuple[bytes, int]:
    """An XLSX workbook of entities (one sheet, the Chinese header row, one row per entity) and its row count."""
    return xlsx_bytes_counted([entity_sheet(entities, sheet_title)])


def entities_xlsx(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> bytes:
    """An XLSX workbook of entities: one sheet, the Chinese header row, then one row per entity."""
    return entities_xlsx_counted(entities, sheet_title)[0]
