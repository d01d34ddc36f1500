"""Kuaishou's own live messages through monitor.adapters (issue 14 point 6), on the cited fixtures of
tests/monitor/fixtures/kuaishou (README.md there: live_room_crawler_pushes is a public capture, feeds_ours a shape of
public code with our values): comment, like and gift feeds and the watching count mapped, users hashed, feed ids
de-duplicated, shares ignored, a push without a room or a time refused; the CLI and the API."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.monitor.adapters import Adapter, Ignored, Refused
from livecommerce.monitor.adapters.kuaishou import watchers
from livecommerce.monitor.events import parse
from tests.monitor.test_api_cli import api, evening  # noqa: F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "kuaishou"
runner = CliRunner()


def lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


def test_feeds_map_to_chat_like_gift_and_viewers() -> None:
    adapter = Adapter("kuaishou", key=b"k")
    first, second, third = (adapter.adapt(raw, "KS-1") for raw in lines("feeds_ours.jsonl"))
    assert [o["kind"] for o in first] == ["chat", "chat", "like", "viewers"]  # type: ignore[index]
    chat, _, like, viewers = first
    assert (chat["text"], chat["ts"], chat["session_id"]) == ("主播好", 1762862400000, "KS-1")  # type: ignore[index]
    assert chat["user"].startswith("u") and len(chat["user"]) == 17  # type: ignore[index]  # a keyed hash
    assert chat["user"] == adapter.user("3xaaaa") != first[1]["user"]  # type: ignore[index]  # principalId, hashed
    assert "3xaaaa" not in json.dumps(first, ensure_ascii=False) and "快手观众甲" not in json.dumps(first, ensure_ascii=False)
    assert (like["count"], viewers["online"]) == (1, 12000)  # type: ignore[index]  # "1.2万"
    gift, share = second
    assert (gift["name"], gift["count"], gift["ts"], "value" in gift) == ("礼物9", 10, 1762862404000, False)  # type: ignore[index]
    assert share == Ignored("shareFeeds")
    assert third == [Ignored("duplicate feed id")]  # comment c-2 again
    for outcome in (*first, gift):
        assert parse(outcome).kind == outcome["kind"]  # type: ignore[index]


def test_the_public_pushes_need_a_room_and_a_time() -> None:
    gift_push, comment_push = lines("live_room_crawler_pushes.jsonl")
    assert Adapter("kuaishou").adapt(gift_push) == [
        Refused("a Kuaishou feed push carries no room id: name the room with --session (API: session=)")
    ]
    assert Adapter("kuaishou").adapt(comment_push, "KS-2") == [
        Refused("a Kuaishou chat feed without a time: give the line a ts (epoch ms) or post it live"),
        Refused("displayWatchingCount without a time: give the line a ts (epoch ms) or post it live"),
    ]
    live = Adapter("kuaishou").adapt(comment_push, "KS-2", now=1762862400000)
    assert [(o["kind"], o.get("text"), o.get("online")) for o in live] == [  # type: ignore[union-attr]
        ("chat", "火箭", None),
        ("viewers", None, 100),
    ]  # "100+": its lower bound


def test_display_counts_read_as_their_lower_bound() -> None:
    assert [watchers(s) for s in ("50+", "100+", "1.2万", "3w", "987", "", "很多")] == [50, 100, 12000, 30000, 987, None, None]


def test_the_cli_replays_kuaishou_feeds_with_a_session() -> None:
    result = runner.invoke(app, ["monitor", "replay", str(FIXTURES / "feeds_ours.jsonl"), "--from", "kuaishou", "--session", "KS-3"])
    assert "5 events, 0 refused, 1 sessions" in result.stderr, result.stderr
    assert "kuaishou: 2 ignored (shareFeeds 1, duplicate feed id 1)" in result.stderr
    assert result.exit_code == 0
    public = runner.invoke(app, ["monitor", "replay", str(FIXTURES / "live_room_crawler_pushes.jsonl"), "--from", "kuaishou"])
    assert "a Kuaishou feed push carries no room id" in public.stderr and public.exit_code == 2  # nothing accepted


def test_the_api_dates_the_public_pushes_by_the_servers_clock(api: Any) -> None:  # noqa: F811
    client, auth = api
    headers = {**auth["feed"], "content-type": "application/x-ndjson"}
    body = (FIXTURES / "live_room_crawler_pushes.jsonl").read_bytes()
    answer = client.post("/api/monitor/events?from=kuaishou&session=KS-API-1", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (4, 0)  # a gift and a count, a comment and a count
    without = client.post("/api/monitor/events?from=kuaishou", content=body, headers=headers).json()
    assert (without["accepted"], without["rejected"]) == (0, 2) and [e["line"] for e in without["examples"]] == [1, 2]
    ours = [json.loads(line) for line in (FIXTURES / "feeds_ours.jsonl").read_text().splitlines()]
    now = int(time.time() * 1000)
    for raw in ours:  # moved to now: the live intake takes the last hour
        raw["ts"] = now - 60_000 + raw["ts"] - 1762862400000
        for feed in raw.get("giftFeeds", []) + raw.get("shareFeeds", []):
            feed["time"] = str(now - 60_000 + int(feed["time"]) - 1762862400000)
    text = "\n".join(json.dumps(raw, ensure_ascii=False) for raw in ours).encode()
    got = client.post("/api/monitor/events?from=kuaishou&session=KS-API-2", content=text, headers=headers).json()
    assert (got["accepted"], got["rejected"], got["ignored"]) == (5, 0, {"shareFeeds": 1, "duplicate feed id": 1})
