"""复盘 (post-live review) of one live session, from what the store kept of it (service.get_session) and its peers:
the curves minute by minute, the peaks (the three minutes with the most viewers online and the three with the most
orders) and what happened near them (alerts, compliance hits, product changes), conversion (orders / total viewers),
the top products by GMV, the alerts and hits on one timeline, the streamer's median GMV over their other recorded
sessions, and the session's rank by GMV among the sessions of the same platform that day.

000_f467ed5c45ed642d.txt 第34条: every session is reviewed afterwards from its replay and back-end data. The numbers
here are plain arithmetic on the stored minutes, so a reader can check them by hand: ``compose`` is pure, ``build``
only fetches (through the service, so the viewer's scope applies to the session and to its peers alike).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.core.scope import Actor
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.core.web.tables import Table, TableColumn

PEAKS = 3  # minutes shown per peak kind
TOP_PRODUCTS = 10
NEAR = timedelta(minutes=1)  # "near a minute": from the minute before it to the end of the minute after it
ZERO = Decimal("0.00")
SOURCE_NAMES = {"transcript": "主播口播", "chat": "弹幕", "product": "商品标题"}
SEVERITY_NAMES = {"critical": "严重", "high": "严重", "warning": "警告", "medium": "较重", "info": "提示", "low": "提示"}


def _products(price: str, *extra: TableColumn, first: tuple[TableColumn, ...] = ()) -> Table:
    """A session's products as its pages list them: id, title, first and later price, orders, GMV (yuan)."""
    return Table(
        "商品",
        (
            *first,
            TableColumn("product_id", "商品ID"),
            TableColumn("title", "商品"),
            TableColumn("first_price", "首次价格", "元", "money"),
            TableColumn("price", price, "元", "money"),
            *extra[:1],
            TableColumn("orders", "订单", kind="int"),
            TableColumn("gmv", "成交额", "元", "money"),
            *extra[1:],
        ),
    )


LIVE_PRODUCTS = _products("当前价格")
STORED_PRODUCTS = _products("价格")
REVIEW_PRODUCTS = _products(
    "价格",
    TableColumn("price_change", "价格变动", kind="decimal"),
    TableColumn("share", "成交占比", kind="decimal"),
    first=(TableColumn("index", "#"),),
)
SESSION_HITS = Table(
    "违规命中",
    (
        TableColumn("time", "时间"),
        TableColumn("source_name", "来源"),
        TableColumn("text", "命中"),
        TableColumn("rule", "规则"),
        TableColumn("law", "依据"),
    ),
)
SESSION_ALERTS = Table(
    "本场预警",
    (
        TableColumn("title", "预警"),
        TableColumn("severity", "级别"),
        TableColumn("state", "状态"),
        TableColumn("started_at", "开始"),
        TableColumn("summary", "说明"),
    ),
)
"""The tables of one session's pages (live, stored, 复盘), declared with core.web.tables; the 复盘 workbook's own
sheets are in export.py."""


