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
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import msgspec

from livecommerce.monitor.adapters import Ignored, Outcome, Refused, epoch_ms, id_time, number, pick, yuan
from livecommerce.monitor.events import LAST_TS, MAX_ID, MAX_TEXT

if TYPE_CHECKING:
    from livecommerce.monitor.adapters import Adapter

KINDS = {
    "WebcastChatMessage": "chat",
    "WebcastMemberMessage": "enter",
    "WebcastLikeMessage": "like",
    "WebcastGiftMessage": "gift",
    "WebcastSocialMessage": "follow",
    "WebcastRoomUserSeqMessage": "viewers",
    "WebcastControlMessage": "status",
}
# methods the capture tools name that the monitor does not use: counted as ignored under their name
UNUSED = frozenset(
    {
        "WebcastRoomIntroMessage",
        "WebcastRoomMessage",
        "WebcastRoomStatsMessage",
        "WebcastRoomRankMessage",
        "WebcastRoomDataSyncMessage",
        "WebcastLiveEcomMessage",
        "WebcastLiveShoppingMessage",
        "WebcastProductChangeMessage",
        "WebcastUpdateFanTicketMessage",
        "WebcastFansclubMessage",
        "WebcastEmojiChatMessage",
        "WebcastCommonTextMessage",
        "WebcastMatchAgainstScoreMessage",
        "WebcastInRoomBannerMessage",
        "WebcastRanklistHourEntranceMessage",
        "WebcastLinkMicMethod",
        "WebcastLinkMicArmiesMethod",
        "WebcastScreenChatMessage",
        "WebcastLinkerContributeMessage",
        "WebcastLightGiftMessage",
        "WebcastRoomStreamAdaptationMessage",
        "WebcastProfitInteractionScoreMessage",
        "WebcastLotteryEventMessage",
        "WebcastHotChatMessage",
        "WebcastNotifyEffectMessage",
    }
)
FLAT = {
    "chat": "chat",
    "comment": "chat",
    "danmaku": "chat",
    "member": "enter",
    "enter": "enter",
    "like": "like",
    "gift": "gift",
    "social": "follow",
    "follow": "follow",
    "viewers": "viewers",
    "room_user_seq": "viewers",
    "control": "status",
}
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
        return Refused(f"{method} without a room id (payload.room_id or common.roomId): name the room with --session (API: session=)")
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
    return {
        "platform": "douyin",
        "session_id": session,
        "ts": ts,
        "kind": "product",
        "product_id": pick(raw, "promotion_id", "product_id"),
        "title": raw.get("title"),
        "price": yuan(price),
        "action": "on",
    }


def _whole(value: Any) -> Any:
    n = number(value)
    return n if n is not None else value


# -- the quick path: protobuf JSON with lowerCamelCase names, decoded into types that skip every field not read and
# check most of what the Intake would (a line that fails them goes the full way, which gives the same outcome) --------

Id = str | int | None
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]  # what the Intake takes as text, but ""
Uid = Annotated[str, msgspec.Meta(min_length=1)] | Annotated[int, msgspec.Meta(ge=1)] | None  # what pick() takes first


_QUICK_KINDS = {method: kind for method, kind in KINDS.items() if kind in ("chat", "enter", "like", "viewers", "gift")}
# the methods of _QUICK_KINDS, checked while decoding (the decoder gives the very string of the Literal, its hash known)
Method = Literal["WebcastChatMessage", "WebcastMemberMessage", "WebcastLikeMessage", "WebcastGiftMessage", "WebcastRoomUserSeqMessage"]
assert set(get_args(Method)) == set(_QUICK_KINDS)


class _Common(msgspec.Struct, gc=False):
    method: Method
    roomId: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID)]  # noqa: N815  (protobuf's JSON names)
    createTime: Annotated[str, msgspec.Meta(min_length=13, max_length=13)]  # noqa: N815  (epoch ms; seconds: full way)
    msgId: Id = None  # noqa: N815
    msg_id: None = None  # read when msgId is missing: a line with one goes the full way


class _User(msgspec.Struct, gc=False):
    id: Uid = None
    idStr: Uid = None  # noqa: N815
    uid: None = None  # the full way reads a uid before the id: a user with one goes there


class _Gift(msgspec.Struct, gc=False):
    name: Text | None = None
    combo: bool | None = None


