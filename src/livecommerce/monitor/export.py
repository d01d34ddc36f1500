"""The 复盘 of one session as an Excel workbook (review.xlsx): sheets 概况 (the figures), 分钟曲线 (one row a minute),
预警 (the session's alerts), 违规 (compliance hits) and 商品 (products by GMV). Amounts are numbers in yuan with two
decimals, so they can be summed in Excel; times are Shanghai wall time."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from livecommerce.monitor.review import SEVERITY_NAMES, SOURCE_NAMES, duration_text, moment

HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
YUAN = "#,##0.00"
TIME = "%Y-%m-%d %H:%M:%S"
STATES = {"pending": "待定", "firing": "告警中", "resolved": "已恢复", "nodata": "无数据"}


def _when(value: Any) -> str:
    at = moment(value)
    return at.strftime(TIME) if at else ""


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = YUAN
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"


def _overview(review: dict[str, Any], scope: str) -> list[list[Any]]:
    s = review["session"]
    streamer, peers = review["streamer"], review["peers"]
    return [
        ["平台", s.get("platform", "")], ["场次ID", s.get("session_id", "")], ["店铺", s.get("shop") or ""],
        ["主播", s.get("streamer") or ""], ["地区", s.get("region_name") or s.get("region") or ""],
        ["开播时间", review["started"].strftime(TIME) if review["started"] else ""],
        ["下播时间", review["ended"].strftime(TIME) if review["ended"] else "尚未下播（数据截至最近一次入库）"],
        ["直播时长" if review["ended"] else "已播时长", duration_text(review["duration"])],
        ["最高在线人数", review["peak_online"]], ["累计观看人数", review["total_viewers"]],
        ["成交金额（元）", review["gmv"]], ["订单数", review["orders"]], ["退款数", review["refunds"]],
        ["客单价（元）", review["average_order"]], ["转化率（订单数/累计观看人数，%）", review["conversion"]],
        ["退款率（退款数/订单数，%）", review["refund_rate"]], ["弹幕条数", review["chat_lines"]],
        ["预警数", len(review["alerts"])], ["违规命中数", len(review["hits"])],
        ["主播其他场次数", streamer["sessions"]], ["主播其他场次成交额中位数（元）", streamer["median"]],
        ["本场 / 中位数（%）", streamer["ratio"]],
        [f"同平台同日排名（{peers['day']}，按成交额）", f"{peers['rank']} / {peers['of']}"],
        ["数据范围", scope],
    ]


def workbook_bytes(review: dict[str, Any], scope: str = "") -> bytes:
    """The review as an .xlsx file's bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "概况", ["项目", "数值"], _overview(review, scope), [34, 40])
    _sheet(workbook, "分钟曲线", ["分钟", "在线人数", "最高在线", "订单数", "成交金额（元）", "退款数", "弹幕", "点赞"],
           [[m["at"].strftime("%Y-%m-%d %H:%M"), m["online"], m["peak_online"], m["orders"], m["gmv"], m["refunds"],
             m["chat"], m["likes"]] for m in review["minutes"]], [18, 10, 10, 9, 14, 9, 9, 9])
    _sheet(workbook, "预警", ["编号", "规则", "名称", "级别", "状态", "开始时间", "恢复时间", "说明", "已确认", "处理人", "备注"],
           [[a.get("id"), a.get("rule", ""), a.get("title", ""), SEVERITY_NAMES.get(a.get("severity", ""), a.get("severity", "")),
             STATES.get(a.get("state", ""), a.get("state", "")), _when(a.get("started_at")), _when(a.get("resolved_at")),
             a.get("summary", ""), "是" if a.get("acknowledged_at") else "否", a.get("assignee") or "", a.get("note") or ""]
            for a in review["alerts"]], [8, 16, 18, 8, 9, 20, 20, 50, 8, 12, 30])
    _sheet(workbook, "违规", ["时间", "来源", "规则", "类别", "级别", "命中文字", "上下文", "依据", "建议"],
           [[_when(h.get("ts")), SOURCE_NAMES.get(h.get("source", ""), h.get("source", "")), h.get("rule", ""),
             h.get("category", ""), SEVERITY_NAMES.get(h.get("severity", ""), h.get("severity", "")), h.get("text", ""),
             h.get("context", ""), h.get("law", ""), h.get("suggestion", "")] for h in review["hits"]],
           [20, 10, 18, 14, 8, 16, 40, 40, 30])
    _sheet(workbook, "商品", ["商品ID", "商品名称", "首次价格（元）", "当前价格（元）", "价格变动（%）", "订单数", "成交金额（元）",
                            "成交占比（%）"],
           [[p["product_id"], p["title"], p["first_price"], p["price"], p["price_change"], p["orders"], p["gmv"], p["share"]]
            for p in review["products"]], [16, 36, 14, 14, 12, 9, 14, 12])
    for sheet in workbook:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 30)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
