"""The life of an alert (预警), after Prometheus and Alertmanager: identity, pending, firing, resolved, nodata; silences;
inhibition; grouping of notifications. Everything runs on event time, so a replay at any speed gives the same
transitions at the same seconds. Acknowledgement and assignment are a person's writes and live in the store
(monitor/service.py); this module decides what happens to alerts, the store keeps it."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from livecommerce.core.timeutil import SHANGHAI
from livecommerce.monitor.rules import Inhibit, RuleSet, RuleSpec

PENDING, FIRING, RESOLVED, NODATA = "pending", "firing", "resolved", "nodata"


def fingerprint(rule: str, labels: dict[str, str]) -> str:
    """An alert's identity: its rule and its labels (session, shop, streamer, region …), whatever their order."""
    text = rule + "\x1f" + "\x1f".join(f"{k}={labels[k]}" for k in sorted(labels))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def iso(ts: float) -> str:
    """Event time as Shanghai ISO 8601: seconds, or milliseconds when the time has a fraction."""
    moment = datetime.fromtimestamp(ts, SHANGHAI)
    return moment.isoformat(timespec="seconds" if ts == int(ts) else "milliseconds")


@dataclass
class Transition:
    """One change of an alert's state. ``muted`` says why nobody is notified (silenced by …, inhibited by …)."""

    rule: str
    state: str
    at: float
    labels: dict[str, str]
    summary: str
    severity: str
    fingerprint: str
    value: float | None = None
    muted: str | None = None

    @property
    def session_id(self) -> str:
        return self.labels.get("session_id", "")

    def to_json(self) -> dict[str, Any]:
        """The line of `monitor replay --format jsonl`: exactly rule, state, at, session_id, labels, summary."""
        return {
            "rule": self.rule,
            "state": self.state,
            "at": iso(self.at),
            "session_id": self.session_id,
            "labels": self.labels,
            "summary": self.summary,
        }

    def record(self) -> dict[str, Any]:
        """Everything about the transition (the store, the webhook, the stream between consumers)."""
        return {
            **self.to_json(),
            "ts": self.at,
            "severity": self.severity,
            "fingerprint": self.fingerprint,
            "value": self.value,
            "muted": self.muted,
        }


@dataclass
class Silence:
    """A time-boxed silence: alerts whose labels match every matcher between starts and ends notify nobody. A matcher's
    value may be a glob (2301*); the label ``rule`` matches the rule's name."""

    matchers: dict[str, str]
    starts: float
    ends: float
    comment: str = ""
    id: int | str = 0

    def covers(self, rule: str, labels: dict[str, str], at: float) -> bool:
        if not (self.starts <= at < self.ends):
            return False
        for name, pattern in self.matchers.items():
            value = rule if name == "rule" else labels.get(name)
            if value is None or not fnmatch.fnmatchcase(value, pattern):
                return False
        return True


@dataclass
class Instance:
    """One alert: its rule and labels, its state, since when, and whether it is muted."""

    rule: str
    labels: dict[str, str]
    fingerprint: str
    state: str
    since: float
    severity: str
    summary: str = ""
    value: float = 0.0
    clear_since: float | None = None
    inhibited_by: str | None = None
    context: Any = None  # what the engine needs to evaluate it again (session key, product …)
    due: float = 0.0  # the engine need not judge it again by time before this second