class _Message(msgspec.Struct, gc=False):
    common: _Common
    user: _User | None = None
    content: Text | None = None
    count: Id = None
    total: Id = None
    totalUser: Id = None  # noqa: N815
    total_user: None = None  # read when totalUser is missing
    repeatCount: Id = None  # noqa: N815
    gift: _Gift | None = None
    data: None = None  # a poll response or a list of messages (the full way reads them)
    messages: None = None


_QUICK = msgspec.json.Decoder(_Message)
DUPLICATE = Ignored("duplicate msg_id")


def _count(value: Id) -> int | None:
    """A count ≥ 0 from a JSON int or a string of ASCII digits (protobuf's JSON writes int64 as strings); else None."""
    if type(value) is str:
        return int(value) if value.isdigit() and value.isascii() and len(value) <= 18 else None
    if type(value) is int:
        return value if value >= 0 else None
    return None


def take(adapter: Adapter, line: str) -> tuple[str, str, int, dict[str, Any]] | Ignored | None:
    """The commonest lines straight into what the Intake would make of them — a chat, member, like, gift or
    room-user-seq message decoded from protobuf JSON, with its room, its createTime in epoch milliseconds and every
    field the event needs well-typed — as (kind, room, ms, the event's data), the data exactly as ``events.parse``
    builds it, so that nothing is checked twice; ``DUPLICATE`` for a message id seen before. None sends the line the
    full way (``translate``, then the Intake), before anything is changed (its id is not yet remembered): any line
    this path does not fully check goes there, and gives there the outcome it would give here
    (tests/monitor/test_adapters_douyin.py compares the two)."""
    try:
        message_ = _QUICK.decode(line)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    common = message_.common
    try:
        ms = int(common.createTime)
    except ValueError:
        return None
    room = common.roomId
    # 13 characters (the decoder checked) worth at least 10¹² are 13 digits: no sign, space or "_" that int() allows
    if ms >= LAST_TS or ms < 1_000_000_000_000 or room == "0":
        return None
    kind = _QUICK_KINDS[common.method]
    if kind == "chat":
        user, text = message_.user, message_.content
        if user is None or text is None:
            return None  # no user object: the full way looks for a uid beside the message
        uid = user.id or user.idStr
        if uid is None:
            return None
        data: dict[str, Any] = {"text": text}
    elif kind == "viewers":
        online, total = _count(message_.total), message_.totalUser
        if online is None:
            return None
        data = {"online": online}
        if total is not None:
            total = _count(total)
            if total is None:
                return None
            data["total"] = total
        uid = None
    elif kind == "like":
        likes = message_.count
        count = 1 if likes is None or likes == "" else _count(likes)
        if count is None:
            return None
        data, uid = {"count": count}, None
    elif kind == "enter":
        user = message_.user
        uid = user.id or user.idStr if user is not None else None
        if uid is None:
            return None
        data = {}
    else:  # a gift with its name and count given, not a combo in progress (its value unknown: Douyin gives 抖币)
        info, count = message_.gift, _count(message_.repeatCount)
        if info is None or info.combo is True or info.name is None or count is None:
            return None
        data, uid = {"name": info.name, "count": count}, None
    msg_id = common.msgId
    if msg_id is not None and msg_id != "" and msg_id != 0:  # Adapter.fresh and Adapter.remember, written out
        seen = adapter.seen
        known = len(seen)
        seen.add(msg_id)
        if len(seen) == known:
            return DUPLICATE
        order = adapter.order
        order.append(msg_id)
        if known >= adapter.dedup:
            seen.discard(order.popleft())
    if uid is not None:  # Adapter.user, written out
        keyed = adapter.keyed.copy()
        keyed.update((uid if type(uid) is str else str(uid)).encode())
        data["user"] = "u" + keyed.hexdigest()
    return kind, room, ms, data


def quick(adapter: Adapter, line: str, session: str | None, now: int | None) -> list[Outcome] | None:
    """``take``'s answer as the outcomes ``translate`` gives (an event dict, or the duplicate ignored); None sends the
    line the full way."""
    got = take(adapter, line)
    if got is None or isinstance(got, Ignored):
        return None if got is None else [got]
    kind, room, ms, data = got
    return [{"platform": "douyin", "session_id": room, "ts": ms, "kind": kind, **data}]
