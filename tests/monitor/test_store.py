"""The monitor's store (monitor/service.py) on SQLite and on a real PostgreSQL server: recording is idempotent, alerts
are episodes with their history, a city bureau sees its own city's sessions and alerts, acknowledgements and silences
are checked, kept and audited.

The evening of these tests (T0 = 2025-11-11 20:00:00 Asia/Shanghai; every figure checkable by hand):
  douyin/HRB-1  shop DY-HRB of 哈尔滨甲 (230102 哈尔滨市道里区), labels carry region 230102
     stream-stalled  firing T0+60 (20:01:00) → resolved T0+75 (20:01:15)
     sales-spike     pending T0+100 (20:01:40) → firing T0+130 (20:02:10)
     minutes 20:00 (online 120, orders 3, gmv 300.00) and 20:01 (online 80, orders 2, gmv 134.50); one hit 包治百病
     totals: gmv 434.50, orders 5, peak online 150
  douyin/QQ-1   shop DY-QQ of 齐齐哈尔乙 (230202 齐齐哈尔市龙沙区), started 20:00:20; its labels carry no region: the
                shop's is used
     negative-chat   firing T0+200 (20:03:20)
Three alerts (one resolved, two firing), five transitions.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.errors import NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.scope import SystemActor
from livecommerce.core.timeutil import now
from livecommerce.monitor import recording, service
from livecommerce.monitor.alerts import Transition, fingerprint
from livecommerce.monitor.engine import Engine, Hit
from livecommerce.monitor.models import (
    MonitorAlert,
    MonitorAlertHistory,
    MonitorHit,
    MonitorMinute,
    MonitorSession,
    MonitorSilence,
)
from livecommerce.monitor.state import MinuteRow, SessionState
from tests.stats.conftest import _valid_uscc

T0 = 1_762_862_400  # 2025-11-11 20:00:00 +08:00
HRB_USCC = _valid_uscc("91230102MA1MNHB01")
QQ_USCC = _valid_uscc("91230202MA1MNQQ02")
HRB_LABELS = {"platform": "douyin", "session_id": "HRB-1", "shop": "DY-HRB", "streamer": "ST-H", "region": "230102"}
QQ_LABELS = {"platform": "douyin", "session_id": "QQ-1", "shop": "DY-QQ", "streamer": "ST-Q"}
WINDOWS = {"viewers-drop": 60, "sales-spike": 60, "refund-surge": 300, "negative-chat": 60, "complaint-surge": 600}

ANALYST = UserActor(2, "analyst", "province_analyst")
HRB_OFFICER = UserActor(3, "hrb", "city_officer", scope_region="230100")
QQ_OFFICER = UserActor(4, "qq", "city_officer", scope_region="230200")
HRB_ENTERPRISE = UserActor(5, "hrb-shop", "enterprise", scope_entity=HRB_USCC)


def load_registry() -> None:
    """The two entities and their douyin shops."""
    from livecommerce.ingest.service import ingest_records

    entities = [
        dict(uscc=HRB_USCC, name="哈尔滨甲农业有限公司", kind="enterprise", region="230102"),
        dict(uscc=QQ_USCC, name="齐齐哈尔乙食品有限公司", kind="enterprise", region="230202"),
    ]
    shops = [
        dict(platform="douyin", shop_id="DY-HRB", shop_name="甲旗舰店", uscc=HRB_USCC, region="230102"),
        dict(platform="douyin", shop_id="DY-QQ", shop_name="乙旗舰店", uscc=QQ_USCC, region="230202"),
    ]
    for feed, rows in (("entities", entities), ("shops", shops)):
        result = ingest_records(feed, rows, SystemActor(), source_name=feed)
        assert result.rejected == 0, result.problems


@pytest.fixture
def registry(registry_home: Any) -> Any:
    load_registry()
    return registry_home


def _t(rule: str, state: str, at: int, labels: dict[str, str], summary: str = "", muted: str | None = None) -> Transition:
    return Transition(rule, state, T0 + at, labels, summary or f"{rule} {state}", "warning", fingerprint(rule, labels), 1.0, muted)


def _state(labels: dict[str, str], **figures: Any) -> SessionState:
    state = SessionState(labels["platform"], labels["session_id"], T0, WINDOWS)
    state.labels.update(labels)
    for name, value in figures.items():
        setattr(state, name, value)
    return state


def _minute(at: int, online: int, orders: int, gmv: str) -> MinuteRow:
    row = MinuteRow(T0 + at)
    row.online = row.peak_online = online
    row.orders, row.gmv = orders, Decimal(gmv)
    return row


TRANSITIONS = [
    _t("stream-stalled", "firing", 60, HRB_LABELS),
    _t("stream-stalled", "resolved", 75, HRB_LABELS),
    _t("sales-spike", "pending", 100, HRB_LABELS),
    _t("sales-spike", "firing", 130, HRB_LABELS),
    _t("negative-chat", "firing", 200, QQ_LABELS, "近 60 秒弹幕 40 条，其中负面 12 条"),
]
MINUTES = [(("douyin", "HRB-1"), _minute(0, 120, 3, "300.00")), (("douyin", "HRB-1"), _minute(60, 80, 2, "134.50"))]
HITS = [
    Hit(
        "douyin",
        "HRB-1",
        T0 + 42.5,
        "transcript",
        "medical-cure-all",
        "虚假宣传",
        "high",
        "《广告法》第十七条",
        "包治百病",
        "这个保健品包治百病，全网最低价",
        "删除疗效用语",
    )
]


def record_evening(session: Any) -> None:
    hrb = _state(HRB_LABELS, gmv=Decimal("434.50"), orders=5, peak_online=150, online=80, total_viewers=900, last_event=T0 + 130.0)
    qq = _state(QQ_LABELS, gmv=Decimal("88.00"), orders=1, peak_online=60, online=55, started=T0 + 20.0, last_event=T0 + 200.0)
    recording.record(session, transitions=TRANSITIONS, minutes=MINUTES, hits=HITS, sessions=[hrb, qq])
    session.commit()


def _counts(session: Any) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (MonitorSession, MonitorMinute, MonitorHit, MonitorAlert, MonitorAlertHistory)
    }


def _alert_of(session: Any, rule: str) -> dict[str, Any]:
    found, _ = service.list_alerts(session, ANALYST, rule=rule)
    return found[0]


# -------------------------------------------------------------------------------------------------------- record


def test_recording_the_same_evening_twice_changes_nothing(registry: Any, session: Any) -> None:
    record_evening(session)
    expected = {"monitor_sessions": 2, "monitor_minutes": 2, "monitor_hits": 1, "monitor_alerts": 3, "monitor_alert_history": 5}
    assert _counts(session) == expected
    stamp = session.scalar(select(MonitorSession.updated_at).where(MonitorSession.session_id == "HRB-1"))
    record_evening(session)
    assert _counts(session) == expected
    assert session.scalar(select(MonitorSession.updated_at).where(MonitorSession.session_id == "HRB-1")) == stamp


def test_a_later_row_of_the_same_minute_replaces_the_earlier_one(registry: Any, session: Any) -> None:
    recording.record(session, minutes=[(("douyin", "HRB-1"), _minute(0, 120, 3, "300.00"))])
    recording.record(session, minutes=[(("douyin", "HRB-1"), _minute(0, 130, 4, "399.90"))])
    session.commit()
    rows = session.scalars(select(MonitorMinute)).all()
    assert [(r.online, r.orders, r.gmv) for r in rows] == [(130, 4, Decimal("399.90"))]


def test_an_alert_is_one_episode_from_its_first_transition_to_its_resolution(registry: Any, session: Any) -> None:
    record_evening(session)
    spike = service.get_alert(session, ANALYST, _alert_of(session, "sales-spike")["id"])
    assert (spike["state"], spike["title"], spike["started_at"], spike["updated_at"], spike["resolved_at"]) == (
        "firing",
        "订单异常激增",
        "2025-11-11T20:01:40+08:00",
        "2025-11-11T20:02:10+08:00",
        None,
    )
    assert [(h["state"], h["at"]) for h in spike["history"]] == [
        ("pending", "2025-11-11T20:01:40+08:00"),
        ("firing", "2025-11-11T20:02:10+08:00"),
    ]
    stall = _alert_of(session, "stream-stalled")
    assert (stall["state"], stall["resolved_at"]) == ("resolved", "2025-11-11T20:01:15+08:00")
    # the same session stalls again later: a new episode, the first one keeps its history
    recording.record(session, transitions=[_t("stream-stalled", "firing", 300, HRB_LABELS)])
    found, total = service.list_alerts(session, ANALYST, rule="stream-stalled")
    assert total == 2
    assert [(a["state"], a["started_at"]) for a in found] == [
        ("firing", "2025-11-11T20:05:00+08:00"),
        ("resolved", "2025-11-11T20:01:00+08:00"),
    ]
    assert found[0]["fingerprint"] == found[1]["fingerprint"]


def test_an_ended_session_closes_its_alerts_that_never_fired(registry: Any, session: Any) -> None:
    recording.record(session, transitions=[_t("viewers-drop", "pending", 30, HRB_LABELS)])
    ended = _state(HRB_LABELS, status="ended", ended_at=T0 + 45.0, last_event=T0 + 45.0)
    recording.record(session, sessions=[ended])
    alert = _alert_of(session, "viewers-drop")
    assert (alert["state"], alert["resolved_at"]) == ("resolved", "2025-11-11T20:00:45+08:00")


def test_what_the_engine_sees_is_stored_as_it_said(registry: Any, session: Any) -> None:
    """A session sends viewers at 20:00:00 and 20:00:01 and then nothing, while another goes on: it has stalled 60 s
    at 20:01:01 (stream-stalled, 60 s, critical)."""
    engine = Engine(scanner=None)
    lines = [
        {
            "platform": "douyin",
            "session_id": "A",
            "ts": (T0 + s) * 1000,
            "kind": "viewers",
            "online": 500,
            "region": "230102",
            "shop_id": "DY-HRB",
        }
        for s in (0, 1)
    ]
    lines += [
        {"platform": "douyin", "session_id": "B", "ts": (T0 + s) * 1000, "kind": "like", "count": 1, "region": "230202"}
        for s in range(0, 80, 5)
    ]
    seen = engine.read_many(json.dumps(line) for line in sorted(lines, key=lambda x: x["ts"]))
    seen += engine.close()
    recording.record(session, transitions=seen, minutes=engine.minutes, hits=engine.hits, sessions=list(engine.sessions.values()))
    found, total = service.list_alerts(session, HRB_OFFICER)
    assert total == 1
    assert (found[0]["rule"], found[0]["state"], found[0]["started_at"], found[0]["region_name"]) == (
        "stream-stalled",
        "firing",
        "2025-11-11T20:01:01+08:00",
        "哈尔滨市道里区",
    )
    assert service.list_alerts(session, QQ_OFFICER) == ([], 0)


# -------------------------------------------------------------------------------------------------------- reads


def test_a_city_officer_sees_her_own_citys_sessions_and_alerts(registry: Any, session: Any) -> None:
    record_evening(session)
    everything = service.list_sessions(session, ANALYST)
    assert [(s["session_id"], s["region"], s["alerts_firing"]) for s in everything] == [("QQ-1", "230202", 1), ("HRB-1", "230102", 1)]
    hrb = service.list_sessions(session, HRB_OFFICER)
    assert [(s["session_id"], s["region_name"], s["gmv"], s["orders"], s["peak_online"]) for s in hrb] == [
        ("HRB-1", "哈尔滨市道里区", "434.50", 5, 150)
    ]
    assert [s["session_id"] for s in service.list_sessions(session, QQ_OFFICER)] == ["QQ-1"]  # region from its shop
    assert [s["session_id"] for s in service.list_sessions(session, HRB_ENTERPRISE)] == ["HRB-1"]  # its own shop
    assert [a["rule"] for a in service.list_alerts(session, QQ_OFFICER)[0]] == ["negative-chat"]
    assert {a["rule"] for a in service.list_alerts(session, HRB_OFFICER)[0]} == {"stream-stalled", "sales-spike"}
    with pytest.raises(NotFound):
        service.get_session(session, HRB_OFFICER, "douyin", "QQ-1")
    with pytest.raises(NotFound):
        service.get_alert(session, HRB_OFFICER, _alert_of(session, "negative-chat")["id"])
    assert [s["session_id"] for s in service.list_sessions(session, ANALYST, city="齐齐哈尔")] == ["QQ-1"]


def test_a_session_holds_its_minutes_hits_alerts_and_products(registry: Any, session: Any) -> None:
    record_evening(session)
    detail = service.get_session(session, HRB_OFFICER, "douyin", "HRB-1")
    assert detail["started"] == "2025-11-11T20:00:00+08:00"
    assert [(m["minute"], m["online"], m["orders"], m["gmv"]) for m in detail["minutes"]] == [
        ("2025-11-11T20:00:00+08:00", 120, 3, "300.00"),
        ("2025-11-11T20:01:00+08:00", 80, 2, "134.50"),
    ]
    assert [(h["ts"], h["source"], h["text"], h["severity"]) for h in detail["hits"]] == [
        ("2025-11-11T20:00:42.500+08:00", "transcript", "包治百病", "high")
    ]
    assert [(a["rule"], a["state"]) for a in detail["alerts"]] == [("stream-stalled", "resolved"), ("sales-spike", "firing")]
    assert detail["alerts_firing"] == 1 and detail["products"] == []


def test_alert_filters_and_bad_filters(registry: Any, session: Any) -> None:
    record_evening(session)
    assert service.list_alerts(session, ANALYST, state="firing")[1] == 2
    assert service.list_alerts(session, ANALYST, city="230100")[1] == 2
    assert service.list_alerts(session, ANALYST, session_id="QQ-1")[1] == 1
    assert service.list_alerts(session, ANALYST, acknowledged=True)[1] == 0
    page, total = service.list_alerts(session, ANALYST, page=2, page_size=2)
    assert (len(page), total) == (1, 3)
    alert = _alert_of(session, "negative-chat")
    assert (alert["region"], alert["region_name"], alert["labels"], alert["summary"]) == (
        "230202",
        "齐齐哈尔市龙沙区",
        QQ_LABELS,
        "近 60 秒弹幕 40 条，其中负面 12 条",
    )
    with pytest.raises(ValidationFailed, match="state 'burning'"):
        service.list_alerts(session, ANALYST, state="burning")
    with pytest.raises(ValidationFailed, match="city '火星'"):
        service.list_alerts(session, ANALYST, city="火星")
    with pytest.raises(ValidationFailed, match="rule 'no-such-rule'"):
        service.list_alerts(session, ANALYST, rule="no-such-rule")


# -------------------------------------------------------------------------------------------------------- acknowledge


def test_an_acknowledgement_keeps_assignee_note_and_who_and_is_audited(registry: Any, session: Any) -> None:
    record_evening(session)
    alert_id = _alert_of(session, "sales-spike")["id"]
    done = service.acknowledge(session, HRB_OFFICER, alert_id, assignee=" 张伟 ", note="已电话联系主播核实订单")
    session.commit()
    assert (done["assignee"], done["note"], done["acknowledged_by"]) == ("张伟", "已电话联系主播核实订单", "hrb")
    assert done["acknowledged_at"] is not None
    service.acknowledge(session, ANALYST, alert_id, assignee="李娜", note="转省厅跟进")
    detail = service.get_alert(session, ANALYST, alert_id)
    assert [(a["by"], a["assignee"], a["note"]) for a in detail["acks"]] == [
        ("hrb", "张伟", "已电话联系主播核实订单"),
        ("analyst", "李娜", "转省厅跟进"),
    ]
    assert (detail["assignee"], detail["acknowledged_by"]) == ("李娜", "analyst")
    assert service.list_alerts(session, ANALYST, acknowledged=True)[1] == 1
    lines = session.scalars(select(AuditEntry).where(AuditEntry.action == "monitor.acknowledge").order_by(AuditEntry.id)).all()
    assert [(e.actor, e.target_id) for e in lines] == [("hrb", str(alert_id)), ("analyst", str(alert_id))]
    assert json.loads(lines[0].after) == {"assignee": "张伟", "note": "已电话联系主播核实订单", "acknowledged_by": "hrb"}
    assert json.loads(lines[1].before)["assignee"] == "张伟"


def test_who_may_not_acknowledge(registry: Any, session: Any) -> None:
    record_evening(session)
    alert_id = _alert_of(session, "sales-spike")["id"]
    with pytest.raises(NotFound):  # another city's alert does not exist for her
        service.acknowledge(session, QQ_OFFICER, alert_id, assignee="王", note="")
    with pytest.raises(PermissionDenied):  # an enterprise sees its own alerts but does not acknowledge them
        service.acknowledge(session, HRB_ENTERPRISE, alert_id, assignee="王", note="")
    with pytest.raises(ValidationFailed, match="assignee: required"):
        service.acknowledge(session, ANALYST, alert_id, assignee="  ", note="")
    with pytest.raises(NotFound):
        service.acknowledge(session, ANALYST, 999, assignee="王", note="")


# -------------------------------------------------------------------------------------------------------- silences


def test_a_silence_mutes_what_its_matchers_match_while_it_lasts(registry: Any, session: Any) -> None:
    starts = now()
    silence = service.create_silence(
        session,
        ANALYST,
        matchers={"region": "2301*", "rule": "stream-stalled"},
        starts=starts,
        ends=starts + timedelta(hours=2),
        comment="哈尔滨平台维护",
    )
    session.commit()
    assert (silence["region"], silence["region_name"], silence["active"], silence["created_by"]) == ("230100", "哈尔滨市", True, "analyst")
    [engine_silence] = service.active_silences(session)
    at = starts.timestamp() + 60
    assert engine_silence.covers("stream-stalled", HRB_LABELS, at)
    assert not engine_silence.covers("viewers-drop", HRB_LABELS, at)  # another rule
    assert not engine_silence.covers("stream-stalled", {**QQ_LABELS, "region": "230202"}, at)  # another city
    assert not engine_silence.covers("stream-stalled", HRB_LABELS, at + 2 * 3600)  # after it ends
    assert [s["id"] for s in service.list_silences(session, HRB_OFFICER)] == [silence["id"]]
    assert service.list_silences(session, QQ_OFFICER) == []  # 哈尔滨's silence is not 齐齐哈尔's business
    audit_line = session.scalars(select(AuditEntry).where(AuditEntry.action == "monitor.silence")).one()
    assert json.loads(audit_line.after)["matchers"] == {"region": "2301*", "rule": "stream-stalled"}


def test_a_city_bureau_silences_only_inside_its_city(registry: Any, session: Any) -> None:
    starts = now()
    own = service.create_silence(
        session, HRB_OFFICER, matchers={"region": "230102"}, starts=starts, ends=starts + timedelta(minutes=30), comment="道里区断网"
    )
    assert own["region"] == "230102"
    for matchers in ({"rule": "stream-stalled"}, {"region": "2302*"}, {"region": "23*"}):
        with pytest.raises(PermissionDenied, match="own region"):
            service.create_silence(session, HRB_OFFICER, matchers=matchers, starts=starts, ends=starts + timedelta(minutes=30), comment="x")
    with pytest.raises(PermissionDenied):  # an enterprise has no monitor.write
        service.create_silence(
            session, HRB_ENTERPRISE, matchers={"region": "230102"}, starts=starts, ends=starts + timedelta(minutes=30), comment="x"
        )


def test_a_wrong_silence_names_the_field_and_the_rule(registry: Any, session: Any) -> None:
    starts = now()
    with pytest.raises(ValidationFailed) as caught:
        service.create_silence(
            session,
            ANALYST,
            matchers={"colour": "red", "region": "9999*", "rule": "no-such"},
            starts=starts,
            ends=starts + timedelta(hours=1),
            comment="x",
        )
    assert [(p.column, p.value) for p in caught.value.problems] == [
        ("matchers", "colour"),
        ("matchers.region", "9999*"),
        ("matchers.rule", "no-such"),
    ]
    with pytest.raises(ValidationFailed, match="is not after starts"):
        service.create_silence(session, ANALYST, matchers={"region": "2301*"}, starts=starts, ends=starts, comment="x")
    with pytest.raises(ValidationFailed, match="at most 30 days"):
        service.create_silence(session, ANALYST, matchers={"region": "2301*"}, starts=starts, ends=starts + timedelta(days=31), comment="x")
    with pytest.raises(ValidationFailed, match="comment: required"):
        service.create_silence(session, ANALYST, matchers={"region": "2301*"}, starts=starts, ends=starts + timedelta(hours=1), comment=" ")


def test_expiring_a_silence_ends_it_now_and_only_once(registry: Any, session: Any) -> None:
    starts = now()
    silence = service.create_silence(
        session, ANALYST, matchers={"platform": "douyin"}, starts=starts, ends=starts + timedelta(hours=2), comment="抖音接口维护"
    )
    assert silence["region"] == "230000"
    with pytest.raises(PermissionDenied):  # a province-wide silence is seen by the city, not ended by it
        service.expire_silence(session, HRB_OFFICER, silence["id"])
    ended = service.expire_silence(session, ANALYST, silence["id"])
    session.commit()
    assert (ended["active"], ended["expired_by"]) == (False, "analyst")
    assert service.list_silences(session, ANALYST) == []
    assert [s["id"] for s in service.list_silences(session, ANALYST, include_expired=True)] == [silence["id"]]
    assert service.active_silences(session) == []
    with pytest.raises(ValidationFailed, match="ended already"):
        service.expire_silence(session, ANALYST, silence["id"])
    with pytest.raises(NotFound):
        service.expire_silence(session, ANALYST, 999)
    row = session.get(MonitorSilence, silence["id"])
    assert row is not None and row.expired_by == "analyst"
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "monitor.silence.expire")) == 1
