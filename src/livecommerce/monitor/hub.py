"""The live monitor inside the web process (直播监测): one engine, fed by the in-process queue of DESIGN.md.

Events arrive as JSON lines (the platforms' HTTP POST, the demo feed) and wait in a thread-safe queue; one worker
thread takes them, feeds them to the engine and answers each batch with its accepted and rejected counts. Every
wall-clock second the worker also moves the engine's clock (so a stream that falls silent is seen as stalled without
any event arriving), takes the active silences from the store, and hands what the engine produced — alert
transitions, minute rows, compliance hits, sessions, grouped notifications — to the monitor's drain (drain.py), which
writes it to the store in one transaction and sends the notifications to the webhooks of their regions. ``version``
grows on every change; the wall's server-sent events poll it.

The wall reads the engine's sessions (``live_sessions``, ``live_session``) through live_view.py, under the same lock,
narrowed to what the reader may see (``monitor.read``).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import Actor
from livecommerce.core.settings import Settings, get_settings
from livecommerce.monitor.alerts import Transition
from livecommerce.monitor.drain import Drain, Output
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.live_view import LiveView
from livecommerce.monitor.notify import Notifier
from livecommerce.monitor.rules import RuleFile, RulesError
from livecommerce.monitor.state import SessionState

log = logging.getLogger(__name__)

MAX_PAST = 3600.0  # the live intake takes events at most this many seconds older than the server's clock …
MAX_AHEAD = 60.0  # … and at most this many seconds ahead of it
SNAPSHOT = 30.0  # seconds between two writes of every live session's figures to the store
QUEUE_JOBS = 1000
RETRIES = 10  # steps a failed write is tried again before its batch is dropped (and logged)
Key = tuple[str, str]


class HubBusy(LiveCommerceError):
    """The hub's queue is full or the worker did not answer in time: the caller should send the batch again."""


@dataclass
class _Job:
    lines: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] | None = None
    error: BaseException | None = None


