"""Judging a session's events (the Judge half of engine.Engine): the rules an event can change, at the event's own
time — negative chat, viewers drop, sales spike, refunds, complaints, price changes, a stalled stream that is back —
and the compliance scan of the texts waiting for a batch (``Hit``: a compliance hit kept for the session page). A
mixin: Engine inherits it, so its methods are looked up as the engine's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livecommerce.monitor.alerts import NODATA, Alerts, Transition, fingerprint
from livecommerce.monitor.events import Event
from livecommerce.monitor.measures import SUMMARIES, VALUES, price_value
from livecommerce.monitor.rules import RuleSet, RuleSpec
from livecommerce.monitor.state import SessionState, Tally
from livecommerce.monitor.summaries import (
    ENDED,
    PAUSED,
    VIEWERS_BACK,
    hit_summary,
    off_shelf_summary,
    resumed_summary,
)


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


class Judge:
    """The engine's judging of events and texts (mixed into engine.Engine, which holds the state named below)."""

    # what the engine (engine.Engine) holds and does, for the type checker
    rules: RuleSet
    alerts: Alerts
    sessions: dict[tuple[str, str], SessionState]
    texts: list[tuple[tuple[str, str], float, str, str]]
    _version: int

    scanner: Any
    scan_chat: bool
    sources: frozenset[str]
    hits: list[Hit]

    if TYPE_CHECKING:

        def specs(self, state: SessionState) -> dict[str, RuleSpec]: ...

        def _emit(self, transition: Transition | None) -> None: ...

        def _fp(self, state: SessionState, rule: str) -> str: ...

        def _arm(self, state: SessionState) -> None: ...

        def _end(self, state: SessionState, at: float, why: str, dormant: bool = False) -> None: ...

    def _judge(self, state: SessionState, event: Event) -> None:  # noqa: C901, PLR0912 -- a hot loop kept flat (as engine.py)
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
