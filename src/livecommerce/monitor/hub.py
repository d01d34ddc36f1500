"""The live monitor inside the web process (直播监测): one engine, fed by the in-process queue of DESIGN.md.

Events arrive as JSON lines (the platforms' HTTP POST, the demo feed) and wait in a thread-safe queue; one worker
thread takes them, feeds them to the engine and answers each batch with its accepted and rejected counts. Every
wall-clock second the worker also moves the engine's clock (so a stream that falls silent is seen as stalled without
any event arriving), takes the active silences from the store, writes what the engine produced — alert transitions,
minute rows, compliance hits, sessions — to the store in one transaction, and hands the grouped notifications to the
webhooks of their regions (notify.py). ``version`` grows on every change; the wall's server-sent events poll it.

The wall reads the engine's sessions (``live_sessions``, ``live_session``) under the same lock, narrowed to what the
reader may see (``monitor.read``): all, the sessions of some regions, or those of the reader's own shops.
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

from livecommerce.core.db import session_scope
from livecommerce.core.errors import LiveCommerceError
from livecommerce.core.scope import Actor, Grant
from livecommerce.core.settings import Settings, get_settings
from livecommerce.monitor.alerts import FIRING, iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.notify import Notifier, routes_of
from livecommerce.monitor.rules import RuleFile, RulesError
from livecommerce.monitor.sink import stored_silences
from livecommerce.monitor.state import SessionState
from livecommerce.reference.regions import regions

log = logging.getLogger(__name__)

SPARK = 30  # sparkline buckets on the wall: 30 × 10 s = the last five minutes
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


@dataclass
class _Unsaved:
    """What the engine produced and the store has not yet taken (kept for the next step when a write fails)."""

    transitions: list[Any] = field(default_factory=list)
    minutes: list[Any] = field(default_factory=list)
    hits: list[Any] = field(default_factory=list)
    sessions: dict[Key, SessionState] = field(default_factory=dict)
    failures: int = 0

    def __bool__(self) -> bool:
        return bool(self.transitions or self.minutes or self.hits or self.sessions)


def _session_key(context: Any) -> Key | None:
    """The session an active alert belongs to: its context is the key, (key, product) or (key, "hit", rule)."""
    if isinstance(context, tuple) and context:
        return context if isinstance(context[0], str) else context[0]
    return None


def _region_name(code: str | None) -> str:
    if not code:
        return ""
    region = regions().by_code.get(code)
    return regions().full_name(code) if region is not None else ""


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
        self.notifier = notifier if notifier is not None else Notifier(routes_of(self.settings))
        self.lock = threading.RLock()
        self.jobs: queue.Queue[_Job | None] = queue.Queue(QUEUE_JOBS)
        self.version = 0
        self.steps = 0
        self._transitions: list[Any] = []
        self._fresh: set[Key] = set()
        self._unsaved = _Unsaved()
        self._snapshot_at = -math.inf
        self._owners: dict[Key, tuple[str | None, str | None]] = {}  # (platform, shop) → (uscc, region) in registry
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

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
        self.notifier.stop()

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
        silences = self._silences()
        with self.lock:
            engine = self.engine
            if silences is not None:
                engine.alerts.silences = silences
            self._transitions.extend(engine.advance(now - engine.lag))
            if final:
                self._transitions.extend(engine.close())
                self._snapshot_at = -math.inf  # every session's figures
            transitions, self._transitions = self._transitions, []
            minutes, engine.minutes = engine.minutes, []
            hits, engine.hits = engine.hits, []
            gone, engine.ended = engine.ended, []
            notifications, engine.notifications = engine.notifications, []
            sessions = self._to_snapshot(now, transitions, gone)
            if transitions or gone:
                self.version += 1
            self.steps += 1
        unsaved = self._unsaved
        unsaved.transitions.extend(transitions)
        unsaved.minutes.extend(minutes)
        unsaved.hits.extend(hits)
        unsaved.sessions.update(sessions)
        written = {
            "transitions": len(unsaved.transitions),
            "minutes": len(unsaved.minutes),
            "hits": len(unsaved.hits),
            "sessions": len(unsaved.sessions),
        }
        if unsaved and not self._write(unsaved):
            written = dict.fromkeys(written, 0)
        for notification in notifications:
            self.notifier.dispatch(notification)
        return written

    def _to_snapshot(self, now: float, transitions: list[Any], gone: list[SessionState]) -> dict[Key, SessionState]:
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

    def _silences(self) -> list[Any] | None:
        """The stored silences; None keeps the ones the engine has (the store is unreachable for a moment)."""
        return stored_silences(self.settings)

    def _write(self, unsaved: _Unsaved) -> bool:
        try:
            from livecommerce.monitor import recording

            with session_scope(self.settings) as db:
                recording.record(
                    db,
                    transitions=unsaved.transitions,
                    minutes=unsaved.minutes,
                    hits=unsaved.hits,
                    sessions=list(unsaved.sessions.values()),
                )
        except Exception:
            unsaved.failures += 1
            log.exception(
                "monitor hub: writing %d transitions, %d minutes, %d hits, %d sessions failed (try %d of %d)",
                len(unsaved.transitions),
                len(unsaved.minutes),
                len(unsaved.hits),
                len(unsaved.sessions),
                unsaved.failures,
                RETRIES,
            )
            if unsaved.failures >= RETRIES:
                log.error("monitor hub: the batch is dropped after %d failed writes", RETRIES)
                self._unsaved = _Unsaved()
            return False
        self._unsaved = _Unsaved()
        return True

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

    # -- the wall ------------------------------------------------------------------------------------------------------

    def _until(self) -> float:
        engine = self.engine
        return max(engine.tick or 0, engine.max_ts or 0)

    def _firing(self) -> dict[Key, list[Any]]:
        by_session: dict[Key, list[Any]] = {}
        for instance in self.engine.alerts.active.values():
            key = _session_key(instance.context)
            if key is not None:
                by_session.setdefault(key, []).append(instance)
        return by_session

    def _owner(self, platform: str, shop: str | None) -> tuple[str | None, str | None]:
        """(uscc, region) of the session's shop in the registry, looked up once per shop and cached."""
        if not shop:
            return None, None
        key = (platform, shop)
        if key not in self._owners:
            from livecommerce.entities.service import shop_places

            try:
                with session_scope(self.settings) as db:
                    region, uscc = shop_places(db, [key]).get(key, (None, None))
            except Exception:
                log.exception("monitor hub: shop %s/%s could not be looked up", platform, shop)
                return None, None
            self._owners[key] = (uscc, region)
        return self._owners[key]

    def _visible(self, grant: Grant, labels: dict[str, str]) -> tuple[bool, str | None]:
        """Whether the reader may see the session, and its region (its own label, else its shop's in the registry)."""
        region = labels.get("region")
        if region and (grant.everything or region in grant.regions or not grant.entities):
            return grant.allows(region), region  # the registry is asked only when the shop's owner matters
        uscc, shop_region = self._owner(labels["platform"], labels.get("shop"))
        region = region or shop_region
        return grant.allows(region, uscc), region

    def _snapshots(self, actor: Actor, keep: Callable[[SessionState], bool]) -> list[tuple[SessionState, dict[str, Any], list[Any]]]:
        grant = actor.grant("monitor.read")
        if grant.nothing:
            return []
        with self.lock:
            firing = self._firing()
            chosen = [(state, state.summary(), firing.get(state.key, [])) for state in self.engine.sessions.values() if keep(state)]
        out = []
        for state, summary, alerts in chosen:
            visible, region = self._visible(grant, summary)
            if visible:
                summary["region"] = region or ""
                summary["region_name"] = _region_name(region)
                out.append((state, summary, alerts))
        return out

    def live_sessions(self, actor: Actor, city: str | None = None, platform: str | None = None) -> list[dict[str, Any]]:
        """The sessions the engine holds that the reader may see (live, paused, and those ended in the last 10
        minutes), busiest first: summary, region_name, a five-minute sparkline of online viewers and orders, and the
        number of firing alerts."""
        inside = regions().descendants(city) if city else None

        def keep(state: SessionState) -> bool:
            return platform is None or state.platform == platform

        rows = []
        for state, summary, alerts in self._snapshots(actor, keep):
            if inside is not None and summary["region"] not in inside:
                continue
            with self.lock:
                until = self._until()
                spark = {name: [v for _, v in state.curve(name, until, SPARK)] for name in ("online", "orders")}
            summary["spark"] = spark
            summary["alerts_firing"] = sum(1 for a in alerts if a.state == FIRING)
            rows.append(summary)
        rows.sort(key=lambda r: (r["status"] != "live", -r["online"], r["platform"], r["session_id"]))
        return rows

    def live_session(self, actor: Actor, platform: str, session_id: str) -> dict[str, Any] | None:
        """One session for its live page, or None when the engine does not hold it or the reader may not see it:
        summary, curves of the last half hour (10-s buckets, [epoch ms, value]), the latest chat with its compliance
        hits, the latest hits, and the session's active alerts."""
        key = (platform, session_id)
        found = self._snapshots(actor, lambda state: state.key == key)
        if not found:
            return None
        state, summary, alerts = found[0]
        with self.lock:
            until = self._until()
            first = int(state.started) // 10 * 10
            series: dict[str, list[list[Any]]] = {}
            for name, curve in (("online", "online"), ("orders", "orders"), ("chat", "chat"), ("gmv", "gmv_cents")):
                scale = 100 if name == "gmv" else 1  # GMV in yuan (cents in the ring), for the chart only
                series[name] = [
                    [second * 1000, value if value is None or scale == 1 else round(value / scale, 2)]
                    for second, value in state.curve(curve, until)
                    if second >= first
                ]
            marks: dict[tuple[float, str], list[list[Any]]] = {}
            for hit in state.recent_hits:
                if hit["source"] == "chat":
                    marks.setdefault((hit["ts"], hit["line"]), []).append([hit["start"], hit["end"], hit["rule"]])
            chat = [
                {
                    "ts": ts,
                    "at": iso(ts),
                    "user": initial + "***" if initial else "",
                    "text": text,
                    "negative": negative,
                    "hits": marks.get((ts, text), []),
                }
                for ts, initial, text, negative in state.last_chat()
            ]
            recent_hits = [{**hit, "at": iso(hit["ts"])} for hit in state.recent_hits]
            products = [
                {
                    "product_id": p.product_id,
                    "title": p.title,
                    "first_price": str(p.first_price),
                    "price": str(p.price),
                    "orders": p.orders,
                    "gmv": str(p.gmv),
                    "on_shelf": p.on_shelf,
                }
                for p in state.products.values()
            ]
            specs = self.engine.rules
            active = [
                {
                    "rule": a.rule,
                    "title": specs.rules.get(a.rule, {}).get("title", a.rule),
                    "state": a.state,
                    "severity": a.severity,
                    "summary": a.summary,
                    "since": iso(a.since),
                    "fingerprint": a.fingerprint,
                    "muted": a.inhibited_by is not None,
                }
                for a in alerts
            ]
        summary["alerts_firing"] = sum(1 for a in alerts if a.state == FIRING)
        return {**summary, "series": series, "chat": chat, "hits": recent_hits, "alerts": active, "products": products}


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