@dataclass
class Alerts:
    """Every alert that is pending, firing or without data, and what they do as conditions change."""

    rules: RuleSet
    silences: list[Silence] = field(default_factory=list)
    active: dict[str, Instance] = field(default_factory=dict)
    sources: dict[tuple[str, ...], str] = field(default_factory=dict)  # firing inhibitors by rule and equal labels

    def _muted(self, instance: Instance, at: float) -> str | None:
        if instance.inhibited_by:
            return f"inhibited by {instance.inhibited_by}"
        for silence in self.silences:
            if silence.covers(instance.rule, instance.labels, at):
                return f"silenced by {silence.id}" + (f" ({silence.comment})" if silence.comment else "")
        return None

    def _inhibitor(self, rule: str, labels: dict[str, str]) -> str | None:
        for inhibit in self.rules.inhibitors(rule):
            source = self._source(inhibit, labels)
            if source is not None:
                return source
        return None

    def _source(self, inhibit: Inhibit, labels: dict[str, str]) -> str | None:
        return self.sources.get((inhibit.source, *(labels.get(name, "") for name in inhibit.equal)))

    def _move(self, instance: Instance, state: str, at: float) -> Transition:
        instance.state, instance.since = state, at
        for inhibit in self.rules.inhibit:
            if inhibit.source == instance.rule:
                key = (inhibit.source, *(instance.labels.get(name, "") for name in inhibit.equal))
                if state == FIRING:
                    self.sources[key] = f"{instance.rule} {instance.fingerprint}"
                else:
                    self.sources.pop(key, None)
        return Transition(
            instance.rule,
            state,
            at,
            instance.labels,
            instance.summary,
            instance.severity,
            instance.fingerprint,
            instance.value,
            self._muted(instance, at),
        )

    def observe(
        self,
        spec: RuleSpec,
        labels: dict[str, str],
        value: float,
        at: float,
        summary: str,
        severity: str | None = None,
        context: Any = None,
        fp: str | None = None,
    ) -> Transition | None:
        """The rule's value for these labels at event time ``at``; the transition it causes, if any."""
        fp = fp or fingerprint(spec.name, labels)
        instance = self.active.get(fp)
        if instance is None:
            if not spec.enabled or not spec.meets(value):
                return None
            instance = Instance(spec.name, dict(labels), fp, PENDING, at, severity or spec.severity, summary, value, context=context)
            instance.inhibited_by = self._inhibitor(spec.name, labels)
            self.active[fp] = instance
            return self._move(instance, PENDING if spec.for_ > 0 else FIRING, at)
        if instance.state == NODATA:
            return None
        instance.value = value
        if instance.state == PENDING:
            if not spec.meets(value):
                del self.active[fp]  # never fired: gone without a notice, as in Prometheus
                return None
            instance.summary = summary
            if at - instance.since >= spec.for_:
                if instance.inhibited_by is None:
                    instance.inhibited_by = self._inhibitor(spec.name, labels)
                return self._move(instance, FIRING, at)
            return None
        if spec.still(value):  # firing, and not yet back past the resolve threshold
            instance.clear_since = None
            if severity and severity != instance.severity:
                instance.severity = severity
            instance.summary = summary
            return None
        if instance.clear_since is None:
            instance.clear_since = at
        if at - instance.clear_since >= spec.keep_firing_for:
            del self.active[fp]
            instance.summary = summary or instance.summary
            return self._move(instance, RESOLVED, at)
        return None

    def end(self, fp: str, at: float, summary: str) -> Transition | None:
        """The alert's subject is gone (the session ended, the product left the shelf): resolved now if it fired."""
        instance = self.active.pop(fp, None)
        if instance is None or instance.state == PENDING:
            return None
        instance.summary = summary
        return self._move(instance, RESOLVED, at)

    def no_data(self, spec: RuleSpec, labels: dict[str, str], at: float, summary: str, context: Any = None) -> Transition | None:
        """The rule's input stopped while the session goes on: the alert enters the nodata state (a firing alert of
        the rule keeps its state until data comes back and says otherwise)."""
        fp = fingerprint(spec.name, labels)
        if fp in self.active:
            return None
        instance = Instance(spec.name, dict(labels), fp, NODATA, at, "info", summary, context=context)
        self.active[fp] = instance
        return self._move(instance, NODATA, at)

    def data_back(self, rule: str, labels: dict[str, str], at: float, summary: str) -> Transition | None:
        fp = fingerprint(rule, labels)
        instance = self.active.get(fp)
        if instance is None or instance.state != NODATA:
            return None
        del self.active[fp]
        instance.summary = summary
        return self._move(instance, RESOLVED, at)


@dataclass
class Notification:
    """One message to the receivers: a group of alerts (Alertmanager's webhook payload, version 4)."""

    group: dict[str, str]
    at: float
    alerts: list[Transition]

    def payload(self) -> dict[str, Any]:
        firing = any(t.state == FIRING for t in self.alerts)
        common = dict(self.alerts[0].labels) if self.alerts else {}
        for t in self.alerts[1:]:
            common = {k: v for k, v in common.items() if t.labels.get(k) == v}
        return {
            "version": "4",
            "status": FIRING if firing else RESOLVED,
            "groupLabels": self.group,
            "commonLabels": common,
            "groupKey": "|".join(f"{k}={v}" for k, v in sorted(self.group.items())),
            "sentAt": iso(self.at),
            "alerts": [
                {
                    "status": t.state,
                    "labels": {**t.labels, "alertname": t.rule},
                    "severity": t.severity,
                    "startsAt": iso(t.at),
                    "summary": t.summary,
                    "fingerprint": t.fingerprint,
                }
                for t in self.alerts
            ],
        }


@dataclass
class Grouper:
    """Notifications grouped by ``group_by``: the first alert of a group waits ``group_wait`` seconds for its fellows,
    later changes go out at most every ``group_interval`` seconds. Muted and pending transitions notify nobody."""

    group_by: tuple[str, ...]
    group_wait: float
    group_interval: float
    waiting: dict[tuple[str, ...], list[Transition]] = field(default_factory=dict)
    due: dict[tuple[str, ...], float] = field(default_factory=dict)
    last_sent: dict[tuple[str, ...], float] = field(default_factory=dict)

    def key(self, transition: Transition) -> tuple[str, ...]:
        return tuple(transition.rule if name == "rule" else transition.labels.get(name, "") for name in self.group_by)

    def add(self, transition: Transition) -> None:
        if transition.muted or transition.state not in (FIRING, RESOLVED):
            return
        key = self.key(transition)
        self.waiting.setdefault(key, []).append(transition)
        if key not in self.due:
            sent = self.last_sent.get(key)
            self.due[key] = transition.at + self.group_wait if sent is None else max(transition.at, sent + self.group_interval)

    def flush(self, now: float) -> list[Notification]:
        out = []
        for key in [k for k, when in self.due.items() if when <= now]:
            when = self.due.pop(key)
            alerts = self.waiting.pop(key, [])
            if alerts:
                self.last_sent[key] = when
                out.append(Notification(dict(zip(self.group_by, key, strict=True)), when, alerts))
        return out
