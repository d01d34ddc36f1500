"""The one way out of the monitor's engine (issue 15 point 4): what an engine produced — alert transitions, minute
rows, compliance hits, the sessions whose stored figures are due, grouped notifications — recorded through one path.

Every driver of an engine drains it here: the console's hub (hub.py, every second), a Redis Streams consumer with
``--record`` (``RegistrySink``, at each checkpoint), `monitor replay --record` (replay.py, at the end of the file) and
the demo's recorded evening (demo/monitor.py). ``Output`` is what they hand over; ``Drain`` records it in the registry
database with recording.record (idempotent: recording the same thing twice changes nothing), counts what it recorded,
sends the notifications to the webhooks of their regions (notify.py) and reads the silences the engines apply.

How a failed write is handled is the driver's choice, and there are two: ``write`` raises and sends nothing (the
consumer then keeps everything for a later try and does not checkpoint); ``keep`` holds what was not recorded for the
next call, drops it after ``retries`` failed tries, and sends the notifications whatever the store said (the hub).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings, get_settings
from livecommerce.monitor.alerts import Notification, Silence, Transition
from livecommerce.monitor.notify import Notifier, routes_of

if TYPE_CHECKING:
    from livecommerce.monitor.engine import Engine, Hit
    from livecommerce.monitor.state import MinuteRow, SessionState

log = logging.getLogger(__name__)

Key = tuple[str, str]
KINDS = ("transitions", "minutes", "hits", "sessions")  # what is recorded, in the order recording.record's batches go


@dataclass
class Output:
    """What an engine produced and the store has not taken yet (``sessions``: the ones whose figures are due)."""

    transitions: list[Transition] = field(default_factory=list)
    minutes: list[tuple[Key, MinuteRow]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    sessions: list[SessionState] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    @classmethod
    def of(cls, engine: Engine, transitions: list[Transition], sessions: Iterable[SessionState]) -> Output:
        """The engine's outboxes as they stand (left in the engine), with ``transitions`` and ``sessions``."""
        return cls(
            list(transitions),
            list(engine.minutes),
            list(engine.hits),
            list(sessions),
            list(engine.notifications),
        )

    @classmethod
    def take(cls, engine: Engine, transitions: list[Transition]) -> tuple[Output, list[SessionState]]:
        """The engine's outboxes, emptied, with ``transitions``; and the sessions the engine let go (their figures
        are due, with whatever else the driver chooses to add to ``sessions``)."""
        taken = cls(transitions, engine.minutes, engine.hits, [], engine.notifications)
        gone = engine.ended
        engine.minutes, engine.hits, engine.notifications, engine.ended = [], [], [], []
        return taken, gone

    @staticmethod
    def discard(engine: Engine) -> None:
        """Empty the engine's outboxes once they are drained (``of`` left them in it)."""
        engine.minutes.clear()
        engine.hits.clear()
        engine.notifications.clear()
        engine.ended.clear()

    def add(self, other: Output) -> None:
        self.transitions.extend(other.transitions)
        self.minutes.extend(other.minutes)
        self.hits.extend(other.hits)
        if self.sessions:  # one state a session: the latest
            merged = {state.key: state for state in self.sessions}
            merged.update((state.key, state) for state in other.sessions)
            self.sessions = list(merged.values())
        else:
            self.sessions = list(other.sessions)
        self.notifications.extend(other.notifications)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in KINDS}

    def __bool__(self) -> bool:
        return bool(self.transitions or self.minutes or self.hits or self.sessions)


def touched(engine: Engine, transitions: list[Transition]) -> list[SessionState]:
    """The sessions whose stored figures are due at a checkpoint: those with a completed minute (every session with
    events, once a minute), those with a transition, and those let go."""
    keys = {key for key, _ in engine.minutes} | {(t.labels.get("platform", ""), t.session_id) for t in transitions}
    chosen = {key: engine.sessions[key] for key in keys if key in engine.sessions}
    chosen.update((state.key, state) for state in engine.ended)
    return list(chosen.values())


def every_session(engine: Engine) -> list[SessionState]:
    """Every session the engine held: those it holds and those it let go (the end of a replay)."""
    return [*engine.sessions.values(), *engine.ended]


