"""The monitor's rules and their thresholds (预警阈值, 000_f467ed5c45ed642d.txt 第36条) from a YAML file: defaults,
overrides per platform and per session class, inhibition and grouping. ``RuleFile`` reads the file again when it
changes, so thresholds are changed without a restart. The format is documented in rules.yaml and docs/monitor.md."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "rules.yaml"
RULES = (
    "stream-stalled",
    "viewers-drop",
    "sales-spike",
    "refund-surge",
    "price-change",
    "compliance-hit",
    "complaint-surge",
    "negative-chat",
)
OPS = (">=", ">")
SEVERITIES = ("critical", "warning", "info", "from-rule")
LABELS = ("platform", "session_id", "shop", "streamer", "region")
NUMBERS = (
    "threshold",
    "resolve",
    "for",
    "keep_firing_for",
    "window",
    "no_data",
    "min_reference",
    "min_minutes",
    "min_orders",
    "min_refunds",
    "min_lines",
)
KNOWN = {*NUMBERS, "title", "severity", "op", "enabled", "words", "sources"}


class RulesError(ValueError):
    """A rules file that cannot be used: which file, where, what value, which rule of the format."""


@dataclass(frozen=True)
class RuleSpec:
    """One rule with its thresholds as they apply to one session."""

    name: str
    title: str
    severity: str
    op: str
    threshold: float
    resolve: float
    for_: float = 0.0
    keep_firing_for: float = 0.0
    window: float = 60.0
    no_data: float | None = None
    enabled: bool = True
    params: dict[str, Any] = field(default_factory=dict)

    def meets(self, value: float) -> bool:
        """Does the value reach the threshold (>= 以上, > 超过, 《民法典》第1259条)?"""
        return value >= self.threshold if self.op == ">=" else value > self.threshold

    def still(self, value: float) -> bool:
        """Once firing: is the value still on the firing side of the resolve threshold (the hysteresis band)?"""
        return value >= self.resolve if self.op == ">=" else value > self.resolve


@dataclass(frozen=True)
class Inhibit:
    source: str
    targets: frozenset[str]
    equal: tuple[str, ...]


@dataclass
class RuleSet:
    """Everything the rules file says, checked."""

    rules: dict[str, dict[str, Any]]
    classes: list[tuple[str, int]]
    overrides: list[dict[str, Any]]
    inhibit: list[Inhibit]
    group_by: tuple[str, ...]
    group_wait: float
    group_interval: float
    source: str = "rules.yaml"
    _cache: dict[tuple[str, str, str], RuleSpec] = field(default_factory=dict, repr=False)

    def session_class(self, peak_online: int) -> str:
        for name, floor in self.classes:
            if peak_online >= floor:
                return name
        return self.classes[-1][0] if self.classes else ""

    def spec(self, rule: str, platform: str = "", session_class: str = "") -> RuleSpec:
        """The rule as it applies to a session of this platform and class."""
        key = (rule, platform, session_class)
        known = self._cache.get(key)
        if known is not None:
            return known
        values = dict(self.rules[rule])
        for override in self.overrides:
            if override.get("platform") not in (None, platform) or override.get("session_class") not in (None, session_class):
                continue
            values.update(override["rules"].get(rule, {}))
        spec = _spec(rule, values)
        self._cache[key] = spec
        return spec

    def inhibitors(self, target: str) -> list[Inhibit]:
        return [rule for rule in self.inhibit if target in rule.targets]


def _spec(name: str, values: dict[str, Any]) -> RuleSpec:
    threshold = float(values["threshold"])
    params = {
        k: v
        for k, v in values.items()
        if k not in {"title", "severity", "op", "threshold", "resolve", "for", "keep_firing_for", "window", "no_data", "enabled"}
    }
    return RuleSpec(
        name,
        str(values.get("title", name)),
        str(values.get("severity", "warning")),
        values.get("op", ">="),
        threshold,
        float(values.get("resolve", threshold)),
        float(values.get("for", 0)),
        float(values.get("keep_firing_for", 0)),
        float(values.get("window", 60)),
        float(values["no_data"]) if values.get("no_data") is not None else None,
        bool(values.get("enabled", True)),
        params,
    )


def _check_rule(source: str, where: str, name: str, values: Any, complete: bool) -> dict[str, Any]:
    if name not in RULES:
        raise RulesError(f"{source}: {where}: unknown rule {name!r}; the rules are {', '.join(RULES)}")
    if not isinstance(values, dict):
        raise RulesError(f"{source}: {where}.{name}: a mapping of settings, not {values!r}")
    for key, value in values.items():
        at = f"{source}: {where}.{name}.{key}"
        if key not in KNOWN:
            raise RulesError(f"{at}: unknown setting; the settings are {', '.join(sorted(KNOWN))}")
        if key in NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise RulesError(f"{at}: {value!r} is not a number ≥ 0")
        if key == "op" and value not in OPS:
            raise RulesError(f'{at}: {value!r}; op is ">=" (以上, the threshold counts) or ">" (超过, it does not)')
        if key == "severity" and value not in SEVERITIES:
            raise RulesError(f"{at}: {value!r}; severity is one of {', '.join(SEVERITIES)}")
        if key in ("words", "sources") and (not isinstance(value, list) or not all(isinstance(w, str) and w for w in value)):
            raise RulesError(f"{at}: a list of words, not {value!r}")
    if complete and "threshold" not in values:
        raise RulesError(f"{source}: {where}.{name}: threshold is required")
    return dict(values)


def parse_rules(raw: Any, source: str = "rules.yaml") -> RuleSet:
    """A RuleSet from the decoded YAML; RulesError names the file, the place and the value when it is wrong."""
    if not isinstance(raw, dict):
        raise RulesError(f"{source}: a mapping with rules, overrides, inhibit …")
    base = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")) if source != str(DEFAULT_PATH) else raw
    rules_raw = raw.get("rules", {}) or {}
    if not isinstance(rules_raw, dict):
        raise RulesError(f"{source}: rules: a mapping of rule name to settings")
    rules = {name: _check_rule(source, "rules", name, values, complete=True) for name, values in base["rules"].items()}
    for name, values in rules_raw.items():  # a file may give only the rules it changes
        rules[name] = {**rules.get(name, {}), **_check_rule(source, "rules", name, values, complete=name not in rules)}
    classes_raw = raw.get("session_classes", base.get("session_classes", {})) or {}
    if not isinstance(classes_raw, dict) or not all(isinstance(v, int) and v >= 0 for v in classes_raw.values()):
        raise RulesError(f"{source}: session_classes: a mapping of class name to the peak online viewers it starts at")
    classes = sorted(((str(k), int(v)) for k, v in classes_raw.items()), key=lambda item: -item[1])
    overrides = []
    for i, override in enumerate(raw.get("overrides", base.get("overrides", [])) or []):
        where = f"overrides[{i}]"
        if not isinstance(override, dict) or not isinstance(override.get("rules"), dict):
            raise RulesError(f"{source}: {where}: a mapping with platform and/or session_class, and rules")
        if override.get("session_class") is not None and override["session_class"] not in dict(classes):
            raise RulesError(f"{source}: {where}.session_class: {override['session_class']!r} is not one of {', '.join(dict(classes))}")
        checked = {name: _check_rule(source, f"{where}.rules", name, values, complete=False) for name, values in override["rules"].items()}
        overrides.append({**override, "rules": checked})
    inhibit = []
    for i, entry in enumerate(raw.get("inhibit", base.get("inhibit", [])) or []):
        where = f"{source}: inhibit[{i}]"
        if not isinstance(entry, dict) or entry.get("source") not in RULES:
            raise RulesError(f"{where}.source: one of {', '.join(RULES)}")
        targets = entry.get("targets") or []
        bad = [t for t in targets if t not in RULES]
        if bad or not targets:
            raise RulesError(f"{where}.targets: {bad or targets!r}; a list of rules among {', '.join(RULES)}")
        equal = entry.get("equal") or ["platform", "session_id"]
        if any(label not in LABELS for label in equal):
            raise RulesError(f"{where}.equal: {equal!r}; labels among {', '.join(LABELS)}")
        inhibit.append(Inhibit(entry["source"], frozenset(targets), tuple(equal)))
    group_by = raw.get("group_by", base.get("group_by", ["region", "rule"]))
    if not isinstance(group_by, list) or any(g not in (*LABELS, "rule") for g in group_by):
        raise RulesError(f"{source}: group_by: {group_by!r}; labels among {', '.join((*LABELS, 'rule'))}")
    timing = {}
    for key in ("group_wait", "group_interval"):
        value = raw.get(key, base.get(key, 0))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RulesError(f"{source}: {key}: {value!r} is not a number of seconds ≥ 0")
        timing[key] = float(value)
    return RuleSet(rules, classes, overrides, inhibit, tuple(group_by), timing["group_wait"], timing["group_interval"], source)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules of a file (the built-in defaults when none is given)."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not YAML ({exc})") from exc
    return parse_rules(raw, str(path))


@dataclass
class RuleFile:
    """A rules file watched for changes: ``current()`` gives the rules, read again when the file's mtime changes. A
    changed file that is wrong keeps the last good rules and says why in ``error``."""

    path: Path | None = None
    rules: RuleSet = field(init=False)
    error: str | None = None
    _stamp: float = -1.0

    def __post_init__(self) -> None:
        self.rules = load_rules(self.path)
        self._stamp = self._mtime()

    def _mtime(self) -> float:
        try:
            return os.stat(self.path or DEFAULT_PATH).st_mtime
        except OSError:
            return -1.0

    def current(self) -> RuleSet:
        stamp = self._mtime()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self.rules, self.error = load_rules(self.path), None
            except RulesError as exc:
                self.error = str(exc)
        return self.rules
