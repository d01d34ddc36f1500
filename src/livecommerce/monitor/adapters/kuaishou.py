"""Kuaishou (快手) live messages → monitor events: the web socket's feed push (SCWebFeedPush) and watching list
(SCWebLiveWatchingUsers) decoded to JSON, as ks.proto of sandboxdream/AI-Vtuber names their fields and the Go client of
careware134/live-room-crawler logged them: ``{"displayWatchingCount": "100+", "displayLikeCount", "commentFeeds":
[{"user": {"principalId", "userName"}, "content"}], "likeFeeds": [...], "giftFeeds": [{"user", "giftId", "batchSize",
"comboCount", "time"}], "shareFeeds": [...]}``.

The push carries no room id (the client knows which stream it entered): every line needs ``--session`` (API:
``session=``). Comments and likes carry no time: a feed's own ``time``, else the line's ``ts`` (added by whoever
captured it), else the server's clock on the live path; none: refused. ``displayWatchingCount`` is a rounded display
("50+", "1.2万"): viewers are its lower bound, approximate. Gifts have an id but no price: value unknown.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from livecommerce.monitor.adapters import Ignored, Outcome, Refused, epoch_ms, number, pick

if TYPE_CHECKING:
    from livecommerce.monitor.adapters import Adapter

FEEDS = {"commentFeeds": "chat", "likeFeeds": "like", "giftFeeds": "gift"}
UNUSED = ("shareFeeds", "systemNoticeFeeds", "comboCommentFeed")


def translate(adapter: Adapter, raw: Any, session: str | None, now: int | None) -> list[Outcome]:
    """The outcomes of one decoded feed push or watching list."""
    if type(raw) is not dict:
        return [Refused("not a Kuaishou feed push: a JSON object")]
    if not any(name in raw for name in (*FEEDS, *UNUSED, "displayWatchingCount", "watchingUser")):
        return [Refused("not a Kuaishou feed push: no commentFeeds, likeFeeds, giftFeeds or displayWatchingCount")]
    room = pick(raw, "liveStreamId", "live_stream_id") or session
    if not room:
        return [Refused("a Kuaishou feed push carries no room id: name the room with --session (API: session=)")]
    line_ts = epoch_ms(raw.get("ts")) or now
    out: list[Outcome] = []
    for name, kind in FEEDS.items():
        feeds = raw.get(name)
        for feed in feeds if type(feeds) is list else ():
            out.append(_feed(adapter, str(room), kind, feed, line_ts))
    for name in UNUSED:
        feeds = raw.get(name)
        out.extend(Ignored(name) for _ in (feeds if type(feeds) is list else ()))
    watching = watchers(raw.get("displayWatchingCount"))
    if watching is not None:
        if line_ts is None:
            out.append(Refused("displayWatchingCount without a time: give the line a ts (epoch ms) or post it live"))
        else:
            out.append({"platform": "kuaishou", "session_id": str(room), "ts": line_ts, "kind": "viewers", "online": watching})
    return out


def _feed(adapter: Adapter, room: str, kind: str, feed: Any, line_ts: int | None) -> Outcome:
    if type(feed) is not dict:
        return Refused(f"a Kuaishou {kind} feed is a JSON object")
    if not adapter.fresh(feed.get("id")):
        return Ignored("duplicate feed id")
    ts = epoch_ms(feed.get("time")) or line_ts
    if ts is None:
        return Refused(f"a Kuaishou {kind} feed without a time: give the line a ts (epoch ms) or post it live")
    event: dict[str, Any] = {"platform": "kuaishou", "session_id": room, "ts": ts, "kind": kind}
    user = feed.get("user")
    uid = adapter.user(pick(user, "principalId", "userId", "userName")) if type(user) is dict else None
    if kind == "chat":
        event["text"] = feed.get("content")
        if uid is not None:
            event["user"] = uid
    elif kind == "like":
        event["count"] = 1
    else:
        gift_id = feed.get("giftId")
        event["name"] = f"礼物{gift_id}" if gift_id is not None else None
        batch = number(feed.get("batchSize"))
        event["count"] = batch if batch else 1
    return event


def watchers(display: Any) -> int | None:
    """The lower bound of a displayed count: "50+" → 50, "1.2万" → 12000, "3.4w" → 34000; None when it is no count."""
    if type(display) is not str or not display:
        return None
    text = display.strip().rstrip("+")
    scale = 1
    if text[-1:] in ("万", "w", "W"):
        text, scale = text[:-1], 10_000
    try:
        value = Decimal(text) * scale
    except InvalidOperation:
        return None
    return int(value) if value.is_finite() and value >= 0 else None
