"""The demo's live rooms (演示直播): a recorded 双11 evening for the review (复盘) pages, and a live feed for the wall.

``record_evening`` replays monitor.synth's evening through an engine as fast as it can and stores what it saw (alert
transitions, minute rows, compliance hits, sessions) through the monitor's drain, as the live hub would have on the
night. ``DemoFeed`` plays a smaller evening into the running hub at real speed, shifted to now and looping, with its
incidents planted in the first minutes so the wall shows a stall, a collapse of viewers, a price cut and a prohibited
claim soon after start.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.monitor import synth
from livecommerce.monitor.alerts import FIRING
from livecommerce.monitor.drain import Drain, Output, every_session
from livecommerce.monitor.engine import Engine

log = logging.getLogger(__name__)

# seconds after the feed starts in which its incidents are planted: the stall, the viewers' collapse, the claim, the
# price cut, the refunds, complaints and negative chat all show within two minutes (a sales spike needs five minutes
# of the session's own history, so it comes later or not at all)
FEED_INCIDENTS = (15, 55)


@dataclass
class EveningRecord:
    """What the recorded evening left in the store."""

    events: int
    sessions: int
    transitions: int
    fired: int
    hits: int
    minutes: int


def record_evening(sessions: int = 60, seconds: int = 900, seed: int = 11, settings: Settings | None = None) -> EveningRecord:
    """Replay the synthetic evening (2025-11-11 20:00, monitor.synth) and store it through the monitor's drain, in one
    transaction. Recording it twice changes nothing (recording is idempotent)."""
    engine = Engine()
    transitions = []
    for line in synth.evening(sessions=sessions, seconds=seconds, seed=seed):
        transitions.extend(engine.read(line))
    transitions.extend(engine.close())
    output = Output(transitions, engine.minutes, engine.hits, every_session(engine))
    Drain(settings).record(output)
    return EveningRecord(
        engine.intake.accepted,
        len(output.sessions),
        len(transitions),
        sum(1 for t in transitions if t.state == FIRING),
        len(engine.hits),
        len(engine.minutes),
    )


class DemoFeed:
    """A thread that plays ``synth.evening(sessions, seconds)`` into the hub at real speed, again and again. Each round
    starts at the wall clock and gives its sessions ids of their own (S00003-11112015: the round's month, day, hour and
    minute), so a round never continues the last one and the recorded evening's sessions are left alone."""

    def __init__(
        self,
        hub: Any,
        sessions: int = 40,
        seconds: int = 900,
        incidents: tuple[int, int] = FEED_INCIDENTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.hub, self.sessions, self.seconds, self.incidents, self.clock = hub, sessions, seconds, incidents, clock
        self.rounds = 0
        self.sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> DemoFeed:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="monitor-demo-feed", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.play(self.rounds)
            except Exception:  # the demo must not take the console down; try a new round after a pause
                log.exception("monitor demo feed failed")
                self._stop.wait(5)
            self.rounds += 1

    def play(self, round_no: int) -> None:
        """One evening from now: each second's events are submitted when the wall clock reaches that second."""
        start = int(self.clock()) + 1
        tag = datetime.fromtimestamp(start, SHANGHAI).strftime("%m%d%H%M")
        batch: list[str] = []
        second = start
        for line in synth.evening(sessions=self.sessions, seconds=self.seconds, seed=11 + round_no, start=start, incidents=self.incidents):
            event = json.loads(line)
            event["session_id"] = f"{event['session_id']}-{tag}"
            at = event["ts"] // 1000
            if at != second:
                if not self._send(batch, second):
                    return
                batch, second = [], at
            batch.append(json.dumps(event, ensure_ascii=False))
        self._send(batch, second)

    def _send(self, batch: list[str], second: int) -> bool:
        """Wait for the second to come (False when stopped meanwhile) and submit its events."""
        delay = second - self.clock()
        if delay > 0 and self._stop.wait(delay):
            return False
        if self._stop.is_set():
            return False
        if batch:
            try:
                self.sent += self.hub.submit(batch)["accepted"]
            except Exception:
                log.exception("monitor demo feed: a batch was not taken")
        return True