def moment(value: Any) -> datetime | None:
    """A time of the store's dicts (ISO 8601 text, a datetime or epoch seconds) as an aware Shanghai datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, int | float):
        found = datetime.fromtimestamp(value, SHANGHAI)
    else:
        found = datetime.fromisoformat(str(value))
    return (found if found.tzinfo else found.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)


def money(value: Any) -> Decimal:
    """A stored amount (a Decimal's string) as Decimal; nothing is 0.00."""
    return ZERO if value is None or value == "" else Decimal(str(value))


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole in percent with two decimals, rounded half-up; None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _near(at: datetime | None, minute: datetime) -> bool:
    return at is not None and minute - NEAR <= at < minute + 2 * NEAR


def happenings(detail: dict[str, Any], minute: datetime) -> list[dict[str, Any]]:
    """What happened near a minute (the minute before it, itself, the one after): alerts that began or changed state
    then (price-change alerts are the product changes), compliance hits (a product-title hit is a product put on the
    shelf with a prohibited claim)."""
    out = []
    for alert in detail.get("alerts", []):
        times = [moment(h.get("at")) for h in alert.get("history") or []] or [moment(alert.get("started_at"))]
        for at in times:
            if _near(at, minute):
                kind = "商品变动" if alert.get("rule") == "price-change" else "预警"
                out.append({"at": at, "kind": kind, "text": f"{alert.get('title') or alert.get('rule')}：{alert.get('summary', '')}"})
                break
    for hit in detail.get("hits", []):
        at = moment(hit.get("ts"))
        if _near(at, minute):
            kind = "商品变动" if hit.get("source") == "product" else "违规"
            out.append(
                {
                    "at": at,
                    "kind": kind,
                    "text": f"{SOURCE_NAMES.get(hit.get('source', ''), hit.get('source', ''))}「{hit.get('text', '')}」"
                    f"（{hit.get('rule', '')}）",
                }
            )
    return sorted(out, key=lambda item: item["at"])


def peaks(detail: dict[str, Any], minutes: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The PEAKS minutes with the highest ``key`` (an earlier minute first on a tie; minutes of 0 are no peak), each
    with what happened near it."""
    ranked = sorted((m for m in minutes if m[key] > 0), key=lambda m: (-m[key], m["at"]))[:PEAKS]
    return [
        {
            "rank": n,
            "at": m["at"],
            "label": m["label"],
            "value": m[key],
            "online": m["peak_online"],
            "orders": m["orders"],
            "gmv": m["gmv"],
            "events": happenings(detail, m["at"]),
        }
        for n, m in enumerate(ranked, start=1)
    ]


def curve(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored minutes in time order, with their time as a datetime and as HH:MM."""
    out = []
    for row in detail.get("minutes", []):
        at = moment(row["minute"])
        assert at is not None
        out.append(
            {
                "at": at,
                "label": at.strftime("%H:%M"),
                "online": int(row.get("online") or 0),
                "peak_online": int(row.get("peak_online") or row.get("online") or 0),
                "orders": int(row.get("orders") or 0),
                "gmv": money(row.get("gmv")),
                "refunds": int(row.get("refunds") or 0),
                "chat": int(row.get("chat") or 0),
                "likes": int(row.get("likes") or 0),
            }
        )
    return sorted(out, key=lambda m: m["at"])


def top_products(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The products by GMV (then orders), with their share of the session's GMV and the change of price."""
    total = money(detail.get("gmv"))
    rows = []
    for p in detail.get("products", []):
        first, price, gmv = money(p.get("first_price")), money(p.get("price")), money(p.get("gmv"))
        rows.append(
            {
                "product_id": p.get("product_id", ""),
                "title": p.get("title", ""),
                "first_price": first,
                "price": price,
                "orders": int(p.get("orders") or 0),
                "gmv": gmv,
                "share": percent(gmv, total),
                "price_change": percent(price - first, first) if first else None,
            }
        )
    rows.sort(key=lambda r: (-r["gmv"], -r["orders"], r["product_id"]))
    return rows[:TOP_PRODUCTS]


def timeline(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Alerts (when each began) and compliance hits in one list by time."""
    items = []
    for a in detail.get("alerts", []):
        items.append(
            {
                "at": moment(a.get("started_at")),
                "kind": "预警",
                "what": a.get("title") or a.get("rule", ""),
                "severity": a.get("severity", ""),
                "text": a.get("summary", ""),
                "state": a.get("state", ""),
                "id": a.get("id"),
            }
        )
    for h in detail.get("hits", []):
        items.append(
            {
                "at": moment(h.get("ts")),
                "kind": "违规",
                "what": h.get("rule", ""),
                "severity": h.get("severity", ""),
                "text": h.get("text", ""),
                "source": SOURCE_NAMES.get(h.get("source", ""), h.get("source", "")),
                "law": h.get("law", ""),
                "state": "",
                "id": None,
            }
        )
    return sorted((i for i in items if i["at"] is not None), key=lambda i: i["at"])


def session_day(row: dict[str, Any]) -> str:
    at = moment(row.get("started"))
    return at.date().isoformat() if at else ""


def streamer_median(detail: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The streamer's median GMV over their other recorded sessions (this one left out), and this session against it."""
    streamer = detail.get("streamer") or ""
    mine = [
        money(o.get("gmv"))
        for o in others
        if streamer
        and o.get("streamer") == streamer
        and (o.get("platform"), o.get("session_id")) != (detail.get("platform"), detail.get("session_id"))
    ]
    if not mine:
        return {"streamer": streamer, "sessions": 0, "median": None, "ratio": None}
    middle = Decimal(median(mine)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {"streamer": streamer, "sessions": len(mine), "median": middle, "ratio": percent(money(detail.get("gmv")), middle)}


def peer_rank(detail: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The session's place by GMV among the sessions of its platform that started the same day (itself included):
    1 + the number of peers with a higher GMV, so equal GMVs share a place."""
    day = session_day(detail)
    peers = [
        o
        for o in others
        if o.get("platform") == detail.get("platform")
        and session_day(o) == day
        and (o.get("platform"), o.get("session_id")) != (detail.get("platform"), detail.get("session_id"))
    ]
    gmv = money(detail.get("gmv"))
    return {"day": day, "rank": 1 + sum(1 for p in peers if money(p.get("gmv")) > gmv), "of": len(peers) + 1}


def compose(detail: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The review of one stored session (``detail``: service.get_session) among ``others`` (service.list_sessions)."""
    minutes = curve(detail)
    gmv, orders, viewers = money(detail.get("gmv")), int(detail.get("orders") or 0), int(detail.get("total_viewers") or 0)
    started, ended = moment(detail.get("started")), moment(detail.get("ended"))
    # a session still on air: how long it has been on air until its last event
    until = ended or (moment(detail.get("last_event")) if detail.get("status") in ("live", "paused") else None)
    duration = int((until - started).total_seconds()) if started and until else None
    return {
        "session": detail,
        "started": started,
        "ended": ended,
        "duration": duration,
        "gmv": gmv,
        "orders": orders,
        "total_viewers": viewers,
        "peak_online": int(detail.get("peak_online") or 0),
        "refunds": int(detail.get("refunds") or 0),
        "chat_lines": int(detail.get("chat_lines") or 0),
        "conversion": percent(orders, viewers),  # 转化率 = orders / total viewers
        "average_order": (gmv / orders).quantize(Decimal("0.01"), ROUND_HALF_UP) if orders else None,
        "refund_rate": percent(int(detail.get("refunds") or 0), orders),
        "minutes": minutes,
        "online_peaks": peaks(detail, minutes, "peak_online"),
        "order_peaks": peaks(detail, minutes, "orders"),
        "products": top_products(detail),
        "timeline": timeline(detail),
        "alerts": detail.get("alerts", []),
        "hits": detail.get("hits", []),
        "streamer": streamer_median(detail, others),
        "peers": peer_rank(detail, others),
    }


def build(db: Session, actor: Actor, platform: str, session_id: str) -> dict[str, Any]:
    """The review of a stored session as the actor may see it (NotFound when absent or out of scope)."""
    from livecommerce.monitor import service

    detail = service.get_session(db, actor, platform, session_id)
    started = moment(detail.get("started"))
    assert started is not None  # every stored session has its start
    return compose(detail, service.review_peers(db, actor, platform, detail.get("streamer"), started))


def duration_text(seconds: int | None) -> str:
    """1 小时 05 分 / 3 分 20 秒 / —."""
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} 小时 {minutes:02d} 分" if hours else f"{minutes} 分 {secs:02d} 秒"


def chart_data(review: dict[str, Any]) -> dict[str, Any]:
    """What the review page's chart draws: the minute curves and the timeline marks (JSON-ready)."""
    return {
        "labels": [m["label"] for m in review["minutes"]],
        "online": [m["peak_online"] for m in review["minutes"]],
        "orders": [m["orders"] for m in review["minutes"]],
        "gmv": [str(m["gmv"]) for m in review["minutes"]],
        "chat": [m["chat"] for m in review["minutes"]],
        "marks": [{"label": i["at"].strftime("%H:%M"), "kind": i["kind"], "what": i["what"]} for i in review["timeline"]],
    }
