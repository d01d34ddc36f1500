"""The engine's clocks (the Clock half of engine.Engine): the input's own clock (``_global``: texts scanned, rules
read again, notifications sent) and each session's (``_clock``: its timers — stalled, no viewers data, silent so long
that it ends — and its active alerts judged again at each whole second due), the end of a session and its letting
go. A mixin: Engine inherits it, so its methods are looked up as the engine's own."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from livecommerce.monitor.alerts import FIRING, NODATA, Alerts, Grouper, Notification, Transition
from livecommerce.monitor.measures import SUMMARIES, VALUES, complaint_summary, price_value, stalled_summary
from livecommerce.monitor.rules import RuleSet, RuleSpec
from livecommerce.monitor.state import MinuteRow, SessionState
from livecommerce.monitor.summaries import (
    LET_GO,
    no_viewers_summary,
    resolved_summary,
    silent_end,
)


class Clock:
    """The engine's judging by time (mixed into engine.Engine, which holds the state named below)."""

    # what the engine (engine.Engine) holds and does, for the type checker
    rules: RuleSet
    alerts: Alerts
    sessions: dict[tuple[str, str], SessionState]
    texts: list[tuple[tuple[str, str], float, str, str]]
    _version: int

    grouper: Grouper
    notifications: list[Notification]
    minutes: list[tuple[tuple[str, str], MinuteRow]]
    ended: list[SessionState]
    tick: int | None
    forget: float
    keep_ended: float
    keep_dormant: float

    if TYPE_CHECKING:

        def specs(self, state: SessionState) -> dict[str, RuleSpec]: ...

        def _emit(self, transition: Transition | None) -> None: ...

        def _fp(self, state: SessionState, rule: str) -> str: ...

        def _arm(self, state: SessionState) -> None: ...

        def _scan(self) -> None: ...

        def reload(self) -> bool: ...

    def _end(self, state: SessionState, at: float, why: str, dormant: bool = False) -> None:
        """The session ends (its status end, or silence): its alerts resolve; it is let go after ``keep_ended`` seconds
        of its clock (``keep_dormant`` when ended by silence, for its room to speak again)."""
        self._scan()  # the session's pending texts first: their hits come before its end
        self._resolve_all(state, at, why)
        state.ended_at = state.ended_at or at
        state.release = math.ceil(at + (self.keep_dormant if dormant else self.keep_ended))
        state.armed = None

    def _resolve_all(self, state: SessionState, at: float, why: str) -> None:
        active = self.alerts.active
        for fp in list(state.active):
            instance = active.get(fp)
            if instance is not None:
                if instance.state == NODATA:
                    active.pop(fp)
                else:
                    self._emit(self.alerts.end(fp, at, resolved_summary(why, instance.summary)))
        state.active.clear()

    def _global(self, second: int) -> None:
        """A whole second of the input's clock (its latest event time less lag, or the wall clock): the pending texts
        scanned, a changed rules file read again, the notifications due sent. No session is judged by it."""
        self._scan()
        self.reload()
        if self.grouper.due:
            self.notifications.extend(self.grouper.flush(second))
        self.tick = second

    def _clock(self, state: SessionState, target: int) -> None:
        """Move the session's own clock to ``target``, judging its timers and active alerts at each whole second due."""
        armed, release = state.armed, state.release
        if not state.active and (armed is None or armed > target) and (release is None or release > target):
            state.tick = target  # nothing of the session is due before then (most calls)
            return
        active = self.alerts.active
        while state.tick < target:
            second: float = target
            if state.armed is not None and state.armed < second:
                second = state.armed
            if state.release is not None and state.release < second:
                second = state.release
            for fp in list(state.active):
                instance = active.get(fp)
                if instance is None:
                    del state.active[fp]  # a pending alert gone without a transition
                elif instance.due < second and instance.state != NODATA:
                    second = instance.due
            now = max(state.tick + 1, math.ceil(second))
            state.tick = now
            if state.release is not None and now >= state.release:
                self._let_go(state, now)
                return
            if state.armed is not None and state.armed <= now:
                state.armed = None
                self._due(state, now)
            for fp in list(state.active):
                instance = active.get(fp)
                if instance is not None and instance.due <= now and instance.state != NODATA:
                    self._again(state, instance, now)

    def _let_go(self, state: SessionState, second: int) -> None:
        """An ended session leaves memory: its last minute row kept, it goes to ``ended`` (for the store)."""
        self._scan()
        self._resolve_all(state, second, LET_GO)
        self.sessions.pop(state.key, None)
        self.minutes.append((state.key, state.minute))
        self.ended.append(state)

    def _due(self, state: SessionState, second: int) -> None:
        """A live or paused session's timer: stalled, no viewers data, or silent so long that it is let go."""
        specs = self.specs(state)
        spec = specs["stream-stalled"]
        silent = second - state.last_event
        if silent >= self.forget:  # 以上 (《民法典》第1259条): silent for exactly ``forget`` seconds ends it
            stalled = self.alerts.active.get(state.fps.get("stream-stalled", ""))
            if stalled is not None:  # its summary says the same silence as the reason it resolves
                stalled.summary = stalled_summary(spec, silent)
            self._end(state, second, silent_end(silent, self.forget), dormant=True)
            state.status, state.ended_at, state.auto_ended = "ended", float(second), True
            return
        if state.status == "live" and spec.meets(silent):
            self._emit(
                self.alerts.observe(
                    spec, state.labels, silent, second, stalled_summary(spec, silent), context=state.key, fp=self._fp(state, spec.name)
                )
            )
            state.armed = second + math.ceil(self.forget - silent)
            return
        viewers = specs["viewers-drop"]
        deadlines = [math.ceil(state.last_event + spec.threshold)]
        if viewers.no_data is not None and state.status == "live" and state.last_viewers is not None:
            since = state.last_viewers
            fp = self._fp(state, "viewers-drop")
            if second - since >= viewers.no_data:
                if fp not in self.alerts.active:
                    self._emit(self.alerts.no_data(viewers, state.labels, second, no_viewers_summary(viewers.no_data), context=state.key))
            else:
                deadlines.append(math.ceil(since + viewers.no_data))
        state.armed = max(second + 1, min(deadlines))

    def _again(self, state: SessionState, instance: Any, second: int) -> None:
        """Judge an active alert of the session again at a whole second of its clock (its window moves on, its ``for``
        runs out)."""
        context = instance.context
        if instance.rule == "compliance-hit" and self.texts:
            self._scan()  # the hits of texts still waiting count in the window
            if instance.fingerprint not in self.alerts.active:
                return
        spec = self.specs(state)[instance.rule]
        steady = instance.state == FIRING and spec.keep_firing_for == 0
        if instance.rule == "price-change":
            value, summary = price_value(state, context[1])
            if steady:
                instance.due = math.inf  # a price changes by its events only (judged as they come)
        elif instance.rule in ("compliance-hit", "complaint-surge"):
            tally = state.hits_window.get(context[2]) if instance.rule == "compliance-hit" else state.complaints_window
            value = tally.at(second) if tally else 0
            summary = instance.summary if instance.rule == "compliance-hit" else complaint_summary(state, spec, second, value)
            if steady and tally and tally.items:  # nothing changes before the oldest count leaves the window
                instance.due = (tally.items[0] >> 24) + spec.window
        elif instance.rule == "stream-stalled":
            silent = second - state.last_event
            value, summary = silent, stalled_summary(spec, silent)
        else:
            value = VALUES[instance.rule](state, spec, second)
            summary = SUMMARIES[instance.rule](state, spec, second, value)
        self._emit(
            self.alerts.observe(spec, instance.labels, value, second, summary, instance.severity, context=context, fp=instance.fingerprint)
        )
