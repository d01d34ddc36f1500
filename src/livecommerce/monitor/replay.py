"""Replaying a recorded evening through the rules (`livecommerce monitor replay`): the service behind the command.

Lines are the monitor's own events, or a platform's own messages through its adapter (monitor.adapters). Rules run on
event time, so the pace changes nothing but the waiting: as fast as it can (``speed`` None) or N times as fast as the
events happened. Refused lines are counted by the engine's intake and skipped. With ``record``, what the replay saw
goes to the registry through the monitor's drain (drain.py) at the end, ``batch`` things of a kind per transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from livecommerce.monitor.adapters import Adapter
from livecommerce.monitor.alerts import Transition
from livecommerce.monitor.drain import Drain, Output, every_session
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.events import Event

RECORD_BATCH = 1000  # things of a kind per transaction when a replay is recorded


@dataclass
class Replay:
    """One replay: its engine, the adapter of the platform whose messages the lines are (None: the monitor's own
    events) with the room of messages that carry none, the pace, and whether what it sees is kept to be recorded."""

    engine: Engine
    adapter: Adapter | None = None
    session: str | None = None
    speed: float | None = None
    record: bool = False
    seen: list[Transition] = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)
    _first: float | None = None

    def play(self, lines: Iterable[str], show: Callable[[list[Transition]], None]) -> None:
        """Every line through the engine, then the engine's close; ``show`` gets the transitions as they come. A line
        that is not UTF-8 raises UnicodeDecodeError from ``lines`` (the intake has counted the lines before it)."""
        for line in lines:
            if not line.strip():
                continue
            for event in self._events(line):
                if event is not None:
                    self._wait(event.ts)
                    self._out(self.engine.feed(event), show)
        self._out(self.engine.close(), show)

    def _events(self, line: str) -> Sequence[Event | None]:
        intake = self.engine.intake
        return self.adapter.read(intake, line, self.session) if self.adapter else [intake.read(line)]

    def _wait(self, ts: float) -> None:
        """At a pace, wait until the event's time has come (its distance from the first event, divided by the speed)."""
        if self.speed is None:
            return
        self._first = ts if self._first is None else self._first
        wait = (ts - self._first) / self.speed - (time.monotonic() - self._started)
        if wait > 0:
            time.sleep(wait)

    def _out(self, transitions: list[Transition], show: Callable[[list[Transition]], None]) -> None:
        if self.record:
            self.seen.extend(transitions)
        show(transitions)

    def store(self, drain: Drain) -> dict[str, int]:
        """What the replay saw (every transition, minute row and hit, every session) into the registry through the
        drain; idempotent, so recording the same evening twice changes nothing. The counts recorded."""
        engine = self.engine
        output = Output(self.seen, engine.minutes, engine.hits, every_session(engine))
        drain.record(output)
        return output.counts()
