"""Douyin (抖音) live messages → monitor events. Three shapes of public capture tools, and Douyin's product list:

- the poll shape ``{"method", "msg_id", "payload": {"room_id", "content", "user": {"uid", "nickname", ...}}}``, one
  message a line or a whole poll response ``{"data": {"messages": [...], "now"}}`` (VideoData/DY-Data);
- the flat shape ``{"type", "uid", "nickname", "msg", "msg_id"}`` (room_id and ts optional);
- protobuf messages decoded to JSON ``{"common": {"method", "msgId", "roomId", "createTime"}, "user": {"id",
  "nickName"}, "content", "count", "total", "giftId", "repeatCount", "gift": {"name", "diamondCount"}, ...}`` with
  protobuf's JSON names (lowerCamelCase) or the proto's own (snake_case) — douyin.proto of saermart/DouyinLiveWebFetcher;
- a product of the room's product list ``{"promotion_id", "title", "price", "min_price"}``, prices in fen, one a line or
  the list response ``{"data": {"promotions": [...]}}``.

Time: common.createTime, else the message id's high 32 bits (its second), else the line's own ``ts`` or the poll's
``now``, else the server's clock on the live path; none of them: refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from livecommerce.monitor.adapters import Ignored, Outcome, Refused, epoch_ms, id_time, number, pick, yuan

if TYPE_CHECKING:
    from livecommerce.monitor.adapters import Adapter

KINDS = {"WebcastChatMessage": "chat", "WebcastMemberMessage": "enter", "WebcastLikeMessage": "like",
         "WebcastGiftMessage": "gift", "WebcastSocialMessage": "follow", "WebcastRoomUserSeqMessage": "viewers",
         "WebcastControlMessage": "status"}
# methods the capture tools name that the monitor does not use: counted as ignored under their name
UNUSED = frozenset({
    "WebcastRoomIntroMessage", "WebcastRoomMessage", "WebcastRoomStatsMessage", "WebcastRoomRankMessage",
    "WebcastRoomDataSyncMessage", "WebcastLiveEcomMessage", "WebcastLiveShoppingMessage", "WebcastProductChangeMessage",
    "WebcastUpdateFanTicketMessage", "WebcastFansclubMessage", "WebcastEmojiChatMessage", "WebcastCommonTextMessage",
    "WebcastMatchAgainstScoreMessage", "WebcastInRoomBannerMessage", "WebcastRanklistHourEntranceMessage",
    "WebcastLinkMicMethod", "WebcastLinkMicArmiesMethod", "WebcastScreenChatMessage", "WebcastLinkerContributeMessage",
    "WebcastLightGiftMessage", "WebcastRoomStreamAdaptationMessage", "WebcastProfitInteractionScoreMessage",
    "WebcastLotteryEventMessage", "WebcastHotChatMessage", "WebcastNotifyEffectMessage"})
FLAT = {"chat": "chat", "comment": "chat", "danmaku": "chat", "member": "enter", "enter": "enter", "like": "like",
        "gift": "gift", "social": "follow", "follow": "follow", "viewers": "viewers", "room_user_seq": "viewers",
        "control": "status"}
CONTROL = {3: "end"}  # ControlMessage.status: "status = 3 下播" (douyin.proto, after HaoDong108/DouyinBarrageGrab)
GIFT_TEXT = re.compile(r"送给主播\s*(\d+)\s*个\s*(\S+)")  # the poll shape's gift content: "用户…:送给主播 1个小心心"
USER_IDS = ("uid", "id", "idStr", "id_str", "secUid", "sec_uid", "nickname", "nickName", "nick_name")


def translate(adapter: Adapter, raw: Any, session: str | None, now: int | None) -> list[Outcome]:
    """The outcomes of one decoded line: one message, a poll response of many, a product or a product list."""
    if type(raw) is list:
        return [o for item in raw for o in translate(adapter, item, session, now)]
    if type(raw) is not dict:
        return [Refused("not a Douyin message: a JSON object")]
    data = raw.get("data")
    if type(data) is dict and (type(data.get("messages")) is list or type(data.get("promotions")) is list):
        clock = epoch_ms(data.get("now")) or now
        items: list[Any] = data["messages"] if type(data.get("messages")) is list else data["promotions"]
        return [o for item in items for o in translate(adapter, item, session, clock)]
    if type(raw.get("messages")) is list:
        return [o for item in raw["messages"] for o in translate(adapter, item, session, epoch_ms(raw.get("now")) or now)]
    return [message(adapter, raw, session, now)]


def message(adapter: Adapter, raw: dict[str, Any], session: str | None, now: int | None) -> Outcome:
    """One message (or one product) as an event, Ignored or Refused."""
    common = raw.get("common")
    payload = raw.get("payload")
    if type(common) is dict:  # protobuf decoded to JSON
        method, body = pick(common, "method") or raw.get("method"), raw
        msg_id = pick(common, "msgId", "msg_id")
        room, created = pick(common, "roomId", "room_id"), pick(common, "createTime", "create_time")
    elif type(payload) is dict and "method" in raw:  # the poll shape
        method, body, msg_id = raw["method"], payload, pick(raw, "msg_id", "msgId")
        room, created = pick(payload, "room_id", "roomId"), pick(payload, "create_time", "createTime")
    elif "type" in raw:  # the flat shape
        kind = FLAT.get(raw["type"]) if type(raw["type"]) is str else None
        if kind is None:
            return Ignored(f"unknown type {str(raw['type'])[:40]}")
        method, body, msg_id = kind, raw, raw.get("msg_id")
        room, created = pick(raw, "room_id", "roomId"), None
    elif "promotion_id" in raw or "product_id" in raw:
        return product(raw, session, now)
    else:
        return Refused("not a Douyin message: no method, common.method or type")
    if type(method) is not str:
        return Refused("not a Douyin message: method is not text")
    kind = KINDS.get(method) or (method if method in FLAT.values() else None)
    if kind is None:
        return Ignored(method if method in UNUSED else f"unknown method {method[:60]}")
    room = room if room not in (0, "0") else None
    if room is None and not session:
        return Refused(f"{method} without a room id (payload.room_id or common.roomId): name the room with --session "
                       "(API: session=)")
    if not adapter.fresh(msg_id):
        return Ignored("duplicate msg_id")
    ts = epoch_ms(created) or id_time(msg_id) or epoch_ms(raw.get("ts")) or now
    if ts is None:
        return Refused(f"{method} without a time (common.createTime, a msg_id, ts)")
    event: dict[str, Any] = {"platform": "douyin", "session_id": str(room or session), "ts": ts, "kind": kind}
    return fields(adapter, event, kind, method, body)


def fields(adapter: Adapter, event: dict[str, Any], kind: str, method: str, body: dict[str, Any]) -> Outcome:
    """The fields of the event's kind from the message's body."""
    user = body.get("user")
    uid = pick(user, *USER_IDS) if type(user) is dict else pick(body, "uid", "user_id", "nickname")
    if kind == "chat":
        event["text"] = pick(body, "content", "msg", "text")
        hashed = adapter.user(uid)
        if hashed is not None:
            event["user"] = hashed
    elif kind in ("enter", "follow"):
        action = number(body.get("action"))
        if kind == "follow" and action is not None and action != 1:
            return Ignored(f"{method} action {action} (not a follow)")
        hashed = adapter.user(uid)
        if hashed is not None:
            event["user"] = hashed
    elif kind == "like":
        count = body.get("count")
        event["count"] = 1 if count is None or count == "" else (number(count) if number(count) is not None else count)
    elif kind == "gift":
        return gift(event, method, body)
    elif kind == "viewers":
        event["online"] = _whole(pick(body, "total", "online"))
        total = pick(body, "totalUser", "total_user")
        if total is not None:
            event["total"] = _whole(total)
    elif kind == "status":
        status = number(body.get("status"))
        state = CONTROL.get(status) if status is not None else None
        if state is None:
            return Ignored(f"{method} status {body.get('status')}")
        event["state"] = state
    return event


def gift(event: dict[str, Any], method: str, body: dict[str, Any]) -> Outcome:
    """A gift: its name and count; its value unknown (Douyin prices gifts in 抖币, gift.diamondCount, not money)."""
    info: dict[str, Any] = body["gift"] if type(body.get("gift")) is dict else {}
    if info.get("combo") is True and number(pick(body, "repeatEnd", "repeat_end")) == 0:
        return Ignored(f"{method} combo in progress (counted at its end)")
    text = pick(body, "content", "msg")
    said = GIFT_TEXT.search(text) if type(text) is str else None
    gift_id = pick(body, "giftId", "gift_id") or info.get("id")
    event["name"] = info.get("name") or (said.group(2) if said else (f"礼物{gift_id}" if gift_id else None))
    count = pick(body, "repeatCount", "repeat_count", "comboCount", "combo_count")
    event["count"] = _whole(count) if count is not None else (int(said.group(1)) if said else 1)
    return event


def product(raw: dict[str, Any], session: str | None, now: int | None) -> Outcome:
    """A product of the room's list: on the shelf, at min_price (what the cheapest SKU costs) or else price, in fen."""
    if not session:
        return Refused("a product without a room id: name the room with --session (API: session=)")
    ts = epoch_ms(raw.get("ts")) or now
    if ts is None:
        return Refused("a product without a time: give the line a ts (epoch ms) or post it live")
    price = raw.get("min_price") if raw.get("min_price") not in (None, 0, "0", "") else raw.get("price")
    return {"platform": "douyin", "session_id": session, "ts": ts, "kind": "product",
            "product_id": pick(raw, "promotion_id", "product_id"), "title": raw.get("title"), "price": yuan(price),
            "action": "on"}


