"""The 主体库 table as people read it: Chinese column headers and cell text, shared by the page and the XLSX export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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


def entities_xlsx(entities: Iterable[EntityPublic], sheet_title: str = "主体库") -> bytes:
    """An XLSX workbook of entities: one sheet, a bold Chinese header row, then one row per entity."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, (_, _, width) in enumerate(ENTITY_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title, _, _ in ENTITY_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for entity in entities:
        sheet.append([text(entity) for _, text, _ in ENTITY_COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