class Hub:
    """The process's live monitor. ``start()`` runs the worker thread; without it, ``submit`` handles its batch at once
    and ``step`` is called by whoever drives the clock (the tests)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        scanner: Any = "default",
        clock: Callable[[], float] = time.time,
        notifier: Notifier | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.rules_error: str | None = None
        self.engine = Engine(self._rule_file(), scanner=scanner)
        self.clock = clock
        self.drain = Drain.with_webhooks(self.settings, notifier, retries=RETRIES, name="monitor hub")
        self.lock = threading.RLock()
        self.view = LiveView(self.engine, self.lock, self.settings)
        self.jobs: queue.Queue[_Job | None] = queue.Queue(QUEUE_JOBS)
        self.version = 0
        self.steps = 0
        self._transitions: list[Transition] = []
        self._fresh: set[Key] = set()
        self._snapshot_at = -math.inf
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def notifier(self) -> Notifier:
        assert self.drain.notifier is not None
        return self.drain.notifier

    def _rule_file(self) -> RuleFile:
        path = self.settings.monitor_rules_file
        try:
            return RuleFile(path)
        except RulesError as exc:  # the console still starts; the duty officer sees the built-in thresholds
            self.rules_error = str(exc)
            log.error("monitor rules file %s cannot be used, the built-in rules apply: %s", path, exc)
            return RuleFile(None)

    # -- life ----------------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Hub:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="monitor-hub", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """End the worker after one last step that closes the engine (``step(final=True)``: whatever it decides at the
        end is written and its waiting notifications sent), then the notifier, which sends what is queued."""
        if self.running:
            self._stop.set()
            try:
                self.jobs.put_nowait(None)
            except queue.Full:
                pass
            assert self._thread is not None
            self._thread.join(timeout)
        self._thread = None
        self.drain.close()

    def _run(self) -> None:
        due = math.floor(self.clock()) + 1
        while True:
            try:
                job = self.jobs.get(timeout=max(0.0, due - self.clock()))
            except queue.Empty:
                job = None
            if job is not None:
                self._answer(job)
            if self._stop.is_set():
                self._safe_step(final=True)
                self._release()
                return
            if self.clock() >= due:
                self._safe_step()
                due = math.floor(self.clock()) + 1

    def _answer(self, job: _Job) -> None:
        try:
            job.result = self.handle(job.lines)
        except BaseException as exc:  # the caller gets it; the worker goes on
            job.error = exc
        finally:
            job.done.set()

    def _release(self) -> None:
        """Answer whatever is still queued after the stop (the caller learns the hub is gone)."""
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.error = HubBusy("the live monitor is stopping; send the batch again")
                job.done.set()

    def _safe_step(self, final: bool = False) -> None:
        try:
            self.step(final=final)
        except Exception:  # a step that fails is logged; the next second tries again
            log.exception("monitor hub step failed")

    # -- events in -----------------------------------------------------------------------------------------------------

    def submit(self, lines: Iterable[str] | str, timeout: float = 30.0) -> dict[str, Any]:
        """Queue a batch of JSON lines for the worker and wait for its answer: {"accepted", "rejected", "reasons"
        (reason → count), "examples" ([{line, reason}] for the first 20 refused lines of the batch)}."""
        batch = lines.splitlines() if isinstance(lines, str) else list(lines)
        if not self.running:
            return self.handle(batch)
        job = _Job(batch)
        try:
            self.jobs.put(job, timeout=timeout)
        except queue.Full as exc:
            raise HubBusy(f"the live monitor's queue is full ({QUEUE_JOBS} batches waiting); send again") from exc
        if not job.done.wait(timeout):
            raise HubBusy(f"the live monitor did not answer within {timeout:.0f} s; send the batch again")
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result

    def handle(self, lines: Iterable[str]) -> dict[str, Any]:
        """Feed one batch to the engine (the worker's side of ``submit``)."""
        accepted = rejected = 0
        reasons: Counter[str] = Counter()
        examples: list[dict[str, Any]] = []
        with self.lock:
            engine, intake = self.engine, self.engine.intake
            now = self.clock()
            seen = Counter(intake.rejected)
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                event = intake.read(line)
                reason = None
                if event is None:
                    reason = next(r for r, n in intake.rejected.items() if n != seen[r])
                elif not (now - MAX_PAST <= event.ts <= now + MAX_AHEAD):
                    reason = _clock_reason(event.ts, now)
                    intake.unaccept(reason)
                    if event.ts > now:
                        intake.forget(event.key, event.ts)  # a wrong clock must not make the session's next events "late"
                if reason is None:
                    assert event is not None
                    if event.key not in engine.sessions:
                        self._fresh.add(event.key)
                    taken = intake.accepted
                    self._transitions.extend(engine.feed(event, line))
                    if intake.accepted == taken:
                        accepted += 1
                        continue
                    # the engine refused it (a status end of a session not held opens none)
                    reason = next(r for r, n in intake.rejected.items() if n != seen[r])
                seen[reason] += 1
                rejected += 1
                reasons[reason] += 1
                if len(examples) < 20:
                    examples.append({"line": number, "reason": reason})
            if accepted:
                self.version += 1
        return {"accepted": accepted, "rejected": rejected, "reasons": dict(reasons), "examples": examples}

    # -- the clock -----------------------------------------------------------------------------------------------------

    def step(self, now: float | None = None, final: bool = False) -> dict[str, int]:
        """One second of the worker: move the engine's clock to ``now`` less its lag, apply the active silences, write
        what the engine produced in one transaction, send the notifications. Counts of what was written. The ``final``
        step (the hub stops) also closes the engine: the texts waiting for a batch are scanned, the notifications
        waiting for their group sent, and every session's figures and current minute written."""
        now = self.clock() if now is None else now
        silences = self.drain.silences()
        with self.lock:
            engine = self.engine
            if silences is not None:
                engine.alerts.silences = silences
            self._transitions.extend(engine.advance(now - engine.lag))
            if final:
                self._transitions.extend(engine.close())
                self._snapshot_at = -math.inf  # every session's figures
            output, gone = Output.take(engine, self._transitions)
            self._transitions = []
            output.sessions = list(self._to_snapshot(now, output.transitions, gone).values())
            if output.transitions or gone:
                self.version += 1
            self.steps += 1
        return self.drain.keep(output)

    def _to_snapshot(self, now: float, transitions: list[Transition], gone: list[SessionState]) -> dict[Key, SessionState]:
        """The sessions to write now: new ones, those with a transition, those let go; every one each SNAPSHOT s."""
        sessions = self.engine.sessions
        if now >= self._snapshot_at + SNAPSHOT:
            self._snapshot_at = now
            chosen = dict(sessions)
        else:
            keys = self._fresh | {(t.labels.get("platform", ""), t.labels.get("session_id", "")) for t in transitions}
            chosen = {key: sessions[key] for key in keys if key in sessions}
        self._fresh = set()
        chosen.update((state.key, state) for state in gone)
        return chosen

    def status(self) -> dict[str, Any]:
        """How the hub is doing (for an operator's health check): no session data, so no scope."""
        with self.lock:
            intake = self.engine.intake
            return {
                "running": self.running,
                "version": self.version,
                "steps": self.steps,
                "sessions": len(self.engine.sessions),
                "alerts_active": len(self.engine.alerts.active),
                "accepted": intake.accepted,
                "rejected": dict(intake.rejected),
                "queued": self.jobs.qsize(),
                "rules": self.engine.rules.source,
                "rules_error": self.rules_error or (self.engine.rule_file.error if self.engine.rule_file else None),
                "webhooks": {"sent": self.notifier.sent, "failed": self.notifier.failed, "dropped": self.notifier.dropped},
            }

    # -- the wall (live_view.py) -------------------------------------------------------------------------------------

    def live_sessions(self, actor: Actor, city: str | None = None, platform: str | None = None) -> list[dict[str, Any]]:
        """The sessions the reader may see, busiest first (LiveView.live_sessions)."""
        return self.view.live_sessions(actor, city, platform)

    def live_session(self, actor: Actor, platform: str, session_id: str) -> dict[str, Any] | None:
        """One session for its live page, or None (LiveView.live_session)."""
        return self.view.live_session(actor, platform, session_id)


def _clock_reason(ts: float, now: float) -> str:
    if ts < now:
        return (
            f"ts more than {MAX_PAST:.0f} s before the server's clock: the live intake takes events as they happen "
            "(replay recorded ones with `livecommerce monitor replay`)"
        )
    return f"ts more than {MAX_AHEAD:.0f} s ahead of the server's clock"


_hub: Hub | None = None
_hub_lock = threading.Lock()


def get_hub() -> Hub:
    """The process's hub (a new one when the settings name another registry, as tests that switch homes do)."""
    global _hub
    settings = get_settings()
    with _hub_lock:
        if _hub is None or _hub.settings.registry_url != settings.registry_url:
            if _hub is not None:
                _hub.stop()
            _hub = Hub(settings)
        return _hub


def start_hub(settings: Settings | None = None) -> Hub:
    """Start the process's hub with its worker (the web app's lifespan)."""
    global _hub
    settings = settings or get_settings()
    with _hub_lock:
        if _hub is not None and _hub.settings.registry_url != settings.registry_url:
            _hub.stop()
            _hub = None
        if _hub is None:
            _hub = Hub(settings)
        return _hub.start()


def stop_hub() -> None:
    """Stop the worker (the web app's shutdown); what it produced is written first."""
    global _hub
    with _hub_lock:
        if _hub is not None:
            _hub.stop()
            _hub = None
