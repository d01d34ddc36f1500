"""Each rule fires and resolves at the second it should, on crafted streams one can follow by hand.

T is 2025-11-11 20:00:00 in Shanghai; ``at(s)`` is the ISO time s seconds later. The engine's watermark lags the
latest event by 2 s, and ``close()`` moves it to the last event, so a stream ends with a final event to carry the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from livecommerce.monitor.alerts import iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.rules import RuleFile, RulesError, load_rules, parse_rules

T = 1_762_862_400


def at(second: float) -> str:
    return iso(T + second)


def line(second: float, kind: str, session: str = "S1", platform: str = "douyin", **data: object) -> str:
    return json.dumps(
        {"platform": platform, "session_id": session, "ts": round((T + second) * 1000), "kind": kind, **data}, ensure_ascii=False
    )


def play(lines: Iterable[str], engine: Engine | None = None, muted: bool = False) -> list[tuple[str, str, str, str]]:
    engine = engine or Engine(scanner=None)
    out = [t for ln in lines for t in engine.read(ln)] + engine.close()
    return [(t.rule, t.state, iso(t.at), t.session_id) for t in out if muted or not t.muted]


def heartbeat(first: int, last: int, session: str = "S2", every: int = 5) -> list[str]:
    """Another session that keeps the clock moving."""
    return [line(s, "like", session, count=1) for s in range(first, last + 1, every)]


def merged(*streams: list[str]) -> list[str]:
    return sorted((ln for stream in streams for ln in stream), key=lambda ln: json.loads(ln)["ts"])


def test_a_stream_that_sends_nothing_for_60_seconds_stalls_and_recovers_with_its_next_event() -> None:
    s1 = [line(0, "status", state="start"), line(10, "chat", text="在吗"), line(100, "chat", text="回来了")]
    got = play(merged(s1, heartbeat(0, 130)))
    assert got == [("stream-stalled", "firing", at(70), "S1"), ("stream-stalled", "resolved", at(100), "S1")]


def test_59_seconds_of_silence_is_not_a_stall() -> None:
    s1 = [line(0, "chat", text="a"), line(59, "chat", text="b"), line(118, "chat", text="c")]
    assert play(merged(s1, heartbeat(0, 130))) == []


def test_a_paused_or_ended_stream_does_not_stall() -> None:
    s1 = [line(0, "chat", text="a"), line(5, "status", state="pause"), line(200, "status", state="start")]
    s3 = [line(0, "chat", "S3", text="a"), line(5, "status", "S3", state="end")]
    got = play(merged(s1, s3, heartbeat(0, 230)))
    assert [g for g in got if g[3] in ("S1", "S3")] == []


def test_viewers_drop_of_half_within_60_seconds_from_at_least_100() -> None:
    s1 = [
        line(0, "viewers", online=1000),
        line(20, "viewers", online=800),
        line(30, "viewers", online=500),
        line(40, "viewers", online=700),
    ]
    got = play(merged(s1, heartbeat(0, 95)))
    # at 30: 500 is 50% below the 1000 of second 0 (within 60 s): 以上 counts the threshold itself
    # resolves at 80: the 1000 (held until 20) has left the window (20, 80]; the highest is 800 → 700 is −12.5% < 30%
    assert got == [("viewers-drop", "firing", at(30), "S1"), ("viewers-drop", "resolved", at(80), "S1")]


def test_viewers_drop_needs_a_reference_of_at_least_100() -> None:
    s1 = [line(0, "viewers", online=99), line(10, "viewers", online=10), line(20, "viewers", online=10)]
    assert play(merged(s1, heartbeat(0, 30))) == []


def test_a_slow_decline_is_not_a_drop() -> None:
    s1 = [line(s, "viewers", online=1000 - s * 2) for s in range(0, 181, 10)]  # −20 per 10 s: 1000 → 640
    assert play(merged(s1, heartbeat(0, 190))) == []


def orders(first: int, last: int, per_second: int, session: str = "S1", tag: str = "O") -> list[str]:
    return [
        line(s + i / (per_second + 1), "order", session, order_id=f"{tag}{s}-{i}", amount="10.00")
        for s in range(first, last + 1)
        for i in range(per_second)
    ]


def test_sales_spike_above_five_times_the_sessions_own_median() -> None:
    # minutes 0..5: one order every 6 s → 10 a minute; then 60 orders in second 360 alone
    calm = [line(s, "order", order_id=f"C{s}", amount="10.00") for s in range(0, 360, 6)]
    burst = [line(360 + i / 100, "order", order_id=f"B{i}", amount="1.00") for i in range(60)]
    got = play(merged(calm, burst, heartbeat(0, 480, "S1", 5)))
    # median 10/min; the last 60 s, (300.41, 360.41], hold 9 calm orders (306 … 354) and 42 of the burst: 51 > 50
    assert got[0] == ("sales-spike", "firing", iso(T + 360.41), "S1")
    # resolves when the last minute holds at most 3× the median (30): the burst leaves the window at 420
    assert got[1] == ("sales-spike", "resolved", at(420), "S1")


def test_exactly_five_times_the_median_is_not_above_it() -> None:
    calm = [line(s, "order", order_id=f"C{s}", amount="10.00") for s in range(0, 360, 6)]  # 10/min
    burst = [line(360 + i / 100, "order", order_id=f"B{i}", amount="1.00") for i in range(41)]  # 9 + 41 = 50 = 5×
    assert play(merged(calm, burst, heartbeat(0, 480, "S1", 5))) == []


def test_refund_surge() -> None:
    sold = [line(s, "order", order_id=f"O{s}", amount="10.00") for s in range(0, 300, 10)]  # 30 orders
    back = [line(100 + s, "refund", order_id=f"O{s}", amount="10.00") for s in range(0, 100, 10)]  # 10 refunds by 190
    got = play(merged(sold, back, heartbeat(0, 600, "S1")))
    # at 190: 10 refunds (the minimum) and 20 orders in (−110, 190] → 50% ≥ 30%
    assert got[0] == ("refund-surge", "firing", at(190), "S1")
    # the first refund (100) leaves the 300-s window at 400: 9 refunds < 10 → resolved
    assert got[1] == ("refund-surge", "resolved", at(400), "S1")


def test_price_change_of_30_percent_while_live() -> None:
    s1 = [
        line(0, "product", product_id="P1", title="五常大米", price="100.00", action="on"),
        line(10, "product", product_id="P1", title="五常大米", price="71.00", action="on"),  # −29%: no
        line(20, "product", product_id="P1", title="五常大米", price="70.00", action="on"),  # −30%: 以上
        line(30, "product", product_id="P1", title="五常大米", price="95.00", action="on"),
        line(40, "product", product_id="P2", title="红肠", price="20.00", action="on"),
        line(50, "product", product_id="P2", title="红肠", price="40.00", action="on"),
        line(60, "product", product_id="P2", title="红肠", price="40.00", action="off"),
    ]
    got = play(merged(s1, heartbeat(0, 70)))
    assert got == [
        ("price-change", "firing", at(20), "S1"),
        ("price-change", "resolved", at(30), "S1"),
        ("price-change", "firing", at(50), "S1"),
        ("price-change", "resolved", at(60), "S1"),
    ]


def test_compliance_hit_on_transcript_chat_and_titles_with_the_rules_severity() -> None:
    engine = Engine()
    s1 = [
        line(0, "transcript", text="家人们这款产品包治百病"),
        line(5, "chat", text="主播说的是真的吗"),
        line(10, "product", product_id="P1", title="国家级特效减肥茶", price="99", action="on"),
    ]
    out = [t for ln in merged(s1, heartbeat(0, 400)) for t in engine.read(ln)] + engine.close()
    firing = [(t.labels["compliance_rule"], iso(t.at)) for t in out if t.rule == "compliance-hit" and t.state == "firing"]
    assert ("AD-MED-CURE", at(0)) in firing
    assert len(firing) >= 2 and all(t.severity in ("high", "medium", "low") for t in out if t.rule == "compliance-hit")
    resolved = [(t.labels["compliance_rule"], iso(t.at)) for t in out if t.rule == "compliance-hit" and t.state == "resolved"]
    assert ("AD-MED-CURE", at(300)) in resolved  # the hit leaves the 300-s window
    assert any(h.source == "transcript" and h.text == "包治百病" for h in engine.hits)


def test_a_hit_in_chat_is_marked_on_the_chat_line() -> None:
    engine = Engine()
    for ln in (line(0, "chat", text="听说这个包治百病", user="李四"), line(1, "chat", text="好吃")):
        engine.read(ln)
    engine.close()
    state = engine.sessions[("douyin", "S1")]
    chat = state.last_chat()
    assert chat[0][1] == "李"  # all that is kept of the name: the page shows 李***
    hit = next(h for h in state.recent_hits if h["source"] == "chat")
    assert (hit["ts"], hit["line"]) == (chat[0][0], chat[0][2]) and chat[0][2][hit["start"] : hit["end"]] == "包治百病"
    assert not any(h["line"] == "好吃" for h in state.recent_hits)


def test_complaint_surge() -> None:
    s1 = [line(s, "complaint", text="货不对板", channel="12315") for s in (0, 100, 200)]
    got = play(merged(s1, heartbeat(0, 900, "S1")))
    assert got == [("complaint-surge", "firing", at(200), "S1"), ("complaint-surge", "resolved", at(600), "S1")]


def test_negative_chat_share_above_a_fifth() -> None:
    good = [line(s, "chat", text="好吃") for s in range(0, 40)]  # 40 lines in 40 s
    bad = [line(40 + s, "chat", text="假货吧") for s in range(0, 11)]  # at 50: 11 of 51 = 21.6% > 20%
    got = play(merged(good, bad, heartbeat(0, 130, "S1")))
    assert got[0] == ("negative-chat", "firing", at(50), "S1")  # at 49: 10 of 50 is exactly 20%, not 超过; 11 of 51
    # resolves when the share falls to at most 10% or the window holds fewer than 20 lines
    assert got[1][:2] == ("negative-chat", "resolved")


def test_no_viewers_data_while_the_session_goes_on() -> None:
    s1 = [line(0, "viewers", online=500)] + [line(s, "chat", text="好") for s in range(5, 200, 5)] + [line(200, "viewers", online=480)]
    got = play(merged(s1, heartbeat(0, 210)))
    assert got == [("viewers-drop", "nodata", at(120), "S1"), ("viewers-drop", "resolved", at(200), "S1")]


def test_the_same_alert_is_raised_once_and_the_identity_is_rule_and_labels() -> None:
    s1 = [line(s, "complaint", text="差", channel="12315") for s in (0, 10, 20, 30, 40)]
    s3 = [line(s, "complaint", "S3", text="差", channel="12315") for s in (0, 10, 20)]
    got = play(merged(s1, s3, heartbeat(0, 60)))
    assert got == [("complaint-surge", "firing", at(20), "S1"), ("complaint-surge", "firing", at(20), "S3")]


def test_inhibition_a_stalled_stream_does_not_also_raise_viewers_drop() -> None:
    s1 = [line(0, "viewers", online=1000), line(20, "viewers", online=1000), line(100, "viewers", online=100)]
    got = play(merged(s1, heartbeat(0, 110)), muted=True)
    engine = Engine(scanner=None)
    out = [t for ln in merged(s1, heartbeat(0, 110)) for t in engine.read(ln)] + engine.close()
    drop = [t for t in out if t.rule == "viewers-drop"]
    # at 100 the stream is back with 100 viewers where 1000 stood: a drop of 90%, explained by the stall
    assert ("stream-stalled", "firing", at(80), "S1") in got
    assert drop and drop[0].state == "firing" and drop[0].muted and drop[0].muted.startswith("inhibited by stream-stalled")
    assert [g for g in play(merged(s1, heartbeat(0, 110))) if g[0] == "viewers-drop"] == []


def test_a_silence_mutes_by_matcher_and_time(tmp_path: Path) -> None:
    from livecommerce.monitor.alerts import Silence

    engine = Engine(scanner=None)
    engine.alerts.silences.append(Silence({"session_id": "S1", "rule": "complaint-*"}, T, T + 100, "已知维护", id=7))
    s1 = [line(s, "complaint", text="差", channel="12315") for s in (0, 10, 20)]
    s3 = [line(s, "complaint", "S3", text="差", channel="12315") for s in (0, 10, 20)]
    s4 = [line(s, "complaint", "S4", text="差", channel="12315") for s in (100, 110, 120)]
    out = [t for ln in merged(s1, s3, s4, heartbeat(0, 130)) for t in engine.read(ln)] + engine.close()
    muted = {t.session_id: t.muted for t in out if t.rule == "complaint-surge"}
    assert muted["S1"] == "silenced by 7 (已知维护)"
    assert muted["S3"] is None  # other labels
    assert muted.get("S4", "absent") is None  # S4's alert at 120 is after the silence ends


def test_grouping_sends_one_notification_per_region_and_rule_after_group_wait() -> None:
    engine = Engine(scanner=None)
    stream = []
    for session, region in (("S1", "230102"), ("S3", "230102"), ("S4", "230202")):
        stream.append(
            json.dumps({"platform": "douyin", "session_id": session, "ts": T * 1000, "kind": "status", "state": "start", "region": region})
        )
        stream += [line(s, "complaint", session, text="差", channel="12315") for s in (0, 1, 2)]
    [engine.read(ln) for ln in merged(stream, heartbeat(0, 30))]
    engine.close()
    groups = [(n.group["region"], n.group["rule"], sorted(t.session_id for t in n.alerts), iso(n.at)) for n in engine.notifications]
    assert groups == [("230102", "complaint-surge", ["S1", "S3"], at(7)), ("230202", "complaint-surge", ["S4"], at(7))]
    payload = engine.notifications[0].payload()
    assert payload["status"] == "firing" and payload["commonLabels"]["region"] == "230102"
    assert {a["labels"]["alertname"] for a in payload["alerts"]} == {"complaint-surge"}


def test_pending_for_and_keep_firing_for(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  complaint-surge: {threshold: 2, for: 30, keep_firing_for: 20, window: 60}\n", encoding="utf-8")
    engine = Engine(RuleFile(rules), scanner=None)
    s1 = [line(s, "complaint", text="差", channel="12315") for s in (0, 10, 40)]
    got = play(merged(s1, heartbeat(0, 150, "S1")), engine)
    # ≥2 from 10 → pending; still ≥2 at 40 → firing at 40; below 2 from 70 (10 left) … at 100 (40 left → 0)? the count
    # is 1 from 70 to 99: below the threshold from 70, kept firing 20 s more → resolved at 90
    assert got == [
        ("complaint-surge", "pending", at(10), "S1"),
        ("complaint-surge", "firing", at(40), "S1"),
        ("complaint-surge", "resolved", at(90), "S1"),
    ]


def test_a_replay_at_any_speed_or_batch_gives_the_same_transitions() -> None:
    from livecommerce.monitor.synth import evening

    lines = list(evening(sessions=24, seconds=420, seed=3))
    first = play(lines, Engine())
    small_batches = play(lines, Engine(batch=7))
    assert first == small_batches and len(first) >= 10
    assert {rule for rule, *_ in first} >= {
        "stream-stalled",
        "viewers-drop",
        "compliance-hit",
        "price-change",
        "complaint-surge",
        "negative-chat",
        "refund-surge",
    }


def test_a_checkpointed_engine_goes_on_as_if_never_stopped() -> None:
    import pickle

    from livecommerce.monitor.synth import evening

    lines = list(evening(sessions=16, seconds=300, seed=5))
    whole = play(lines, Engine())
    engine = Engine()
    half = len(lines) // 2
    before = [t for ln in lines[:half] for t in engine.read(ln)]
    restored = pickle.loads(pickle.dumps(engine))
    after = [t for ln in lines[half:] for t in restored.read(ln)] + restored.close()
    assert [(t.rule, t.state, iso(t.at), t.session_id) for t in before + after if not t.muted] == whole


def test_overrides_per_platform_and_session_class(tmp_path: Path) -> None:
    rules = parse_rules({"overrides": [{"platform": "kuaishou", "rules": {"complaint-surge": {"threshold": 1}}}]}, "mine.yaml")
    assert rules.spec("complaint-surge", "kuaishou", "small").threshold == 1
    assert rules.spec("complaint-surge", "douyin", "small").threshold == 3
    assert load_rules().spec("sales-spike", "douyin", "large").params["min_orders"] == 100
    assert rules.session_class(10_000) == "large" and rules.session_class(999) == "small"
    s1 = [line(0, "complaint", platform="kuaishou", text="差", channel="12315")]
    got = play(merged(s1, heartbeat(0, 10)), Engine(rules, scanner=None))
    assert got[0] == ("complaint-surge", "firing", at(0), "S1")


def test_the_rules_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    import os

    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  complaint-surge: {threshold: 5}\n", encoding="utf-8")
    engine = Engine(RuleFile(path), scanner=None)
    engine.read(line(0, "complaint", text="差", channel="12315"))
    assert engine.specs(engine.sessions[("douyin", "S1")])["complaint-surge"].threshold == 5
    path.write_text("rules:\n  complaint-surge: {threshold: 1}\n", encoding="utf-8")
    os.utime(path, (1, 1))
    got = [t for ln in (line(5, "complaint", text="差", channel="12315"), line(9, "like", count=1)) for t in engine.read(ln)]
    assert [(t.rule, t.state) for t in got] == [("complaint-surge", "firing")]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("rules:\n  stalled: {threshold: 5}\n", "unknown rule 'stalled'"),
        ("rules:\n  viewers-drop: {threshold: -1}\n", "viewers-drop.threshold: -1 is not a number ≥ 0"),
        ("rules:\n  viewers-drop: {op: '=>'}\n", 'op is ">=" (以上'),
        ("overrides:\n  - session_class: huge\n    rules: {viewers-drop: {threshold: 1}}\n", "'huge' is not one of"),
        ("inhibit:\n  - source: stream-stalled\n    targets: [nope]\n", "inhibit[0].targets"),
        ("rules: [1, 2]\n", "rules: a mapping"),
    ],
)
def test_a_wrong_rules_file_names_the_place_and_the_value(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_bad_and_far_late_events_are_counted_and_skipped_and_the_stream_goes_on() -> None:
    engine = Engine(scanner=None)
    lines = [
        line(0, "viewers", online=1000),
        "{not json",
        line(40, "viewers", online=900),
        line(5, "viewers", online=10),  # 35 s before the session's latest: far out of order, refused
        json.dumps({"platform": "douyin", "session_id": "S1", "ts": (T + 41) * 1000, "kind": "shout"}),
        line(42, "order", order_id="O1", amount="-1"),
        line(45, "viewers", online=880),
    ]
    got = play(lines, engine)
    assert got == []  # the refused 10 viewers would have been a 99% drop
    assert engine.intake.accepted == 3 and engine.sessions[("douyin", "S1")].online == 880
    assert dict(engine.intake.rejected) == {
        "not JSON": 1,
        "far out of order: 35 s before the session's latest event": 1,
        "unknown kind; one of viewers, chat, like, gift, order, refund, product, transcript, status, complaint, enter, follow": 1,
        "order.amount is an amount ≥ 0": 1,
    }
    assert [line_no for line_no, *_ in engine.intake.examples] == [2, 4, 5, 6]


def test_the_fast_path_for_chat_changes_nothing() -> None:
    from livecommerce.monitor.synth import evening

    lines = list(evening(sessions=30, seconds=420, seed=7))
    lines.insert(1000, lines[999])  # a duplicate, a late line and a broken one on the way
    lines.insert(2000, lines[10])
    lines.insert(3000, '{"platform": "douyin", "kind": "chat"')
    fast, slow = Engine(), Engine()
    slow.fast = False
    got_fast = [t.record() for ln in lines for t in fast.read(ln)] + [t.record() for t in fast.close()]
    got_slow = [t.record() for ln in lines for t in slow.read(ln)] + [t.record() for t in slow.close()]
    assert got_fast == got_slow and len(got_fast) >= 12
    assert (fast.intake.accepted, fast.intake.line, dict(fast.intake.rejected)) == (
        slow.intake.accepted,
        slow.intake.line,
        dict(slow.intake.rejected),
    )
    assert [s.summary() for s in fast.sessions.values()] == [s.summary() for s in slow.sessions.values()]
    assert [s.last_chat() for s in fast.sessions.values()] == [s.last_chat() for s in slow.sessions.values()]
    assert [(k, m.to_json()) for k, m in fast.minutes] == [(k, m.to_json()) for k, m in slow.minutes]
    assert [h.to_json() for h in fast.hits] == [h.to_json() for h in slow.hits]
    state = next(iter(fast.sessions.values()))
    assert state.curve("chat", state.last_event) == next(iter(slow.sessions.values())).curve("chat", state.last_event)


def test_a_line_behind_other_sessions_is_judged_on_its_own_sessions_clock_on_both_paths() -> None:
    # S2 moves the input's clock to 70 before S1's chat stamped 10 arrives: in S1's own order it is not late, so S1 was
    # not silent at 60 (each session has its own clock); silent from 10, it stalls at 70, judged at the end of the input
    lines = [line(0, "chat", text="在吗")] + heartbeat(0, 70) + [line(10, "chat", text="卡了"), line(75, "like", "S2", count=1)]
    fast, slow = Engine(scanner=None), Engine(scanner=None)
    slow.fast = False
    assert play(lines, fast) == play(lines, slow) == [("stream-stalled", "firing", at(70), "S1")]
