"""The monitor's engine: events in, alert transitions out, on event time.

Each event is checked (events.Intake), folded into its session's state (state.SessionState) and judged at once by the
rules it can change (an order by sales-spike, a viewers count by viewers-drop …) at the event's own ``ts``. Rules of
time — a stream that sends nothing, an alert whose window has emptied, a pending alert's ``for`` — are judged at every
whole second the session's own watermark passes: the latest event time of that session less ``lag`` seconds. Each
session has its own clock, so any order of the input that keeps each session's own events in order (two captures
joined, partitions read at different speeds) gives the same transitions at the same seconds, and a replay at any
speed gives those of the live evening (000_f467ed5c45ed642d.txt 第36条: 实时监控直播全过程; rules.yaml has the
thresholds and their reasons). A session that goes silent is judged when its next event comes, when the wall clock
moves every session (``advance``, live mode) or at the end of the input (``close``: every session to the input's
latest time — the same whatever the order). The input's own clock (the latest event time less ``lag``) only scans
the pending texts, reads a changed rules file again and sends the notifications due.

Texts (transcript, chat, product titles) are checked by the compliance scanner (compliance.scanner) in batches of
``batch`` texts, at least once a second of the input's clock, and always before a compliance alert is judged by time
or its session ends, so batching changes no result.

Engine holds the state and the input; what it judges lives beside it as two mixins it inherits (their methods are
looked up as its own): judge.Judge, the rules an event changes and the compliance scan (judge.Hit), and clock.Clock,
the input's and each session's clock, a session's end and its letting go.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from livecommerce.monitor.alerts import RESOLVED, Alerts, Grouper, Notification, Transition, fingerprint
from livecommerce.monitor.clock import Clock
from livecommerce.monitor.events import _DECODER, MAX_TEXT, Event, Intake
from livecommerce.monitor.judge import Hit, Judge
from livecommerce.monitor.rules import RuleFile, RuleSet, RuleSpec
from livecommerce.monitor.state import STEP, MinuteRow, SessionState

LONE_END = "status end of a session not held here (unknown, or already let go): no session opened"
Directory = Callable[[str, str], dict[str, str]]  # (platform, session_id) → shop, streamer, region labels

__all__ = ["LONE_END", "Directory", "Engine", "Hit"]  # Hit: older checkpoints name it here


class Engine(Clock, Judge):
    """The monitor of every live session: ``feed`` events (or ``read`` JSON lines), ``advance`` the clock when no event
    comes, ``close`` at the end of a replay. Transitions are returned; minute rows, hits and grouped notifications
    wait in ``minutes``, ``hits`` and ``notifications`` for whoever stores or sends them."""

    def __init__(
        self,
        rules: RuleSet | RuleFile | None = None,
        scanner: Any = "default",
        lag: float = 2.0,
        lateness: float = 30.0,
        batch: int = 512,
        keep_ended: float = 600.0,
        forget: float = 7200.0,
        directory: Directory | None = None,
        keep_dormant: float | None = None,
    ) -> None:
        self.rule_file = rules if isinstance(rules, RuleFile) else None
        self.rules: RuleSet = self.rule_file.current() if self.rule_file else (rules if isinstance(rules, RuleSet) else RuleFile().rules)
        if scanner == "default":
            from livecommerce.compliance.scanner import default_scanner

            scanner = default_scanner()
        self.scanner = scanner
        self.lag, self.batch, self.keep_ended, self.forget = lag, batch, keep_ended, forget
        # a session ended by silence (``forget``) is held this long for its room to speak again (default: ``forget``)
        self.keep_dormant = forget if keep_dormant is None else keep_dormant
        self.fast = True  # the fast path for chat (``chat``); False sends every line through ``feed``
        self.directory = directory
        self.intake = Intake(lateness)
        self.sessions: dict[tuple[str, str], SessionState] = {}
        self.alerts = Alerts(self.rules)
        self.grouper = Grouper(self.rules.group_by, self.rules.group_wait, self.rules.group_interval)
        self.max_ts: float | None = None
        self.tick: int | None = None
        self.texts: list[tuple[tuple[str, str], float, str, str]] = []
        self.minutes: list[tuple[tuple[str, str], MinuteRow]] = []
        self.hits: list[Hit] = []
        self.notifications: list[Notification] = []
        self.ended: list[SessionState] = []
        self.out: list[Transition] = []
        self.events = 0
        self._setup()

    # -- rules -------------------------------------------------------------------------------------------------------

    def _setup(self) -> None:
        self._specs: dict[tuple[str, str], dict[str, RuleSpec]] = {}
        self._version = getattr(self, "_version", 0) + 1
        words = self.rules.rules["negative-chat"].get("words") or []
        self.negative = re.compile("|".join(re.escape(w) for w in words)) if words else None
        self.windows = {name: float(values.get("window", 60)) for name, values in self.rules.rules.items()}
        self.alerts.rules = self.rules
        self.sources = frozenset(self.rules.rules["compliance-hit"].get("sources") or ())
        self.scan_chat = self.scanner is not None and "chat" in self.sources
        self.grouper.group_by, self.grouper.group_wait = self.rules.group_by, self.rules.group_wait
        self.grouper.group_interval = self.rules.group_interval

    def reload(self) -> bool:
        """Read the rules file again if it changed; True when new rules apply from now on."""
        if self.rule_file is None:
            return False
        rules = self.rule_file.current()
        if rules is self.rules:
            return False
        self.rules = rules
        self._setup()
        return True

    def specs(self, state: SessionState) -> dict[str, RuleSpec]:
        """The rules as they apply to the session (kept on it until the rules or its class change)."""
        if state.specs_version == self._version:
            return state.specs
        key = (state.platform, state.session_class)
        specs = self._specs.get(key)
        if specs is None:
            specs = {name: self.rules.spec(name, *key) for name in self.rules.rules}
            self._specs[key] = specs
        state.specs, state.specs_version = specs, self._version
        return specs

    # -- input -------------------------------------------------------------------------------------------------------

    def read(self, line: str) -> list[Transition]:
        """One JSON line: its transitions (none when the line is refused; Intake counts why)."""
        intake = self.intake
        intake.line += 1
        try:
            raw = _DECODER.decode(line)
        except (ValueError, msgspec.DecodeError):
            intake.refuse("not JSON", line)
            return []
        if self.fast and type(raw) is dict and raw.get("kind") == "chat" and (len(raw) == 5 or (len(raw) == 6 and "user" in raw)):
            out = self.chat(raw.get("platform"), raw.get("session_id"), raw.get("ts"), raw.get("text"), raw.get("user"))
            if out is not None:
                return out
        event = intake.check(raw, line)
        return self.feed(event, line) if event is not None else []

    def chat(self, platform: Any, session_id: Any, ms: Any, text: Any, user: Any = None) -> list[Transition] | None:
        """One chat line given by its fields (``ms``: epoch milliseconds, an int), on the fast path: the common case,
        two events in three — a well-formed chat line of a live session that is not late for its curves and does not
        move the input's clock. It does what ``intake.check`` and ``feed`` do for it (the line counted as accepted, its
        transitions returned), without building an Event (tests/monitor/test_rules.py checks that both paths give the
        same). None sends the line the long way (``intake.check`` then ``feed``), before anything but its session's
        clock is changed (``feed`` moves that clock first too). ``read`` calls it for a flat chat line; a platform
        adapter (monitor.adapters) calls it with the fields of a platform's chat message."""
        if (
            type(ms) is not int
            or type(session_id) is not str
            or type(text) is not str
            or len(text) > MAX_TEXT
            or (user is not None and type(user) is not str)
            or type(platform) is not str
        ):
            return None
        state = self.sessions.get((platform, session_id))
        max_ts, tick = self.max_ts, self.tick
        if state is None or state.status != "live" or state.armed is None or max_ts is None or tick is None:
            return None
        ts = ms / 1000.0
        second = int(ts)
        bucket, minute = second // STEP, second // 60 * 60
        lag, intake, row, last = self.lag, self.intake, state.minute, state.last_event
        if ts < last - intake.lateness or bucket < state.bucket or minute < row.minute or (ts > max_ts and ts - lag >= tick + 1):
            return None
        target = int(ts - lag)  # the session's own watermark (ts is positive: int is floor)
        if target > state.tick:  # the session's clock moves first, as in ``feed``
            if state.active or state.armed <= target:
                self._clock(state, target)
                if state.status != "live" or state.armed is None:
                    return None  # ended by its silence: ``feed`` goes on from the clock just moved (and keeps its out)
                row, last = state.minute, state.last_event
            else:
                state.tick = target
        intake.accepted += 1
        self.events += 1
        if ts > max_ts:
            self.max_ts = ts
        if minute > row.minute:
            self.minutes.append((state.key, state.next_minute(minute)))
        if ts > last:
            state.last_event = ts
        if bucket > state.bucket:
            state.next_bucket(bucket)
        state.chat(ts, second, text, user, self.negative)
        # a session that never had a negative line has no negative-chat alert (its share was always 0); a session with
        # no active alert (state.active: its pending, firing and nodata ones) has no stall to end
        if state.negative_lines or state.active:
            self._chat_alerts(state, ts, ts - last)
        texts = self.texts
        if self.scan_chat:
            texts.append((state.key, ts, "chat", text))
            if len(texts) >= self.batch:
                self._scan()
        elif len(texts) >= self.batch:
            self._scan()
        out = self.out
        if out:
            self.out = []
            return out
        return []

    def _chat_alerts(self, state: SessionState, ts: float, gap: float) -> None:
        """The alerts a chat line can change: negative-chat, and a stall that its line ends."""
        active = self.alerts.active
        specs = state.specs if state.specs_version == self._version else self.specs(state)
        if state.negative_lines and (state.negative_window.total or state.fps.get("negative-chat") in active):
            self._check(state, specs["negative-chat"], ts)
        # a stall is judged at a whole second at least its threshold after the session's last event: no such second
        # has passed since that event, no stall to end
        if state.tick >= ts - gap + specs["stream-stalled"].threshold:
            stalled = state.fps.get("stream-stalled")
            if stalled is not None and stalled in active:
                self._resume(state, specs, ts, stalled)

    def read_many(self, lines: Iterable[str]) -> list[Transition]:
        out: list[Transition] = []
        for line in lines:
            if line.strip():
                out.extend(self.read(line))
        return out

    def feed(self, event: Event, line: str = "") -> list[Transition]:
        """Judge one checked event; the transitions it (and the time it brings) causes. An event more than the
        intake's ``lateness`` older than its session's latest is refused (counted by the intake) and changes nothing;
        so is a ``status: end`` of a session not held (unknown, or let go): it opens no session."""
        ts = event.ts
        state = self.sessions.get(event.key)
        if state is not None and ts < state.last_event - self.intake.lateness:
            self._refuse(self.intake.late(state.last_event, ts), line)
            return []
        if self.max_ts is None or ts > self.max_ts:
            if self.tick is None:
                self.tick = math.floor(ts - self.lag) - 1
            self.max_ts = ts
            if ts - self.lag >= self.tick + 1:
                self._global(math.floor(ts - self.lag))
        if state is not None:
            target = int(ts - self.lag)  # the session's own watermark (ts is positive: int is floor)
            if target > state.tick:
                armed, release = state.armed, state.release
                if state.active or (armed is not None and armed <= target) or (release is not None and release <= target):
                    self._clock(state, target)
                    state = self.sessions.get(event.key)  # let go by its own clock
                else:
                    state.tick = target  # nothing of the session due before then (most events)
        ends = event.kind == "status" and event.data["state"] == "end"
        if state is None:
            if ends:
                self._refuse(LONE_END, line)
                return self._out()
            state = self._open(event)
        else:
            if state.auto_ended and state.status == "ended" and not ends:
                self._revive(state)
            if event.meta:
                state.meta(event.meta)
        self.events += 1
        done = state.apply(event, self.negative)
        if done is not None:
            self.minutes.append((state.key, done))
        if state.armed is None and state.status != "ended":
            state.release = None
            self._arm(state)
        self._judge(state, event)
        if len(self.texts) >= self.batch:
            self._scan()
        out, self.out = self.out, []
        return out

    def _out(self) -> list[Transition]:
        out, self.out = self.out, []
        return out

    def _refuse(self, reason: str, line: str) -> None:
        self.intake.unaccept(reason, line)

    def advance(self, now: float) -> list[Transition]:
        """Move every session's clock to ``now`` without an event (live mode: the wall clock less lag; ``close``)."""
        if self.tick is not None:
            target = math.floor(now)
            if target > self.tick:
                self._global(target)
            for state in list(self.sessions.values()):
                if target > state.tick:
                    self._clock(state, target)
        return self._out()

    def flush(self) -> list[Transition]:
        """Scan the texts waiting for a batch now (a consumer with nothing new to read, a stop); their transitions."""
        self._scan()
        return self._out()

    def close(self) -> list[Transition]:
        """The end of the input: every text scanned, every session's clock moved to the input's latest event time (a
        session gone silent is judged up to it), every notification sent, every session's current minute kept. All it
        decides is returned; nothing waits for a later call."""
        out = self.flush()
        if self.max_ts is not None:
            out += self.advance(self.max_ts)
        self.notifications.extend(self.grouper.flush(math.inf))
        for state in self.sessions.values():
            self.minutes.append((state.key, state.minute))
        return out + self._out()

    # -- sessions ----------------------------------------------------------------------------------------------------

    def _open(self, event: Event) -> SessionState:
        state = SessionState(event.platform, event.session_id, event.ts, self.windows)
        if self.directory is not None:
            state.labels.update({k: v for k, v in self.directory(event.platform, event.session_id).items() if v})
        if event.meta:
            state.meta(event.meta)
        state.session_class = self.rules.session_class(0)
        state.tick = math.floor(event.ts - self.lag)  # nothing of the session to judge before its first event
        self.sessions[state.key] = state
        return state

    def _revive(self, state: SessionState) -> None:
        """A session ended by silence whose room speaks again (anything but its own status end): the same session goes
        on, its figures continue (a room id is one broadcast; only the room's own end ends it for good)."""
        state.status, state.ended_at, state.release, state.auto_ended = "live", None, None, False

    def _arm(self, state: SessionState) -> None:
        specs = self.specs(state)
        state.armed = math.ceil(state.last_event + specs["stream-stalled"].threshold)

    def _fp(self, state: SessionState, rule: str) -> str:
        fp = state.fps.get(rule)
        if fp is None:
            fp = state.fps[rule] = fingerprint(rule, state.labels)
        return fp

    def _emit(self, transition: Transition | None) -> None:
        if transition is not None:
            self.out.append(transition)
            self.grouper.add(transition)
            labels = transition.labels
            state = self.sessions.get((labels.get("platform", ""), labels.get("session_id", "")))
            if state is not None:  # the session's own index of its alerts, judged by its own clock
                if transition.state == RESOLVED:
                    state.active.pop(transition.fingerprint, None)
                else:
                    state.active[transition.fingerprint] = None

    # -- checkpoints (the Redis consumer) ----------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["scanner"] = self.scanner is not None
        state["directory"] = None
        state["out"] = []
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("scanner") is True:
            from livecommerce.compliance.scanner import default_scanner

            state["scanner"] = default_scanner()
        elif state.get("scanner") is False:
            state["scanner"] = None
        timers = state.pop("timers", None)
        self.__dict__.update(state)
        if timers is not None:
            self._upgrade()

    def _upgrade(self) -> None:
        """A checkpoint written before each session had its own clock (one watermark, a heap of timers): every session
        takes the engine's clock, its alerts and its release time, and goes on from there."""
        self.keep_dormant = self.forget
        for state in self.sessions.values():
            state.tick, state.active, state.release, state.auto_ended = self.tick or 0, {}, None, False
            if state.status == "ended":
                state.release = math.ceil((state.ended_at or state.last_event) + self.keep_ended)
        for fp, instance in self.alerts.active.items():
            context = instance.context
            session = self.sessions.get(context if isinstance(context[0], str) else context[0])
            if session is not None:
                session.active[fp] = None
