"""A synthetic 双11 evening of the province's live rooms, as JSON lines (the demo, the benchmark and the browser test).

Events come in time order, one second at a time; the mix is about 70% chat, 15% viewers, 10% orders and 5% other
(likes, gifts, products, transcripts, refunds, complaints). A few sessions carry planted incidents, one of each rule:
a stall, a collapse of viewers, an order spike, a prohibited claim, a price cut, a surge of refunds, of complaints and
of negative chat. Nothing random is left to chance: a seed gives the same evening.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from livecommerce.reference.regions import regions

START = 1_762_862_400  # 2025-11-11 20:00:00 Asia/Shanghai
PLATFORMS = ("douyin", "kuaishou", "taobao", "wechat_channels", "jd", "xiaohongshu")
CHAT = (
    "主播好",
    "多少钱",
    "已拍",
    "什么时候发货",
    "好吃吗",
    "有优惠吗",
    "支持主播",
    "这个颜色好看",
    "哈尔滨发货吗",
    "五常大米真香",
    "来了来了",
    "再上一次链接",
    "黑木耳怎么泡",
    "红肠有货吗",
    "666",
    "买了三箱",
)
NEGATIVE = ("假货吧", "骗子主播", "我要退款", "质量差", "投诉你们")
PRODUCTS = ("五常大米5kg", "东北黑木耳250g", "哈尔滨红肠", "蓝莓果干", "北大荒小米", "大豆油5L", "榛蘑", "冻梨礼盒")
TRANSCRIPT = ("家人们这款大米是今年的新米", "点点关注不迷路", "库存不多了抓紧下单", "我们是黑龙江本地工厂直发", "今天直播间有专属优惠券")
BAD_TRANSCRIPT = "这个保健品包治百病，全网最低价"
INCIDENTS = (
    "stream-stalled",
    "viewers-drop",
    "sales-spike",
    "compliance-hit",
    "price-change",
    "refund-surge",
    "complaint-surge",
    "negative-chat",
)


@dataclass
class Plan:
    """One session of the evening: who, where, how big, and the incident planted in it (if any)."""

    session_id: str
    platform: str
    region: str
    shop_id: str
    streamer_id: str
    size: int
    incident: str | None = None
    at: int = 0


def plan(sessions: int, seconds: int, seed: int = 11, incidents: tuple[int, int] | None = None) -> list[Plan]:
    """The sessions of the evening. An incident is planted at a second drawn from ``incidents`` (first, last + 1),
    by default the middle third of the evening (the live demo plans them early so the wall shows alerts at once)."""
    rng = random.Random(seed)
    first, stop = incidents or (max(1, seconds // 3), max(2, seconds * 2 // 3))
    counties = [r.code for r in regions() if r.level == "county"] or ["230102"]
    plans = []
    for i in range(sessions):
        incident = INCIDENTS[i % len(INCIDENTS)] if i < len(INCIDENTS) * max(1, sessions // 200) else None
        plans.append(
            Plan(
                f"S{i:05d}",
                PLATFORMS[i % len(PLATFORMS)],
                rng.choice(counties),
                f"shop{i % 997:04d}",
                f"streamer{i:05d}",
                rng.choice((150, 300, 800, 2000, 6000)),
                incident,
                rng.randrange(first, max(first + 1, stop)),
            )
        )
    return plans


def evening(
    sessions: int = 200,
    seconds: int = 600,
    events_per_second: int | None = None,
    seed: int = 11,
    start: int = START,
    incidents: tuple[int, int] | None = None,
) -> Iterator[str]:
    """The evening's events as JSON lines, in time order. ``events_per_second`` (over all sessions) defaults to five
    per session a second; ``incidents`` is the range of seconds the incidents are planted in (see ``plan``)."""
    rng = random.Random(seed)
    plans = plan(sessions, seconds, seed, incidents)
    rate = events_per_second or sessions * 5
    dumps = json.dumps
    online = {p.session_id: p.size for p in plans}
    price = {p.session_id: 50 for p in plans}
    stalled: set[str] = set()
    order_no = 0
    for p in plans:
        yield dumps(
            {
                "platform": p.platform,
                "session_id": p.session_id,
                "ts": start * 1000,
                "kind": "status",
                "state": "start",
                "shop_id": p.shop_id,
                "streamer_id": p.streamer_id,
                "region": p.region,
            },
            ensure_ascii=False,
        )
        yield dumps(
            {
                "platform": p.platform,
                "session_id": p.session_id,
                "ts": start * 1000,
                "kind": "product",
                "product_id": "P1",
                "title": PRODUCTS[int(p.session_id[1:]) % len(PRODUCTS)],
                "price": 50,
                "action": "on",
            },
            ensure_ascii=False,
        )
    live = [p for p in plans]
    for second in range(seconds):
        ts_base = (start + second) * 1000
        for p in plans:  # the planted incidents, at their second
            if p.incident is None or second < p.at:
                continue
            sid = p.session_id
            head: dict[str, Any] = {"platform": p.platform, "session_id": sid}
            if p.incident == "stream-stalled" and second == p.at:
                stalled.add(sid)
            elif p.incident == "stream-stalled" and second == p.at + 90:
                stalled.discard(sid)
            elif p.incident == "viewers-drop" and second == p.at:
                online[sid] = max(1, online[sid] // 4)
            elif p.incident == "sales-spike" and p.at <= second < p.at + 60:
                for _ in range(10):  # 600 orders in a minute, where the session sells about 30
                    order_no += 1
                    yield dumps(
                        {
                            **head,
                            "ts": ts_base + rng.randrange(1000),
                            "kind": "order",
                            "order_id": f"O{order_no}",
                            "amount": 9.9,
                            "product_id": "P1",
                        }
                    )
            elif p.incident == "compliance-hit" and second == p.at:
                yield dumps({**head, "ts": ts_base, "kind": "transcript", "text": BAD_TRANSCRIPT}, ensure_ascii=False)
            elif p.incident == "price-change" and second == p.at:
                price[sid] = 25
                yield dumps(
                    {
                        **head,
                        "ts": ts_base,
                        "kind": "product",
                        "product_id": "P1",
                        "title": PRODUCTS[int(sid[1:]) % len(PRODUCTS)],
                        "price": 25,
                        "action": "on",
                    },
                    ensure_ascii=False,
                )
            elif p.incident == "refund-surge" and p.at <= second < p.at + 30:
                for _ in range(3):
                    order_no += 1
                    yield dumps({**head, "ts": ts_base, "kind": "refund", "order_id": f"R{order_no}", "amount": 50})
            elif p.incident == "complaint-surge" and second in (p.at, p.at + 30, p.at + 60):
                yield dumps(
                    {**head, "ts": ts_base, "kind": "complaint", "text": "收到的货和直播间展示的不一致", "channel": "12315"},
                    ensure_ascii=False,
                )
            elif p.incident == "negative-chat" and p.at <= second < p.at + 60:
                for _ in range(3):
                    yield dumps(
                        {**head, "ts": ts_base + rng.randrange(1000), "kind": "chat", "user": "买家", "text": rng.choice(NEGATIVE)},
                        ensure_ascii=False,
                    )
        for _ in range(rate):
            p = live[rng.randrange(len(live))]
            sid = p.session_id
            if sid in stalled:
                continue
            head = {"platform": p.platform, "session_id": sid, "ts": ts_base + rng.randrange(1000)}
            roll = rng.random()
            if roll < 0.70:
                event = {**head, "kind": "chat", "user": f"用户{rng.randrange(100000)}", "text": rng.choice(CHAT)}
            elif roll < 0.85:
                base = p.size if p.incident != "viewers-drop" or second < p.at else max(1, p.size // 4)
                online[sid] = max(1, base + rng.randrange(-base // 20 - 1, base // 20 + 2))
                event = {**head, "kind": "viewers", "online": online[sid], "total": online[sid] * 3 + second}
            elif roll < 0.95:
                order_no += 1
                event = {**head, "kind": "order", "order_id": f"O{order_no}", "amount": price[sid], "product_id": "P1"}
            elif roll < 0.97:
                event = {**head, "kind": "like", "count": rng.randrange(1, 50)}
            elif roll < 0.98:
                event = {**head, "kind": "gift", "name": "小心心", "count": 1, "value": 0.1}
            else:
                event = {**head, "kind": "transcript", "text": rng.choice(TRANSCRIPT)}
            yield dumps(event, ensure_ascii=False)
    for p in plans:
        yield dumps({"platform": p.platform, "session_id": p.session_id, "ts": (start + seconds) * 1000, "kind": "status", "state": "end"})