def _whole(value: Any) -> Any:
    n = number(value)
    return n if n is not None else value


# -- the quick path: protobuf JSON with lowerCamelCase names, decoded into types that skip every field not read --------

Id = str | int | None


class _Common(msgspec.Struct):
    method: str = ""
    msgId: Id = None  # noqa: N815  (protobuf's JSON names)
    roomId: Id = None  # noqa: N815
    createTime: Id = None  # noqa: N815


class _User(msgspec.Struct):
    id: Id = None
    idStr: str | None = None  # noqa: N815


class _Gift(msgspec.Struct):
    name: str | None = None
    combo: bool | None = None


class _Message(msgspec.Struct):
    common: _Common | None = None
    user: _User | None = None
    content: str | None = None
    count: Id = None
    total: Id = None
    totalUser: Id = None  # noqa: N815
    giftId: Id = None  # noqa: N815
    repeatCount: Id = None  # noqa: N815
    repeatEnd: Id = None  # noqa: N815
    gift: _Gift | None = None
    action: Id = None
    status: Id = None


_QUICK = msgspec.json.Decoder(_Message)
_QUICK_KINDS = {method: kind for method, kind in KINDS.items() if kind in ("chat", "enter", "like", "viewers")}


def quick(adapter: Adapter, line: str, session: str | None, now: int | None) -> list[Outcome] | None:
    """The commonest lines — a chat, member, like or room-user-seq message decoded from protobuf with its room, its
    createTime in milliseconds and, if it has a user, the user's id — without building a dict of the whole line; None
    sends any other line the full way (``translate``), which gives the same outcome
    (tests/monitor/test_adapters_douyin.py compares them)."""
    try:
        message_ = _QUICK.decode(line)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    common = message_.common
    if common is None:
        return None
    kind = _QUICK_KINDS.get(common.method)
    room, created, user = common.roomId, common.createTime, message_.user
    if kind is None or type(room) is not str or not room or room == "0" or type(created) is not str \
            or len(created) != 13 or not created.isdigit():
        return None
    uid = None
    if user is not None and kind != "viewers" and kind != "like":
        uid = user.id or user.idStr
        if uid is None or uid == "" or uid == 0:
            return None
    msg_id = common.msgId
    if msg_id is not None and msg_id != "" and msg_id != 0:
        seen = adapter.seen
        if msg_id in seen:
            return [Ignored("duplicate msg_id")]
        order = adapter.order
        if len(order) >= adapter.dedup:
            seen.discard(order.popleft())
        seen.add(msg_id)
        order.append(msg_id)
    event: dict[str, Any] = {"platform": "douyin", "session_id": room, "ts": int(created), "kind": kind}
    if kind == "chat":
        event["text"] = message_.content
    elif kind == "viewers":
        event["online"] = _whole(message_.total)
        if message_.totalUser is not None:
            event["total"] = _whole(message_.totalUser)
        return [event]
    elif kind == "like":
        count = message_.count
        event["count"] = 1 if count is None or count == "" else _whole(count)
        return [event]
    if uid is not None:
        text = uid if type(uid) is str else str(uid)
        hashed = adapter.users.get(text)
        event["user"] = hashed if hashed is not None else adapter.user(text)
    return [event]
