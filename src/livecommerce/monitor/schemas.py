"""What the monitor's API takes in (认领 and 静默 requests), with bounds on every field, and the words the CLI and the
forms share: label matchers (`region=2301*`) and durations (`2h`, `30m`, `1h30m`).

A silence's matchers name alert labels — rule, platform, session_id, shop, streamer, region, product,
compliance_rule — and a value or a glob (``*``, ``?``, ``[...]``) that must match something real: a rule of the rules
file, a platform code, a region code of Heilongjiang."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.reference.codes import PLATFORMS
from livecommerce.reference.regions import PROVINCE, regions

LABELS = ("rule", "platform", "session_id", "shop", "streamer", "region", "product", "compliance_rule")
MAX_MATCHERS = 10
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


class AckRequest(BaseModel):
    """POST /api/monitor/alerts/{id}/ack: acknowledge (认领) and assign an alert."""

    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=64, description="Who takes care of it (负责人).")
    note: str = Field("", max_length=2000, description="What is being done (处置说明).")


class SilenceRequest(BaseModel):
    """POST /api/monitor/silences: a time-boxed silence (静默). Give ``ends`` or ``duration`` (2h, 30m)."""

    model_config = ConfigDict(extra="forbid")

    matchers: dict[str, str] = Field(min_length=1, max_length=MAX_MATCHERS, description='label → value or glob, e.g. {"region": "2301*"}.')
    starts: datetime | None = Field(None, description="ISO 8601; naive is Shanghai time; default now.")
    ends: datetime | None = Field(None, description="ISO 8601; or give duration.")
    duration: str | None = Field(None, max_length=20, description="How long from starts: 2h, 30m, 1h30m, 1d.")
    comment: str = Field(min_length=1, max_length=500, description="Why (e.g. 平台维护窗口).")


def parse_duration(text: str, name: str = "--for") -> timedelta:
    """`2h`, `30m`, `1h30m`, `1d`, `90s` as a timedelta above zero; anything else names the option and the rule."""
    value = (text or "").strip().lower()
    match = _DURATION.fullmatch(value)
    if not value or match is None or not any(match.groups()):
        raise ValidationFailed(
            f"{name} {text!r}: a duration such as 2h, 30m, 1h30m or 1d", [Problem("a duration such as 2h, 30m, 1h30m or 1d", name, text)]
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    try:
        span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:  # more than timedelta holds (999,999,999 days)
        raise ValidationFailed(f"{name} {text!r}: too long", [Problem("too long", name, text)]) from None
    if span <= timedelta(0):
        raise ValidationFailed(f"{name} {text!r}: longer than zero", [Problem("longer than zero", name, text)])
    return span


def parse_matches(items: Iterable[str], name: str = "--match") -> dict[str, str]:
    """`label=value` items (repeatable option) as a dict; a label given twice or an item without `=` is refused."""
    out: dict[str, str] = {}
    for item in items:
        label, sep, value = item.partition("=")
        label = label.strip()
        if not sep or not label:
            raise ValidationFailed(
                f"{name} {item!r}: label=value, e.g. region=2301*", [Problem("label=value, e.g. region=2301*", name, item)]
            )
        if label in out:
            raise ValidationFailed(f"{name} {item!r}: label {label!r} given twice", [Problem("each label once", name, item)])
        out[label] = value.strip()
    return out


def check_matchers(matchers: dict[str, str], *, rules: Iterable[str]) -> dict[str, str]:
    """The matchers of a silence, checked: known labels, a value each, and a value or glob that matches something
    (a rule, a platform, a region code). Every problem is listed."""
    if not isinstance(matchers, dict) or not matchers:
        raise ValidationFailed("a silence needs at least one matcher (label=value)", [Problem("at least one matcher", "matchers", None)])
    if len(matchers) > MAX_MATCHERS:
        raise ValidationFailed(f"at most {MAX_MATCHERS} matchers", [Problem(f"at most {MAX_MATCHERS}", "matchers")])
    known = {"rule": tuple(rules), "platform": tuple(p.code for p in PLATFORMS), "region": tuple(regions().by_code)}
    problems: list[Problem] = []
    out: dict[str, str] = {}
    for label, raw in matchers.items():
        value = str(raw).strip() if raw is not None else ""
        if label not in LABELS:
            problems.append(Problem(f"unknown label; one of {', '.join(LABELS)}", "matchers", label))
        elif not value or len(value) > 100:
            problems.append(Problem("a value of 1 to 100 characters", f"matchers.{label}", value))
        elif label in known and not any(fnmatch.fnmatchcase(v, value) for v in known[label]):
            problems.append(Problem(f"matches no known {label}", f"matchers.{label}", value))
        out[label] = value
    if problems:
        raise ValidationFailed("; ".join(str(p) for p in problems), problems)
    return out


def silence_region(matchers: dict[str, str]) -> tuple[str, frozenset[str]]:
    """The region codes a silence can reach (every code without a region matcher) and the narrowest region that holds
    them all: whose silence it is, for scope."""
    table = regions()
    pattern = matchers.get("region")
    codes = frozenset(c for c in table.by_code if pattern is None or fnmatch.fnmatchcase(c, pattern))
    if not codes:
        return PROVINCE, codes
    for region in table.ancestors(min(codes)):
        if codes <= table.descendants(region.code):
            return region.code, codes
    return PROVINCE, codes
