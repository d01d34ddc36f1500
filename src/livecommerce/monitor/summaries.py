"""The words of the alerts the engine raises and resolves by its clocks and events (a compliance hit, a stream back,
viewers data back, a session paused, ended or let go, a product off the shelf): the summary of each transition and the
reason it resolves with. The summaries of the measured rules (viewers-drop, sales-spike …) are in measures.py, beside
their values; rules.yaml has the thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from livecommerce.compliance.packs import CATEGORIES
from livecommerce.monitor.rules import RuleSpec

if TYPE_CHECKING:  # the scanner is imported where it is used (engine.Engine), not by the words of its hits
    from livecommerce.compliance.scanner import Hit

SOURCE_NAMES = {"transcript": "主播口播", "chat": "弹幕", "product": "商品标题"}
VIEWERS_BACK = "在线人数数据恢复"  # a viewers-drop alert in no-data state: viewers counts arrive again
PAUSED = "直播暂停"  # a stream-stalled alert resolves: the room paused the stream
ENDED = "直播结束"  # every alert of the session resolves: the room ended it
LET_GO = "场次已结束"  # every alert left resolves: the ended session leaves memory


def hit_summary(source: str, hit: Hit) -> str:
    """A compliance hit: where it was said, the words, the category and the law."""
    return f"{SOURCE_NAMES[source]}「{hit.text}」：{CATEGORIES.get(hit.category, hit.category)}，{hit.law}"


def resumed_summary(spec: RuleSpec) -> str:
    """A stalled stream sends again."""
    return f"直播恢复：{spec.title}后收到新事件"


def off_shelf_summary(title: str) -> str:
    """A price-change alert resolves: the product left the shelf."""
    return f"商品「{title}」已下架"


def resolved_summary(why: str, summary: str) -> str:
    """An alert resolved because its session ended: why, then what the alert said."""
    return f"{why}：{summary}"


def silent_end(silent: float, forget: float) -> str:
    """A session ends by its silence (``forget`` seconds or more without any event)."""
    return f"已 {silent:.0f} 秒无任何事件（{forget:.0f} 秒以上视为结束）"


def no_viewers_summary(no_data: float) -> str:
    """viewers-drop has no data: no viewers count for ``no_data`` seconds while other events still arrive."""
    return f"{no_data:.0f} 秒未收到在线人数（其他事件仍在到达）"
