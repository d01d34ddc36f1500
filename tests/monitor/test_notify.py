"""Webhook notifications: a real local HTTP receiver gets the grouped payload of its regions, and a 500 is retried."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from livecommerce.core.settings import Settings
from livecommerce.monitor.alerts import Notification, Transition
from livecommerce.monitor.hub import Hub
from livecommerce.monitor.notify import Notifier, Route
from tests.monitor.test_hub import T0, Clock, opening

HARBIN_LABELS = {"platform": "douyin", "session_id": "S1", "region": "230102"}
QIQIHAR_LABELS = {"platform": "douyin", "session_id": "S2", "region": "230202"}


class Receiver:
    """A webhook receiver on a free local port: records each POST (path, JSON body) and answers with the next status
    of ``statuses`` (then 200)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append((self.path, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


def transition(labels: dict[str, str], state: str = "firing") -> Transition:
    return Transition(
        "stream-stalled", state, T0 + 70, labels, "直播中断：已 60 秒未收到任何事件（阈值 60 秒）", "critical", f"fp-{labels['session_id']}"
    )


def test_each_route_receives_only_the_alerts_of_its_regions(receiver: Receiver) -> None:
    notifier = Notifier(
        [Route("2301", f"{receiver.url}/harbin"), Route("*", f"{receiver.url}/province"), Route("2311", f"{receiver.url}/heihe")],
        backoff=0.01,
    )
    group = Notification({"rule": "stream-stalled"}, T0 + 75, [transition(HARBIN_LABELS), transition(QIQIHAR_LABELS)])

    assert notifier.dispatch(group) == 2  # 黑河 has no alert in this group: nothing is sent there
    assert notifier.wait()
    notifier.stop()

    by_path = dict(receiver.received)
    assert sorted(by_path) == ["/harbin", "/province"]
    harbin = by_path["/harbin"]
    assert [a["labels"]["session_id"] for a in harbin["alerts"]] == ["S1"]
    assert harbin["commonLabels"] == HARBIN_LABELS
    assert (harbin["version"], harbin["status"], harbin["groupKey"]) == ("4", "firing", "rule=stream-stalled")
    assert [a["labels"]["session_id"] for a in by_path["/province"]["alerts"]] == ["S1", "S2"]
    assert by_path["/province"]["commonLabels"] == {"platform": "douyin"}
    assert notifier.sent == 2


def test_a_500_is_retried_until_the_receiver_takes_it(receiver: Receiver) -> None:
    receiver.statuses = [500, 500]
    notifier = Notifier([Route("*", receiver.url)], retries=3, backoff=0.01)

    notifier.dispatch(Notification({"rule": "stream-stalled"}, T0 + 75, [transition(HARBIN_LABELS)]))
    assert notifier.wait()
    notifier.stop()

    assert len(receiver.received) == 3  # two refusals, then taken
    assert receiver.received[0][1] == receiver.received[2][1]  # the same payload each time
    assert (notifier.sent, notifier.failed) == (1, 0)


def test_a_receiver_that_keeps_failing_is_given_up_after_3_retries(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    notifier = Notifier([Route("*", receiver.url)], retries=3, backoff=0.01)

    notifier.dispatch(Notification({"rule": "stream-stalled"}, T0 + 75, [transition(HARBIN_LABELS)]))
    assert notifier.wait()
    notifier.stop()

    assert len(receiver.received) == 4  # the first attempt and 3 retries
    assert (notifier.sent, notifier.failed) == (0, 1)


def test_an_unreachable_receiver_does_not_hold_up_the_caller() -> None:
    notifier = Notifier([Route("*", "http://127.0.0.1:9/")], retries=1, timeout=0.5, backoff=0.01)

    assert notifier.dispatch(Notification({}, T0, [transition(HARBIN_LABELS)])) == 1  # queued, returns at once
    assert notifier.wait()
    notifier.stop()
    assert notifier.failed == 1


def test_the_hub_sends_a_stalled_streams_group_to_its_citys_webhook(home: Settings, receiver: Receiver) -> None:
    clock = Clock(T0 + 10)
    notifier = Notifier([Route("2301", f"{receiver.url}/harbin"), Route("2302", f"{receiver.url}/qiqihar")], backoff=0.01)
    hub = Hub(home, scanner=None, clock=clock, notifier=notifier)
    hub.submit(opening("S1", "230102"))  # silent from 20:00:10

    hub.step(now=T0 + 72)  # 20:01:10: the stall fires; the group waits group_wait (5 s) for its fellows
    assert notifier.wait()
    assert receiver.received == []
    hub.step(now=T0 + 77)  # 20:01:15: the group goes out
    assert notifier.wait()
    hub.stop()

    [(path, payload)] = receiver.received
    assert path == "/harbin"
    assert payload["groupLabels"] == {"region": "230102", "rule": "stream-stalled"}
    assert payload["sentAt"] == "2025-11-11T20:01:15+08:00"
    assert [(a["labels"]["alertname"], a["status"], a["startsAt"]) for a in payload["alerts"]] == [
        ("stream-stalled", "firing", "2025-11-11T20:01:10+08:00")
    ]
