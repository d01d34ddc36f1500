"""Douyin's own live messages through monitor.adapters (issue 14 point 6), on the cited fixtures of
tests/monitor/fixtures/douyin (README.md there: dy_data_* are public captures, *_ours are shapes of public code with our
values): every shape mapped to its kind, time from createTime or else the msg_id's high 32 bits, fen to yuan, user ids
hashed, re-polled ids dropped, room intros ignored, messages without a room refused unless a session names it; the
CLI (`monitor replay --from douyin`) and the API (`POST /api/monitor/events?from=douyin`)."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.monitor.adapters import Adapter, Ignored, Refused, adapt, id_time
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.events import Event, parse
from tests.monitor.test_api_cli import api, evening  # noqa: F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "douyin"
KEY = b"test key"
runner = CliRunner()


def lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


def outcomes(name: str, session: str | None = None, now: int | None = None) -> list[Any]:
    adapter = Adapter("douyin", key=KEY)
    return [o for raw in lines(name) for o in adapter.adapt(raw, session, now)]


def shanghai(ms: int) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(ms / 1000, SHANGHAI).isoformat()


def test_the_public_poll_maps_every_method_and_dates_each_message_by_its_id() -> None:
    out = outcomes("dy_data_poll_messages.jsonl")
    assert out[0] == Ignored("WebcastRoomIntroMessage")
    events = [o for o in out if type(o) is dict]
    assert [e["kind"] for e in events] == [
        "chat",
        "chat",
        "chat",
        "enter",
        "enter",
        "enter",
        "like",
        "chat",
        "enter",
        "follow",
        "enter",
        "gift",
        "enter",
    ]
    first = events[0]
    # 6922636275858098944 >> 32 = 1611801859 (by hand: 6922636275858098944 // 4294967296), 38 s before the poll's now
    assert (first["session_id"], first["text"], first["ts"]) == ("6922580638159719176", "想要长款连衣裙", 1611801859000)
    assert shanghai(first["ts"]) == "2021-01-28T10:44:19+08:00"
    assert events[6] == {
        "platform": "douyin",
        "session_id": "6922580638159719176",
        "ts": 1611801894000,
        "kind": "like",
        "count": 1,
    }  # 6922636425427503886 >> 32; no count in the poll: one like
    gift = events[11]
    assert (gift["name"], gift["count"], "value" in gift) == ("小心心", 1, False)  # "送给主播 1个小心心"; no value given
    assert shanghai(gift["ts"]) == "2021-01-28T10:27:37+08:00"  # a message sent again, 17 minutes old
    for event in events:
        assert parse(event).kind == event["kind"]  # each one passes the Intake


def test_user_ids_are_hashed_with_a_key_and_nicknames_dropped() -> None:
    events = [o for o in outcomes("dy_data_poll_messages.jsonl") if type(o) is dict]
    chats = [e for e in events if e["kind"] == "chat"]
    # the capture's uid 1002 (one viewer) wrote two of the chats; another viewer wrote each of the others
    assert chats[1]["user"] == chats[3]["user"] and chats[0]["user"] != chats[1]["user"]
    assert all(e["user"].startswith("u") and len(e["user"]) == 17 and "1002" not in e["user"] for e in chats)
    assert all("[redacted]" not in json.dumps(e) for e in events)  # nicknames are not carried
    other = Adapter("douyin", key=b"another key").adapt(lines("dy_data_poll_messages.jsonl")[1])[0]
    assert type(other) is dict and other["user"] != chats[0]["user"]  # another key, another pseudonym
    assert Adapter("douyin").user(1002) != Adapter("douyin").user(1002)  # a fresh random key per adapter
    from hashlib import blake2b  # the pseudonym is keyed BLAKE2b (RFC 7693), 8 bytes, of the id's text

    assert Adapter("douyin", key=KEY).user(1002) == "u" + blake2b(b"1002", key=KEY, digest_size=8).hexdigest()
    one = Adapter("douyin", key=KEY)  # the id as a number or as text (protobuf's JSON): one viewer, one pseudonym
    assert one.user(1002) == one.user("1002") == one.user("1002") == Adapter("douyin", key=KEY).user("1002")


def test_message_ids_carry_their_second_on_both_public_polls() -> None:
    for raw in lines("dy_data_poll_responses.jsonl"):
        now = raw["data"]["now"]
        for message in raw["data"]["messages"]:
            if message["method"] in ("WebcastChatMessage", "WebcastMemberMessage", "WebcastLikeMessage", "WebcastSocialMessage"):
                seconds_before = (now - id_time(message["msg_id"])) / 1000  # type: ignore[operator]
                assert 0 < seconds_before < 40, message["msg_id"]


def test_a_re_polled_batch_is_dropped_by_msg_id_within_the_bound() -> None:
    adapter = Adapter("douyin", key=KEY)
    response = lines("dy_data_poll_responses.jsonl")[0]
    first = adapter.adapt(response)
    assert sum(type(o) is dict for o in first) == 13
    again = adapter.adapt(response)
    assert again == [Ignored("WebcastRoomIntroMessage")] + [Ignored("duplicate msg_id")] * 13
    assert adapter.summary() == "15 ignored (duplicate msg_id 13, WebcastRoomIntroMessage 2)"
    small = Adapter("douyin", key=KEY, dedup=2)  # only the last two ids remembered: the first comes back as new
    messages = lines("dy_data_poll_messages.jsonl")[1:4]
    for message in messages:
        small.adapt(message)
    assert type(small.adapt(messages[0])[0]) is dict and small.adapt(messages[2]) == [Ignored("duplicate msg_id")]


def test_protobuf_json_maps_counts_gifts_follows_viewers_and_the_end() -> None:
    out = outcomes("proto_json_ours.jsonl")
    events = [o for o in out if type(o) is dict]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_kind.setdefault(event["kind"], []).append(event)
    assert by_kind["chat"][0]["ts"] == 1762862400000  # common.createTime
    assert [e["count"] for e in by_kind["like"]] == [15, 1]  # LikeMessage.count; none given: one
    assert [(g["name"], g["count"], "value" in g) for g in by_kind["gift"]] == [("粉丝团灯牌", 3, False), ("玫瑰", 1, False)]
    assert by_kind["viewers"] == [
        {"platform": "douyin", "session_id": "7437000000000000001", "ts": 1762862407000, "kind": "viewers", "online": 1520, "total": 8800}
    ]
    assert by_kind["follow"][0]["user"] == by_kind["enter"][0]["user"]  # the viewer who came in (112) followed
    assert by_kind["status"][0]["state"] == "end"
    assert [o for o in out if type(o) is Ignored] == [
        Ignored("WebcastRoomIntroMessage"),
        Ignored("WebcastProductChangeMessage"),
        Ignored("unknown method WebcastSomethingNewMessage"),
        Ignored("duplicate msg_id"),
    ]
    refused = [o for o in out if type(o) is Refused]
    assert len(refused) == 1 and refused[0].reason.startswith("WebcastChatMessage without a room id")
    named = [o for o in outcomes("proto_json_ours.jsonl", session="R-1") if type(o) is dict and o["kind"] == "chat"]
    assert [e["session_id"] for e in named] == ["7437000000000000001", "R-1"]  # --session only fills a missing room


def test_create_time_wins_over_the_id_and_seconds_are_read_as_seconds() -> None:
    message = {
        "common": {"method": "WebcastChatMessage", "msgId": str((1700000000 << 32) | 5), "roomId": "9", "createTime": "1762862400"},
        "content": "x",
    }
    assert adapt(message, "douyin")[0]["ts"] == 1762862400000  # type: ignore[index]
    del message["common"]["createTime"]  # type: ignore[attr-defined]
    assert adapt(message, "douyin")[0]["ts"] == 1700000000000  # type: ignore[index]
    message["common"]["msgId"] = "5"  # type: ignore[index]  # an id that is no time, and no other time: refused
    assert adapt(message, "douyin") == [Refused("WebcastChatMessage without a time (common.createTime, a msg_id, ts)")]


def test_prices_in_fen_become_yuan_and_a_change_is_reported_in_yuan() -> None:
    public = outcomes("dy_data_promotion.jsonl", session="R-9", now=1762862400000)[0]
    assert (public["price"], public["title"], public["action"]) == (Decimal("59.90"), "k00006三色显瘦牛仔裤", "on")
    only_price = Adapter("douyin").adapt({"promotion_id": "1", "title": "t", "price": 99900, "ts": 1762862400000}, "R")
    assert only_price[0]["price"] == Decimal("999.00")  # type: ignore[index]
    assert outcomes("dy_data_promotion.jsonl") == [Refused("a product without a room id: name the room with --session (API: session=)")]
    engine, adapter = Engine(scanner=None), Adapter("douyin", key=KEY)
    said = [
        t.summary
        for line in (FIXTURES / "promotions_ours.jsonl").read_text().splitlines()
        for event in adapter.read(engine.intake, line, "R-9")
        for t in engine.feed(event)
    ]
    assert said == ["商品「k00006三色显瘦牛仔裤」价格由 19.90 元改为 59.90 元（变动 201.0%）"]


def test_the_flat_shape_maps_types_and_needs_a_room() -> None:
    out = outcomes("flat_ours.jsonl")
    events = [o for o in out if type(o) is dict]
    assert [e["kind"] for e in events] == ["chat", "enter", "like", "gift", "follow"]
    assert (events[0]["text"], events[3]["name"], events[3]["count"]) == ("能便宜点吗", "小心心", 2)
    assert out[-1] == Refused("chat without a room id (payload.room_id or common.roomId): name the room with --session (API: session=)")


def test_gifts_without_a_value_are_counted_apart_not_as_zero() -> None:
    engine = Engine(scanner=None)
    adapter = Adapter("douyin", key=KEY)
    for line in (FIXTURES / "proto_json_ours.jsonl").read_text().splitlines():
        for event in adapter.read(engine.intake, line):
            engine.feed(event)
    state = engine.sessions.get(("douyin", "7437000000000000001")) or engine.ended[0]
    assert (state.gifts, state.gifts_unvalued, state.likes) == (Decimal("0.00"), 4, 16)


def cli(*args: str) -> Any:
    return runner.invoke(app, ["monitor", "replay", *args])


def test_the_cli_replays_douyin_polls_and_says_what_it_ignored_and_refused() -> None:
    result = cli(str(FIXTURES / "dy_data_poll_responses.jsonl"), "--from", "douyin")
    assert "19 events, 1 refused, 2 sessions" in result.stderr
    assert "douyin: 1 ignored (WebcastRoomIntroMessage 1)" in result.stderr
    assert "dy_data_poll_responses.jsonl:1: far out of order: 1039 s" in result.stderr  # the 17-minute-old gift
    assert result.exit_code == 1  # some refused


def test_the_cli_refuses_a_message_without_a_room_unless_session_names_it() -> None:
    alone = FIXTURES / "proto_json_ours.jsonl"
    result = cli(str(alone), "--from", "douyin")
    assert "9 events, 1 refused" in result.stderr and "WebcastChatMessage without a room id" in result.stderr
    assert "proto_json_ours.jsonl:13:" in result.stderr  # the line of the file
    named = cli(str(alone), "--from", "douyin", "--session", "7437000000000000001")
    assert "10 events, 0 refused, 1 sessions" in named.stderr and named.exit_code == 0
    assert (
        "4 ignored (WebcastRoomIntroMessage 1, WebcastProductChangeMessage 1, unknown method "
        "WebcastSomethingNewMessage 1, duplicate msg_id 1)" in named.stderr
    )
    assert cli(str(alone), "--from", "weibo").exit_code == 2
    assert cli(str(alone), "--session", "X").exit_code == 2  # --session without --from


def test_the_api_adapts_douyin_lines_and_counts_what_it_ignored(api: Any) -> None:  # noqa: F811
    client, auth = api
    now = int(time.time() * 1000)
    body = []
    for raw in lines("proto_json_ours.jsonl"):  # our lines, moved to now (the live intake takes the last hour)
        common = raw["common"]
        created = "createTime" if "createTime" in common else "create_time"
        common[created] = str(now - 60_000 + int(common[created]) - 1762862400000)
        common["room_id" if "room_id" in common else "roomId"] = "API-DY-1"
        body.append(json.dumps(raw, ensure_ascii=False))
    headers = {**auth["feed"], "content-type": "application/x-ndjson"}
    answer = client.post("/api/monitor/events?from=douyin", content="\n".join(body).encode(), headers=headers)
    assert answer.status_code == 202, answer.text
    got = answer.json()
    assert (got["accepted"], got["rejected"]) == (10, 0)  # the line without a room got the room set above
    assert got["ignored"] == {
        "WebcastRoomIntroMessage": 1,
        "WebcastProductChangeMessage": 1,
        "unknown method WebcastSomethingNewMessage": 1,
        "duplicate msg_id": 1,
    }
    again = client.post("/api/monitor/events?from=douyin", content="\n".join(body).encode(), headers=headers).json()
    assert again["accepted"] == 0 and again["ignored"]["duplicate msg_id"] == 11  # the re-poll, across requests
    product = client.post(
        "/api/monitor/events?from=douyin&session=API-DY-2", headers=headers, content=(FIXTURES / "dy_data_promotion.jsonl").read_bytes()
    ).json()
    assert (product["accepted"], product["rejected"]) == (1, 0)  # dated by the server's clock
    old = client.post(
        "/api/monitor/events?from=douyin", headers=headers, content=(FIXTURES / "dy_data_poll_messages.jsonl").read_bytes()
    ).json()
    assert old["accepted"] == 0 and old["ignored"] == {"WebcastRoomIntroMessage": 1}
    assert old["reasons"] == {
        "ts more than 3600 s before the server's clock: the live intake takes events as they "
        "happen (replay recorded ones with `livecommerce monitor replay`)": 12,
        "far out of order: 1039 s before the session's latest event": 1,
    }  # adapted, not "unknown kind"
    assert [e["line"] for e in old["examples"]][:2] == [2, 3]  # numbered as sent (line 1 is the ignored intro)
    wrong = client.post("/api/monitor/events?from=weibo", content=b"{}", headers=headers)
    assert wrong.status_code == 422 and "one of douyin, kuaishou" in wrong.text


def test_the_quick_path_gives_what_the_full_way_gives() -> None:
    from livecommerce.monitor.adapters.douyin import quick, take, translate

    texts = (FIXTURES / "proto_json_ours.jsonl").read_text(encoding="utf-8").splitlines()
    chat = '{"common":{"method":"WebcastChatMessage","msgId":"%s","roomId":"7","createTime":%s},%s}'
    texts += [
        chat % ("1", '"1762862400000"', '"user":{"idStr":"88","nickName":"n"},"content":"hi"'),
        '{"common":{"method":"WebcastChatMessage","msgId":"9","roomId":7,"createTime":"1762862400000"},'
        '"user":{"nickName":"only a name"},"content":"hi"}',
        '{"common":{"method":"WebcastLikeMessage","msgId":"2","roomId":"7","createTime":1762862400},"count":"3"}',
        chat % ("3", '"x"', '"content":"no time"'),
        '{"common":{"method":"WebcastChatMessage","roomId":"7","createTime":"1762862400000"},"content":5}',
        # 20-31: each goes the full way, which reads what the quick path does not
        chat % ("4", "1762862400000", '"user":{"id":"88"},"content":"hi"'),  # createTime a JSON number
        chat % ("5", '"1762862400000"', '"user":{"id":0,"idStr":"88"},"content":"hi"'),  # id 0: no user
        chat % ("6", '"1762862400000"', '"user":{"uid":"77","id":"88"},"content":"hi"'),  # uid before id
        chat % ("7", '"1762862400000"', '"user":{"id":"88"},"content":"","msg":"from msg"'),
        chat % ("8", '"0000000000000"', '"user":{"id":"88"},"content":"hi"'),  # no time: refused
        chat % ("9", '"4102444800000"', '"user":{"id":"88"},"content":"hi"'),  # 2100: refused by the Intake
        '{"common":{"method":"WebcastChatMessage","msg_id":"10","msgId":"","roomId":"7","createTime":'
        '"1762862400000"},"user":{"id":"88"},"content":"hi"}',
        '{"common":{"method":"WebcastRoomUserSeqMessage","msgId":"11","roomId":"7","createTime":"1762862400000"},'
        '"total":"5","total_user":"9"}',
        '{"common":{"method":"WebcastLikeMessage","msgId":"12","roomId":"7","createTime":"1762862400000"},"count":"-3"}',
        '{"common":{"method":"WebcastGiftMessage","msgId":"13","roomId":"7","createTime":"1762862400000"},'
        '"repeatCount":"1","repeatEnd":0,"gift":{"name":"玫瑰","combo":true}}',  # a combo in progress: ignored
        '{"common":{"method":"WebcastChatMessage","msgId":"14","roomId":"%s","createTime":"1762862400000"},'
        '"user":{"id":"88"},"content":"hi"}' % ("7" * 65),  # a room id longer than the Intake takes
        chat % ("15", '"1762862400000"', '"content":"hi","data":{"messages":[]}'),
    ]
    taken = []
    for number, text in enumerate(texts, 1):
        fast, full = Adapter("douyin", key=KEY), Adapter("douyin", key=KEY)
        got = quick(fast, text, "S", None)
        if got is not None:
            taken.append(number)
            # what Adapter.feed hands the engine is the Event the Intake builds of that event
            kind, room, ms, data = take(Adapter("douyin", key=KEY), text)  # type: ignore[misc]
            assert Event("douyin", room, ms / 1000, kind, data) == parse(got[0]), text
        assert got is None or got == translate(full, json.loads(text), "S", None), text
    assert taken == [1, 2, 3, 4, 5, 8, 12, 15]  # lines 1-5, 8 and 12 of the fixture (chat, member, likes, gift,
    # viewers) and the first of ours
    again = Adapter("douyin", key=KEY)
    assert quick(again, texts[0], None, None) == translate(Adapter("douyin", key=KEY), json.loads(texts[0]), None, None)
    assert quick(again, texts[0], None, None) == [Ignored("duplicate msg_id")]  # the same id the second time
    assert again.full(texts[0]) == [Ignored("duplicate msg_id")]  # both ways share the memory of ids


def test_feed_takes_a_line_as_read_and_the_engine_do() -> None:
    texts = (FIXTURES / "proto_json_ours.jsonl").read_text(encoding="utf-8").splitlines() * 2  # the file sent twice
    fed, read = Engine(scanner=None), Engine(scanner=None)
    one, other = Adapter("douyin", key=KEY), Adapter("douyin", key=KEY)
    for text in texts:
        one.feed(fed, text)
        for event in other.read(read.intake, text):
            read.feed(event)
    assert (fed.intake.accepted, sum(fed.intake.rejected.values())) == (read.intake.accepted, 2) == (9, 2)
    # line 12 the first time; lines 1-8, 12 and 14 the second (intro, product change and unknown go by their method)
    assert one.ignored == other.ignored and one.ignored["duplicate msg_id"] == 11
    state, same = fed.sessions[("douyin", "7437000000000000001")], read.sessions[("douyin", "7437000000000000001")]
    assert state.summary() == same.summary()
