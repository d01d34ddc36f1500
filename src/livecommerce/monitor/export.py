"""The 复盘 of one session as an Excel workbook (review.xlsx): sheets 概况 (the figures), 分钟曲线 (one row a minute),
预警 (the session's alerts), 违规 (compliance hits) and 商品 (products by GMV). Amounts are numbers in yuan with two
decimals, so they can be summed in Excel; times are Shanghai wall time."""

from __future__ import annotations

from typing import Any

from livecommerce.core.web.tables import Table, TableColumn
from livecommerce.core.web.writer import Sheet, xlsx_bytes
from livecommerce.monitor.review import SEVERITY_NAMES, SOURCE_NAMES, duration_text, moment

TIME = "%Y-%m-%d %H:%M:%S"
STATES = {"pending": "待定", "firing": "告警中", "resolved": "已恢复", "nodata": "无数据"}
PERCENT_OF = "decimal"  # the review's ratios are percentages already (2.5 = 2.5%)


def _when(value: Any) -> str:
    at = moment(value)
    return at.strftime(TIME) if at else ""


def _c(key: str, header: str, width: int, unit: str = "", kind: str = "text") -> TableColumn:
    return TableColumn(key, header, unit, kind, width=width)


OVERVIEW = Table("概况", (_c("item", "项目", 34), _c("value", "数值", 40)))
MINUTES = Table(
    "分钟曲线",
    (
        _c("minute", "分钟", 18),
        _c("online", "在线人数", 10, kind="int"),
        _c("peak_online", "最高在线", 10, kind="int"),
        _c("orders", "订单数", 9, kind="int"),
        _c("gmv", "成交金额", 14, "元", "money"),
        _c("refunds", "退款数", 9, kind="int"),
        _c("chat", "弹幕", 9, kind="int"),
        _c("likes", "点赞", 9, kind="int"),
    ),
)
ALERTS = Table(
    "预警",
    (
        _c("id", "编号", 8, kind="int"),
        _c("rule", "规则", 16),
        _c("title", "名称", 18),
        _c("severity", "级别", 8),
        _c("state", "状态", 9),
        _c("started_at", "开始时间", 20),
        _c("resolved_at", "恢复时间", 20),
        _c("summary", "说明", 50),
        _c("acknowledged", "已确认", 8),
        _c("assignee", "处理人", 12),
        _c("note", "备注", 30),
    ),
)
HITS = Table(
    "违规",
    (
        _c("ts", "时间", 20),
        _c("source", "来源", 10),
        _c("rule", "规则", 18),
        _c("category", "类别", 14),
        _c("severity", "级别", 8),
        _c("text", "命中文字", 16),
        _c("context", "上下文", 40),
        _c("law", "依据", 40),
        _c("suggestion", "建议", 30),
    ),
)
PRODUCTS = Table(
    "商品",
    (
        _c("product_id", "商品ID", 16),
        _c("title", "商品名称", 36),
        _c("first_price", "首次价格", 14, "元", "money"),
        _c("price", "当前价格", 14, "元", "money"),
        _c("price_change", "价格变动", 12, "%", PERCENT_OF),
        _c("orders", "订单数", 9, kind="int"),
        _c("gmv", "成交金额", 14, "元", "money"),
        _c("share", "成交占比", 12, "%", PERCENT_OF),
    ),
)
"""The 复盘 workbook's five tables, declared once (core.web.tables): keys of the review's dicts, Chinese headers, units."""


def _overview(review: dict[str, Any], scope: str) -> list[list[Any]]:
    s = review["session"]
    streamer, peers = review["streamer"], review["peers"]
    return [
        ["平台", s.get("platform", "")],
        ["场次ID", s.get("session_id", "")],
        ["店铺", s.get("shop") or ""],
        ["主播", s.get("streamer") or ""],
        ["地区", s.get("region_name") or s.get("region") or ""],
        ["开播时间", review["started"].strftime(TIME) if review["started"] else ""],
        ["下播时间", review["ended"].strftime(TIME) if review["ended"] else "尚未下播（数据截至最近一次入库）"],
        ["直播时长" if review["ended"] else "已播时长", duration_text(review["duration"])],
        ["最高在线人数", review["peak_online"]],
        ["累计观看人数", review["total_viewers"]],
        ["成交金额（元）", review["gmv"]],
        ["订单数", review["orders"]],
        ["退款数", review["refunds"]],
        ["客单价（元）", review["average_order"]],
        ["转化率（订单数/累计观看人数，%）", review["conversion"]],
        ["退款率（退款数/订单数，%）", review["refund_rate"]],
        ["弹幕条数", review["chat_lines"]],
        ["预警数", len(review["alerts"])],
        ["违规命中数", len(review["hits"])],
        ["主播其他场次数", streamer["sessions"]],
        ["主播其他场次成交额中位数（元）", streamer["median"]],
        ["本场 / 中位数（%）", streamer["ratio"]],
        [f"同平台同日排名（{peers['day']}，按成交额）", f"{peers['rank']} / {peers['of']}"],
        ["数据范围", scope],
    ]


def _named(names: dict[str, str], value: str) -> str:
    return names.get(value, value)


def workbook_sheets(review: dict[str, Any], scope: str = "") -> list[Sheet]:
    """The review's five sheets: 概况, 分钟曲线, 预警, 违规, 商品 (amounts in yuan with two decimals, times as text)."""
    minutes = ({**m, "minute": m["at"].strftime("%Y-%m-%d %H:%M")} for m in review["minutes"])
    alerts = (
        {
            **a,
            "rule": a.get("rule", ""),
            "title": a.get("title", ""),
            "severity": _named(SEVERITY_NAMES, a.get("severity", "")),
            "state": _named(STATES, a.get("state", "")),
            "started_at": _when(a.get("started_at")),
            "resolved_at": _when(a.get("resolved_at")),
            "summary": a.get("summary", ""),
            "acknowledged": "是" if a.get("acknowledged_at") else "否",
            "assignee": a.get("assignee") or "",
            "note": a.get("note") or "",
        }
        for a in review["alerts"]
    )
    hits = (
        {
            **h,
            "ts": _when(h.get("ts")),
            "source": _named(SOURCE_NAMES, h.get("source", "")),
            "severity": _named(SEVERITY_NAMES, h.get("severity", "")),
        }
        for h in review["hits"]
    )
    return [
        OVERVIEW.to_sheet({"item": item, "value": value} for item, value in _overview(review, scope)),
        MINUTES.to_sheet(minutes),
        ALERTS.to_sheet(alerts),
        HITS.to_sheet(hits),
        PRODUCTS.to_sheet(review["products"]),
    ]


def workbook_bytes(review: dict[str, Any], scope: str = "") -> bytes:
    """The review as an .xlsx file's bytes, written by core.web.writer (text never becomes a formula)."""
    return xlsx_bytes(workbook_sheets(review, scope))