class Drain:
    """Records engines' outputs in the registry and sends their notifications (module docstring).

    ``notifier`` None sends nothing (a replay); ``batch`` records that many things of a kind per transaction (a whole
    evening), None all of an output in one; ``retries`` is how many failed tries ``keep`` makes before it drops what
    it holds; ``name`` names the driver in the log."""

    def __init__(
        self,
        settings: Settings | None = None,
        notifier: Notifier | None = None,
        *,
        batch: int | None = None,
        retries: int = 10,
        name: str = "monitor",
    ) -> None:
        self.settings = settings or get_settings()
        self.notifier = notifier
        self.batch, self.retries, self.name = batch, retries, name
        self.recorded = dict.fromkeys(KINDS, 0)
        self.backlog = Output()
        self.failures = 0

    @classmethod
    def with_webhooks(cls, settings: Settings | None = None, notifier: Notifier | None = None, **options: Any) -> Drain:
        """A drain that sends to ``notifier``, else to the webhooks of ``settings.monitor_webhooks``."""
        settings = settings or get_settings()
        return cls(settings, notifier if notifier is not None else Notifier(routes_of(settings)), **options)

    def record(self, output: Output) -> None:
        """Record ``output`` in the registry (in one transaction, or ``batch`` things of a kind per transaction) and
        count it. Raises when the registry cannot be written."""
        from livecommerce.monitor import recording

        things = {name: getattr(output, name) for name in KINDS}
        if self.batch is None:
            with session_scope(self.settings) as db:
                recording.record(db, **things)
        else:
            for name, items in things.items():
                for start in range(0, len(items), self.batch):
                    with session_scope(self.settings) as db:
                        recording.record(db, **{name: items[start : start + self.batch]})
        for name, items in things.items():
            self.recorded[name] += len(items)

    def send(self, notifications: Iterable[Notification]) -> None:
        if self.notifier is not None:
            for notification in notifications:
                self.notifier.dispatch(notification)

    def write(self, output: Output) -> None:
        """Record ``output``, then send its notifications; raises (having sent nothing) when it cannot be recorded."""
        self.record(output)
        self.send(output.notifications)

    def keep(self, output: Output) -> dict[str, int]:
        """Record ``output`` with what earlier failed tries left, then send its notifications whatever the store
        said. The counts written: all zero when the write failed (what was not written is tried again at the next
        call, and dropped after ``retries`` failed tries)."""
        notifications, output.notifications = output.notifications, []
        backlog = self.backlog
        backlog.add(output)
        written = backlog.counts()
        if backlog and not self._try(backlog):
            written = dict.fromkeys(written, 0)
        self.send(notifications)
        return written

    def _try(self, backlog: Output) -> bool:
        try:
            self.record(backlog)
        except Exception:
            self.failures += 1
            counts = backlog.counts()
            log.exception(
                "%s: writing %d transitions, %d minutes, %d hits, %d sessions failed (try %d of %d)",
                self.name,
                *counts.values(),
                self.failures,
                self.retries,
            )
            if self.failures >= self.retries:
                log.error("%s: the batch is dropped after %d failed writes", self.name, self.retries)
                self.backlog, self.failures = Output(), 0
            return False
        self.backlog, self.failures = Output(), 0
        return True

    def silences(self) -> list[Silence] | None:
        """The active silences of the registry; None when it cannot be read (the engines keep the ones they have)."""
        from livecommerce.monitor import service

        try:
            with session_scope(self.settings) as db:
                return list(service.active_silences(db))
        except Exception:  # the store is unreachable for a moment
            log.exception("monitor: active silences could not be read")
            return None

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.stop()


class RegistrySink:
    """A Redis Streams consumer's sink (redis_consume.Sink, `monitor consume --record`): at each checkpoint, what the
    partition's engine produced since the last one goes through the drain — the sessions, minute rows, compliance
    hits and alert transitions into the registry in one transaction (idempotent, so a checkpoint written again after a
    SIGKILL records nothing twice), then the notifications to the webhooks. When the registry cannot be written it
    raises, and the consumer does not checkpoint: nothing is acknowledged that was not recorded. The webhooks are at
    least once (a replacement that processes the events after the last checkpoint again sends their notifications
    again; a receiver can tell them by their groupKey and times)."""

    def __init__(self, settings: Settings | None = None, notifier: Notifier | None = None) -> None:
        self.drain = Drain.with_webhooks(settings, notifier, name="monitor consumer")

    @property
    def recorded(self) -> dict[str, int]:
        return self.drain.recorded

    def write(self, engine: Engine, transitions: list[Transition]) -> None:
        """Record what ``engine`` produced since the last checkpoint (its outboxes, left in it, and ``transitions``)
        and send its notifications. Raises when the registry cannot be written."""
        self.drain.write(Output.of(engine, transitions, touched(engine, transitions)))

    def silences(self) -> list[Silence] | None:
        return self.drain.silences()

    def close(self) -> None:
        self.drain.close()
