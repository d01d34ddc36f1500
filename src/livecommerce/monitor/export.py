"""The 复盘 of one session as an Excel workbook (review.xlsx): sheets 概况 (the figures), 分钟曲线 (one row a minute),
预警 (the session's alerts), 违规 (compliance hits) and 商品 (products by GMV). Amounts are numbers in yuan with two
decimals, so they can be summed in Excel; times are Shanghai wall time."""

from __future__ import annotations

from typing import Any

from livecommerce.core.web.writer import Column, Sheet, xlsx_bytes
from livecommerce.monitor.review import SEVERITY_NAMES, SOURCE_NAMES, duration_text, moment

TIME = "%Y-%m-%d %H:%M:%S"
STATES = {"pending": "待定", "firing": "告警中", "resolved": "已恢复", "nodata": "无数据"}
PERCENT_OF = "decimal"  # the review's ratios are percentages already (2.5 = 2.5%)


def _when(value: Any) -> str:
    at = moment(value)
    return at.strftime(TIME) if at else ""


def _sheet(title: str, columns: list[Column], rows: list[list[Any]]) -> Sheet:
    """A sheet of the single writer from positional rows (header on the first row, frozen)."""
    return Sheet(title, columns, [{c.key: value for c, value in zip(columns, row, strict=True)} for row in rows])


def _c(header: str, width: int, unit: str = "", kind: str = "text") -> Column:
    return Column(header, header, unit, kind, width=width)


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


def workbook_sheets(review: dict[str, Any], scope: str = "") -> list[Sheet]:
    """The review's five sheets: 概况, 分钟曲线, 预警, 违规, 商品 (amounts in yuan with two decimals, times as text)."""
    return [
        _sheet("概况", [_c("项目", 34), _c("数值", 40)], _overview(review, scope)),
        _sheet(
            "分钟曲线",
            [
                _c("分钟", 18),
                _c("在线人数", 10, kind="int"),
                _c("最高在线", 10, kind="int"),
                _c("订单数", 9, kind="int"),
                _c("成交金额", 14, "元", "money"),
                _c("退款数", 9, kind="int"),
                _c("弹幕", 9, kind="int"),
                _c("点赞", 9, kind="int"),
            ],
            [
                [
                    m["at"].strftime("%Y-%m-%d %H:%M"),
                    m["online"],
                    m["peak_online"],
                    m["orders"],
                    m["gmv"],
                    m["refunds"],
                    m["chat"],
                    m["likes"],
                ]
                for m in review["minutes"]
            ],
        ),
        _sheet(
            "预警",
            [
                _c("编号", 8, kind="int"),
                _c("规则", 16),
                _c("名称", 18),
                _c("级别", 8),
                _c("状态", 9),
                _c("开始时间", 20),
                _c("恢复时间", 20),
                _c("说明", 50),
                _c("已确认", 8),
                _c("处理人", 12),
                _c("备注", 30),
            ],
            [
                [
                    a.get("id"),
                    a.get("rule", ""),
                    a.get("title", ""),
                    SEVERITY_NAMES.get(a.get("severity", ""), a.get("severity", "")),
                    STATES.get(a.get("state", ""), a.get("state", "")),
                    _when(a.get("started_at")),
                    _when(a.get("resolved_at")),
                    a.get("summary", ""),
                    "是" if a.get("acknowledged_at") else "否",
                    a.get("assignee") or "",
                    a.get("note") or "",
                ]
                for a in review["alerts"]
            ],
        ),
        _sheet(
            "违规",
            [
                _c("时间", 20),
                _c("来源", 10),
                _c("规则", 18),
                _c("类别", 14),
                _c("级别", 8),
                _c("命中文字", 16),
                _c("上下文", 40),
                _c("依据", 40),
                _c("建议", 30),
            ],
            [
                [
                    _when(h.get("ts")),
                    SOURCE_NAMES.get(h.get("source", ""), h.get("source", "")),
                    h.get("rule", ""),
                    h.get("category", ""),
                    SEVERITY_NAMES.get(h.get("severity", ""), h.get("severity", "")),
                    h.get("text", ""),
                    h.get("context", ""),
                    h.get("law", ""),
                    h.get("suggestion", ""),
                ]
                for h in review["hits"]
            ],
        ),
        _sheet(
            "商品",
            [
                _c("商品ID", 16),
                _c("商品名称", 36),
                _c("首次价格", 14, "元", "money"),
                _c("当前价格", 14, "元", "money"),
                _c("价格变动", 12, "%", PERCENT_OF),
                _c("订单数", 9, kind="int"),
                _c("成交金额", 14, "元", "money"),
                _c("成交占比", 12, "%", PERCENT_OF),
            ],
            [
                [p["product_id"], p["title"], p["first_price"], p["price"], p["price_change"], p["orders"], p["gmv"], p["share"]]
                for p in review["products"]
            ],
        ),
    ]


def workbook_bytes(review: dict[str, Any], scope: str = "") -> bytes:
    """The review as an .xlsx file's bytes, written by core.web.writer (text never becomes a formula)."""
    return xlsx_bytes(workbook_sheets(review, scope))
