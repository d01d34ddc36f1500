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
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from livecommerce.monitor.alerts import FIRING, NODATA, RESOLVED, Alerts, Grouper, Notification, Transition, fingerprint
from livecommerce.monitor.events import _DECODER, MAX_TEXT, Event, Intake
from livecommerce.monitor.measures import SUMMARIES, VALUES, complaint_summary, price_value, stalled_summary
from livecommerce.monitor.rules import RuleFile, RuleSet, RuleSpec
from livecommerce.monitor.state import STEP, MinuteRow, SessionState, Tally
from livecommerce.monitor.summaries import (
    ENDED,
    LET_GO,
    PAUSED,
    VIEWERS_BACK,
    hit_summary,
    no_viewers_summary,
    off_shelf_summary,
    resolved_summary,
    resumed_summary,
    silent_end,
)

LONE_END = "status end of a session not held here (unknown, or already let go): no session opened"
Directory = Callable[[str, str], dict[str, str]]  # (platform, session_id) → shop, streamer, region labels


@dataclass
class Hit:
    """A compliance hit in a live session, kept for the session page and the review."""

    platform: str
    session_id: str
    ts: float
    source: str
    rule: str
    category: str
    severity: str
    law: str
    text: str
    context: str
    suggestion: str
    start: int = -1  # where in the text (transcript, chat line, title) the hit is
    end: int = -1
    line: str = ""  # the whole chat line (chat only: the session page marks the hit in it)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Engine:
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

    # -- judging -----------------------------------------------------------------------------------------------------

    def _judge(self, state: SessionState, event: Event) -> None:
        kind, ts, active = event.kind, event.ts, self.alerts.active
        specs = state.specs if state.specs_version == self._version else self.specs(state)
        fps = state.fps
        if kind == "chat":
            # no negative line in the window (an upper bound, before the window is trimmed): the share is 0
            if state.negative_window.total or fps.get("negative-chat") in active:
                self._check(state, specs["negative-chat"], ts)
            if self.scan_chat:
                self.texts.append((state.key, ts, "chat", event.data["text"]))
        elif kind == "viewers":
            nodata = fps.get("viewers-drop")
            if nodata is not None and nodata in active and active[nodata].state == NODATA:
                self._emit(self.alerts.data_back("viewers-drop", state.labels, ts, VIEWERS_BACK))
            peak_class = self.rules.session_class(state.peak_online)
            if peak_class != state.session_class:
                state.session_class, state.specs_version = peak_class, -1
                specs = self.specs(state)
            spec = specs["viewers-drop"]
            # a fall to at most (1 − threshold) of a recent value is impossible above that share of the peak
            if state.online <= state.peak_online * (1 - spec.threshold) or fps.get("viewers-drop") in active:
                self._check(state, spec, ts)
        elif kind == "order":
            self._check(state, specs["sales-spike"], ts)
        elif kind == "refund":
            self._check(state, specs["refund-surge"], ts)
        elif kind == "complaint":
            self._check(state, specs["complaint-surge"], ts)
        elif kind == "transcript":
            if self.scanner is not None and "transcript" in self.sources:
                self.texts.append((state.key, ts, "transcript", event.data["text"]))
        elif kind == "product":
            self._price(state, specs["price-change"], event.data["product_id"], ts)
            if self.scanner is not None and "product" in self.sources:
                self.texts.append((state.key, ts, "product", event.data["title"]))
        elif kind == "status":
            if state.status == "ended":
                state.auto_ended = False  # the room said it: ended for good
                self._end(state, ts, ENDED)
            elif state.status == "paused":
                fp = fps.get("stream-stalled")
                if fp is not None and fp in active:
                    self._emit(self.alerts.end(fp, ts, PAUSED))
        # a stalled stream is back; judged after the event's own rules, so that what the stall explains (viewers gone
        # meanwhile) is still inhibited by it
        stalled = fps.get("stream-stalled")
        if stalled is not None and stalled in active:
            self._resume(state, specs, ts, stalled)

    def _resume(self, state: SessionState, specs: dict[str, RuleSpec], ts: float, stalled: str) -> None:
        spec = specs["stream-stalled"]
        self._emit(self.alerts.observe(spec, state.labels, ts - state.last_event, ts, resumed_summary(spec), context=state.key, fp=stalled))
        if state.status == "live":
            self._arm(state)

    def _check(self, state: SessionState, spec: RuleSpec, at: float) -> None:
        name = spec.name
        value = VALUES[name](state, spec, at)
        fp = state.fps.get(name) or self._fp(state, name)
        if fp in self.alerts.active or spec.meets(value):
            self._emit(
                self.alerts.observe(spec, state.labels, value, at, SUMMARIES[name](state, spec, at, value), context=state.key, fp=fp)
            )

    def _price(self, state: SessionState, spec: RuleSpec, product_id: str, at: float) -> None:
        product = state.products.get(product_id)
        if product is None:
            return
        labels = {**state.labels, "product": product_id}
        if not product.on_shelf:
            self._emit(self.alerts.end(fingerprint(spec.name, labels), at, off_shelf_summary(product.title)))
            return
        value, summary = price_value(state, product_id)
        self._emit(self.alerts.observe(spec, labels, value, at, summary, context=(state.key, product_id)))

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

    def _scan(self) -> None:
        if not self.texts:
            return
        texts, self.texts = self.texts, []
        results = self.scanner.scan_many([t[3] for t in texts])
        for (key, ts, source, text), hits in zip(texts, results, strict=True):
            if not hits:
                continue
            state = self.sessions.get(key)
            if state is None:
                continue
            specs = self.specs(state)
            spec = specs["compliance-hit"]
            for hit in hits:
                context = text[max(0, hit.start - 20) : hit.end + 20]
                found = Hit(
                    state.platform,
                    state.session_id,
                    ts,
                    source,
                    hit.rule,
                    hit.category,
                    hit.severity,
                    hit.law,
                    hit.text,
                    context,
                    hit.suggestion,
                    hit.start,
                    hit.end,
                    text if source == "chat" else "",
                )
                self.hits.append(found)
                state.recent_hits.append(found.to_json())
                tally = state.hits_window.get(hit.rule)
                if tally is None:
                    tally = state.hits_window[hit.rule] = Tally(spec.window)
                tally.add(int(ts))
                labels = {**state.labels, "compliance_rule": hit.rule}
                severity = hit.severity if spec.severity == "from-rule" else spec.severity
                self._emit(
                    self.alerts.observe(spec, labels, tally.at(ts), ts, hit_summary(source, hit), severity, context=(key, "hit", hit.rule))
                )

    # -- time --------------------------------------------------------------------------------------------------------

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
