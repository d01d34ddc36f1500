"""Statistics as people read them: Chinese headers with units, amounts in 万元 (two decimals, half-up at display
only: DESIGN.md Money), ratios as percentages. One table shape serves the console, the CLI and the XLSX export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from livecommerce.core.money import FEN, WAN
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.core.web.tables import Table, TableColumn
from livecommerce.core.web.writer import Sheet, xlsx_bytes
from livecommerce.stats.indicators import DIMENSIONS, Indicator
from livecommerce.stats.query import Result
from livecommerce.stats.rank import SUBJECTS, RankResult

PERCENT = Decimal("0.01")
PAGE_SIZE = 50


@dataclass
class Column:
    title: str
    kind: str = "text"  # text | wan | amount | count | percent | hours | int
    width: int = 14


@dataclass
class StatTable:
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def display_rows(self) -> list[list[str]]:
        return [[display(value, column.kind) for value, column in zip(row, self.columns, strict=True)] for row in self.rows]

    def table(self) -> Table:
        """The same table in the framework (core.web.tables): column i is keyed and sorted as 'i' (?sort=2, -2), its
        title holds its unit (「网络零售额（万元）」), its writer kind says how the XLSX writes it."""
        columns = tuple(
            TableColumn(str(i), column.title, kind=WRITER_KINDS.get(column.kind, "text"), width=column.width, sortable=True)
            for i, column in enumerate(self.columns)
        )
        return Table(self.title, columns, page_size=PAGE_SIZE)

    def keyed_rows(self) -> list[dict[str, Any]]:
        """The rows as the framework's mappings: each cell under its column's key, and ``raw`` / ``shown`` (the cells
        as values and as the text the page shows)."""
        return [
            {**{str(i): value for i, value in enumerate(raw)}, "raw": raw, "shown": shown}
            for raw, shown in zip(self.rows, self.display_rows(), strict=True)
        ]


def unit_of(indicator: Indicator) -> tuple[str, str]:
    """(column kind, unit shown in the header) of an indicator's values."""
    if indicator.unit == "元":
        return "wan", "万元"
    if indicator.unit == "元/单":
        return "amount", "元/单"
    if indicator.is_ratio:
        return "percent", "%"
    if indicator.unit == "小时":
        return "hours", "小时"
    return "count", indicator.unit


def display(value: Any, kind: str) -> str:
    """A cell as text: 12345.67 yuan in a 万元 column → '1.23'; a ratio 0.302586 → '30.26%'."""
    if value is None:
        return "—"
    if kind == "wan":
        return f"{(Decimal(value) / WAN).quantize(FEN, ROUND_HALF_UP):,}"
    if kind == "amount" or kind == "hours":
        return f"{Decimal(value).quantize(FEN, ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{(Decimal(value) * 100).quantize(PERCENT, ROUND_HALF_UP)}%"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "change":
        if value is None:
            return "—"
        return f"{int(value):+d}" if value else "0"
    return str(value)


def query_table(result: Result) -> StatTable:
    q, indicator = result.query, result.indicator
    kind, unit = unit_of(indicator)
    columns = [Column(DIMENSIONS[d].zh, width=18) for d in q.by]
    columns.append(Column(f"{indicator.zh}（{unit}）", kind, 18))
    label = {"yoy": "同比", "mom": "环比"}.get(q.compare or "", "")
    if q.compare:
        columns.append(Column(f"{'上年同期' if q.compare == 'yoy' else '上期'}（{unit}）", kind, 18))
        columns.append(Column(f"{label}（%）", "percent", 12))
    if q.share:
        columns.append(Column("占上级比重（%）", "percent", 14))
    table = StatTable(f"{indicator.zh}", _subtitle(result.scope, q.range.start, q.range.end, q.attribution), columns)
    for row in result.rows:
        cells: list[Any] = [row.names[d] for d in q.by]
        cells.append(row.value)
        if q.compare:
            cells += [row.previous, row.change]
        if q.share:
            cells.append(row.share)
        table.rows.append(cells)
    return table


def rank_table(result: RankResult) -> StatTable:
    q, indicator = result.query, result.indicator
    kind, unit = unit_of(indicator)
    label = "同比" if q.compare == "yoy" else "环比"
    columns = [Column("排名", "int", 6), Column(SUBJECTS[q.of][0], width=36)]
    if q.of in ("shop", "streamer", "product"):
        columns.append(Column("平台", width=10))
    columns += [
        Column(f"{indicator.zh}（{unit}）", kind, 18),
        Column(f"{'上年同期' if q.compare == 'yoy' else '上期'}排名", "int", 10),
        Column("名次变化", "change", 10),
        Column(f"{label}（%）", "percent", 12),
    ]
    table = StatTable(f"{indicator.zh}{SUBJECTS[q.of][0]}排行", _subtitle(result.scope, q.range.start, q.range.end, q.attribution), columns)
    from livecommerce.reference.codes import PLATFORMS
    from livecommerce.stats.query import change

    for row in result.rows:
        cells: list[Any] = [row.rank, row.name]
        if q.of in ("shop", "streamer", "product"):
            cells.append(PLATFORMS.label(row.platform) if row.platform else "")
        cells += [row.value, row.previous_rank, row.rank_change, change(row.value, row.previous)]
        table.rows.append(cells)
    return table


def _subtitle(scope: str, start: Any, end: Any, attribution: str) -> str:
    by = "按发货地统计" if attribution == "ship_from" else "按卖家所在地统计"
    return f"数据范围：{scope}　统计期：{start.isoformat()} 至 {end.isoformat()}　{by}"


WRITER_KINDS = {
    "wan": "wan",
    "amount": "money",
    "hours": "money",
    "percent": "percent",
    "count": "int",
    "int": "int",
    "change": "int",
    "text": "text",
}


def sheet_of(table: StatTable) -> Sheet:
    """A table as the single writer's sheet: its title, scope line and export time above the header (units already
    in the column titles, 「网络零售额（万元）」); 万元 to two decimals, percentages as 0.00%, counts as integers."""
    caption = "\n".join([table.title, table.subtitle, f"导出时间：{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}（龙江直播电商监测服务平台）"])
    return table.table().to_sheet(table.keyed_rows(), caption=caption)


def to_xlsx(tables: list[StatTable]) -> bytes:
    """One sheet per table (through core.web.writer): title, subtitle, a Chinese header row with units, then the rows
    as numbers (万元 to two decimals, percentages as 0.00%) so that Excel sums them."""
    sheets = [sheet_of(table) for table in tables]
    for index, sheet in enumerate(sheets):
        sheet.title = (tables[index].title[:28] or "统计") + (f"{index + 1}" if len(tables) > 1 else "")
    return xlsx_bytes(sheets)
